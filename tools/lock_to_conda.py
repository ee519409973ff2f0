"""Write environment.yml from pyproject.toml's direct dependencies at their versions in requirements.lock.

Run by `make lock` after it re-resolves the lock, so conda users get the same pins as .venv:
`conda env create -f environment.yml && conda activate compendium` (the package itself is installed editable
by pip). Conda resolves the transitive dependencies itself; only the direct ones (and the dev extra) are listed.

    python tools/lock_to_conda.py [--check]    # --check: exit 1 if environment.yml is not what it would write
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("dev",)  # the extras the lock is compiled with (Makefile LOCK_FLAGS)
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")

HEADER = """\
# conda users: `conda env create -f environment.yml && conda activate compendium`
# Written by `make lock` (tools/lock_to_conda.py): pyproject.toml's direct dependencies at their versions in
# requirements.lock. Do not edit by hand; the package itself is installed editable by pip.
name: compendium
channels:
  - conda-forge
dependencies:
  - python=3.11
"""
FOOTER = """\
  - pip
  - pip:
      - -e .
"""


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one hyphen."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_dependencies(pyproject: Path) -> list[str]:
    """Names of the project's dependencies and of its EXTRAS, in pyproject order (each once)."""
    project = tomllib.loads(pyproject.read_text())["project"]
    specs = list(project["dependencies"])
    for extra in EXTRAS:
        specs += project.get("optional-dependencies", {}).get(extra, [])
    names: list[str] = []
    for spec in specs:
        match = REQUIREMENT.match(spec)
        if not match:
            raise SystemExit(f"cannot read the dependency {spec!r} in {pyproject}")
        if normalize(match.group(1)) not in map(normalize, names):
            names.append(match.group(1))
    return names


def locked_versions(lock: Path) -> dict[str, set[str]]:
    """Normalized name -> the versions pinned in the lock (more than one where the lock forks on a marker)."""
    out: dict[str, set[str]] = {}
    for line in lock.read_text().splitlines():
        match = LOCK_LINE.match(line)
        if match:
            out.setdefault(normalize(match.group(1)), set()).add(match.group(2))
    return out


def environment_yml(names: list[str], locked: dict[str, set[str]]) -> str:
    lines = []
    for name in names:
        versions = locked.get(normalize(name))
        if not versions:
            raise SystemExit(f"{name} is a dependency in pyproject.toml but not in requirements.lock: run `make lock`")
        if len(versions) > 1:
            raise SystemExit(f"{name} has several versions in requirements.lock ({sorted(versions)}): pin it")
        lines.append(f"  - {name}={versions.pop()}\n")
    return HEADER + "".join(lines) + FOOTER


def main(argv: list[str]) -> int:
    text = environment_yml(direct_dependencies(ROOT / "pyproject.toml"), locked_versions(ROOT / "requirements.lock"))
    target = ROOT / "environment.yml"
    if "--check" in argv:
        if target.read_text() != text:
            print("environment.yml is out of date: run `make lock`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
