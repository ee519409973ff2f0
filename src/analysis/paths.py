"""Every path in the project, anchored to the project root (never the working directory)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DATA = PROJECT_ROOT / "data"
RAW = DATA / "raw"  # downloaded inputs: read-only, git-ignored
PROCESSED = DATA / "processed"  # tidy tables written only by library code
REFERENCE = DATA / "reference"  # human-made reference tables, committed
PUBLISHED = REFERENCE / "published"  # figures transcribed from the source documents
SOURCES_FILE = DATA / "sources.yml"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
REPORTS = PROJECT_ROOT / "reports"

#: Environment variable naming a local directory laid out like the shared data mirror.
MIRROR_ENV = "COMPENDIUM_DATA_MIRROR"
#: Environment variable the runner sets so a notebook knows where to record its findings.
RUN_DIR_ENV = "COMPENDIUM_RUN_DIR"
#: Environment variable the runner sets in each notebook's kernel: the report set it writes into.
REPORT_SET_ENV = "COMPENDIUM_REPORT_SET"


def raw_dir() -> Path:
    """Where fetched raw files live; ``COMPENDIUM_RAW_DIR`` can point tests at another folder."""
    return Path(os.environ.get("COMPENDIUM_RAW_DIR", RAW))


def processed_dir() -> Path:
    """Where tidy tables are cached; ``COMPENDIUM_PROCESSED_DIR`` can redirect it."""
    return Path(os.environ.get("COMPENDIUM_PROCESSED_DIR", PROCESSED))
