"""``compendium add-source``: register a downloaded file so the notebooks read it, with no code change.

Given the file (a path or an https URL), its role, year and LA, it computes the sha256 and size, writes the
registry entry (publisher, licence and format as the role's nearest registered file), copies the file into
``data/raw/``, and, for a role read through a column map, proposes that year's rows from the previous year's
(back-column suffixes shifted: ``P8MEA_16`` becomes ``P8MEA_17`` for 2017/18) and checks every one against the
file's header. Nothing is written unless everything checks out.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from pathlib import Path

from .. import paths
from ..common import academic_year, atomic_write, atomic_write_text
from ..errors import DataFormatError, ParameterError, SourceError
from . import column_maps, sources
from .dfe import detect_encoding


def _nearest_entry(role: str, year: int, la: str | None) -> sources.Source:
    same = [s for s in sources.registry().values() if s.role == role]
    if not same:
        roles = sorted({s.role for s in sources.registry().values()})
        raise ParameterError(f"--role: {role!r} is not a role of any registered file; roles: {', '.join(roles)}")
    return min(same, key=lambda s: ((s.la is None) != (la is None), abs((s.year or 0) - year), s.id))


def _new_id(template: sources.Source, year: int, la: str | None) -> str:
    """The template's id with its year and LA replaced: ks4_final_2017_320 -> ks4_final_2018_815.

    >>> t = sources.Source("ks4_final_2017_320", "r", 2017, "", "", "", "", "0" * 64, "csv", "", la="320")
    >>> _new_id(t, 2018, "815"), _new_id(t, 2018, None)
    ('ks4_final_2018_815', 'ks4_final_2018')
    """
    parts = [p for p in template.id.split("_") if p not in {str(template.year), str(template.la)}]
    return "_".join([*parts, str(year), *([str(la)] if la else [])])


def _mirror_url(path: Path) -> tuple[str | None, str | None]:
    """(mirror_path, url) when the file lies in the data mirror ($COMPENDIUM_DATA_MIRROR) and its MANIFEST.tsv."""
    import os

    mirror = os.environ.get(paths.MIRROR_ENV)
    if not mirror:
        return None, None
    try:
        relative = path.resolve().relative_to(Path(mirror).resolve()).as_posix()
    except ValueError:
        return None, None
    manifest = Path(mirror) / "MANIFEST.tsv"
    if manifest.exists():
        for row in csv.DictReader(io.StringIO(manifest.read_text(encoding="utf-8")), delimiter="\t"):
            if row.get("mirror_path") == relative:
                return relative, row.get("url")
    return relative, None


def _header(path: Path) -> list[str]:
    """The column names of a CSV (encoding detected, names stripped), read from its first line only."""
    with open(path, encoding=detect_encoding(path), newline="") as f:
        return [name.strip() for name in next(csv.reader(f), [])]


def _entry_yaml(fields: dict) -> str:
    import yaml

    return yaml.safe_dump([fields], sort_keys=False, allow_unicode=True, width=110)


def add_source(file: str, *, role: str, year: int, la: str | None = None, url: str | None = None,
               dry_run: bool = False) -> list[str]:
    """Register ``file``; returns the lines to print (what was written, or would be with ``dry_run``)."""
    la = None if la is None else str(la).strip()
    template = _nearest_entry(role, int(year), la)
    with tempfile.TemporaryDirectory() as scratch:
        if re.match(r"^https?://", file):
            import pooch

            try:
                path = Path(pooch.retrieve(file, known_hash=None, path=scratch, progressbar=False))
            except Exception as exc:
                raise SourceError(f"Could not download {file}: {exc}") from exc
            url = url or file
        else:
            path = Path(file)
            if not path.is_file():
                raise ParameterError(f"add-source: {file} is not a file")
        mirror_path, mirror_url = _mirror_url(path)
        url = url or mirror_url
        if not url:
            raise ParameterError(f"add-source: pass --url with the official URL {path.name} was downloaded from "
                                 "(every registered file records where it came from)")
        sha, size = sources.sha256_of(path), path.stat().st_size
        clash = [s for s in sources.registry().values() if s.role == role and s.year == int(year) and s.la == la]
        if clash:
            if clash[0].sha256 == sha:
                return [f"already registered as {clash[0].id} (same sha256): nothing to do"]
            raise SourceError(f"add-source: {clash[0].id} is already registered for role {role}, year {year}"
                              f"{', LA ' + la if la else ''} with another sha256; remove it from data/sources.yml first")
        new_id = _new_id(template, int(year), la)
        entry = {"id": new_id, "role": role, "year": int(year), **({"la": la} if la else {}),
                 "publisher": template.publisher, "licence": template.licence,
                 "description": f"{role} for {academic_year(year)}" + (f", LA {la}" if la else "")
                                + f" (the same kind of file as {template.id}). Added by compendium add-source.",
                 "url": url, "sha256": sha, "bytes": size, "format": template.format,
                 "mirror_path": mirror_path or f"local/{path.name}"}
        lines = [f"registry entry {new_id}: {size:,} bytes, sha256 {sha}, url {url}"]
        rows = _column_map_rows(role, int(year), path, lines)
        if dry_run:
            return [*lines, "dry run: nothing written"]
        raw = paths.raw_dir() / f"{new_id}.{template.format}"
        atomic_write(raw, lambda tmp: shutil.copyfile(path, tmp))
    registry_text = paths.SOURCES_FILE.read_text(encoding="utf-8").rstrip("\n") + "\n" + _entry_yaml(entry)
    atomic_write_text(paths.SOURCES_FILE, registry_text)
    lines.append(f"wrote {paths.SOURCES_FILE.relative_to(paths.PROJECT_ROOT)} and {raw}")
    if rows is not None:
        map_name = rows.attrs["map_name"]
        table = column_maps.read_map(map_name)
        import pandas as pd

        out = pd.concat([table[table["file_year"] != int(year)], rows], ignore_index=True)
        out = out.sort_values(["file_year"], kind="stable")
        atomic_write(column_maps.map_path(map_name), lambda tmp: out.to_csv(tmp, index=False, lineterminator="\n"))
        lines.append(f"wrote {len(rows)} rows for {year} to data/reference/column_maps/{map_name}.csv")
    sources.registry.cache_clear()
    lines.append(f"next: compendium run --year {year}" + (f" --la {la}" if la else ""))
    return lines


def _column_map_rows(role: str, year: int, path: Path, lines: list[str]):
    """The year's column-map rows for ``role`` (existing, else proposed), checked against the file's header;
    None when the role is not read through a column map, or the year's rows already exist and check out."""
    maps = column_maps.role_maps().set_index("role")["column_map"]
    if role not in maps.index:
        lines.append(f"role {role} is read without a column map: nothing to propose")
        return None
    map_name = maps[role]
    table = column_maps.read_map(map_name)
    existing = table[table["file_year"] == year]
    rows = existing if len(existing) else column_maps.propose_rows(map_name, year)
    column_maps.check_back_columns(rows, year, map_name=map_name)
    header = _header(path)
    missing = column_maps.missing_columns(rows, header)
    if missing:
        raise DataFormatError(f"{path.name}: the {'' if len(existing) else 'proposed '}{year} rows of "
                              f"data/reference/column_maps/{map_name}.csv do not fit its header: " + "; ".join(missing)
                              + ". Correct those rows' dfe_column (check the year's metadata file); nothing written")
    if len(existing):
        lines.append(f"column map {map_name}: the {year} rows already there fit the file's header")
        return None
    rows = column_maps.with_positions(rows, header)
    lines.append(f"column map {map_name}: {len(rows)} rows proposed from {int(table['file_year'][table['file_year'] < year].max())}"
                 f" (back-columns shifted to _{(year - 1) % 100:02d}), every column found in the file's header")
    rows.attrs["map_name"] = map_name
    return rows
