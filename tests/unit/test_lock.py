"""requirements.lock, pyproject.toml and environment.yml agree (no network: the three files are only read)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(name: str) -> str:
    """PEP 503 normalized name (Scikit_Learn -> scikit-learn)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_agrees_with_pyproject_and_environment_yml():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    # uv itself is pinned to one exact version (the Makefile installs that one).
    assert re.fullmatch(r"==\d+\.\d+\.\d+", pyproject["tool"]["uv"]["required-version"])
    # Direct dependencies: the package's and the dev extra's (the lock is compiled with --extra dev).
    project = pyproject["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins: dict[str, str] = {}
    for spec in specs:
        match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9.+!-]+)\s*", spec)
        assert match, f"pyproject.toml dependency {spec!r} is not pinned as name==version"
        pins[_name(match.group(1))] = match.group(2)
    assert {"jupyterlab", "papermill", "pandas", "pytest", "pytest-xdist"} <= set(pins)

    # The lock: each package line `name==version [; marker] \`, then its `--hash=sha256:` lines, then `# via`.
    locked: dict[str, set[str]] = {}
    hashes: dict[str, int] = {}
    current = None
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
            assert match, f"requirements.lock line {number} is not a name==version pin: {line!r}"
            current = f"{_name(match.group(1))}=={match.group(2)} (line {number})"
            locked.setdefault(_name(match.group(1)), set()).add(match.group(2))
            hashes[current] = 0
        elif "--hash=sha256:" in line:
            assert current is not None
            assert re.fullmatch(r"\s*--hash=sha256:[0-9a-f]{64}( \\)?", line), f"line {number}: {line!r}"
            hashes[current] += 1
    assert len(locked) > len(pins), "the lock has no transitive dependencies: was it compiled from pyproject?"
    assert [pin for pin, count in hashes.items() if count == 0] == [], "packages without a sha256 in the lock"
    for name, version in pins.items():
        assert locked.get(name) == {version}, f"pyproject pins {name}=={version}, the lock has {locked.get(name)}: run `make lock`"

    # environment.yml: the same direct dependencies at the same versions (conda syntax name=version).
    conda: dict[str, str] = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.fullmatch(r"  - ([A-Za-z0-9][A-Za-z0-9._-]*)=([^=\s]+)", line)
        if match and match.group(1) != "python":
            conda[_name(match.group(1))] = match.group(2)
    assert conda == pins, "environment.yml differs from pyproject.toml's pins: run `make lock`"
