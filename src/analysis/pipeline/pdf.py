"""``compendium pdf``: each policy report printed to A4 PDF by headless Chromium (``--print-to-pdf``), written
beside it as ``<set>/policy/<notebook>.pdf`` for every report set under the reports folder.

The report's print stylesheet (``templates/compendium/report.css``, ``@media print``) sets the page: A4,
margins, no navigation, figures and table rows kept whole. Chromium is the one CI installs (Debian's
``chromium``); ``$COMPENDIUM_CHROMIUM`` points at another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import RunError

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                  "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw"]


def chromium() -> str:
    """The Chromium to print with: ``$COMPENDIUM_CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH."""
    found = os.environ.get("COMPENDIUM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RunError("compendium pdf needs headless Chromium: install Debian's chromium (apt-get install chromium) "
                       "or set COMPENDIUM_CHROMIUM to its path")
    return found


def policy_reports(reports: Path) -> list[Path]:
    """Every policy report of every report set under ``reports`` (``<set>/policy/*.html``), in order."""
    return sorted(p for p in reports.glob("*/policy/*.html") if p.parent.parent.name.split("--")[0].isdigit())


def print_pdf(page: Path, target: Path, *, browser: str | None = None, timeout: float = 120) -> Path:
    """Print one HTML page to ``target`` (PDF) with a fresh Chromium profile; raise RunError if it fails."""
    browser = browser or chromium()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    with tempfile.TemporaryDirectory(prefix="compendium-chromium-") as profile:
        result = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                 f"--print-to-pdf={partial}", page.resolve().as_uri()],
                                capture_output=True, text=True, timeout=timeout)
    if not partial.exists() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise RunError(f"Chromium could not print {page} to PDF (exit {result.returncode}): "
                       f"{(result.stderr or '').strip().splitlines()[-1:] or 'no message'}")
    os.chmod(partial, 0o644)
    os.replace(partial, target)
    return target


def write_pdfs(reports: Path | str, *, log=print) -> list[Path]:
    """``policy/<name>.pdf`` beside each policy report of every report set under ``reports``."""
    reports = Path(reports)
    pages = policy_reports(reports)
    if not pages:
        raise FileNotFoundError(f"no policy reports under {reports}/<set>/policy/: run `compendium run` first")
    browser = chromium()
    written = []
    for page in pages:
        written.append(print_pdf(page, page.with_suffix(".pdf"), browser=browser))
        log(f"{written[-1].relative_to(reports)}")
    return written
