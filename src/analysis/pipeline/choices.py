"""``compendium choices``: which notebook can run for which year (and LA), why not where it cannot, and every
parameter's type, default and allowed values, all computed from the registry, the data and notebooks.yml."""

from __future__ import annotations

from ..common import academic_year
from .params import describe_rule
from .plan import coverage_reason
from .specs import NotebookSpec, load_specs, notebook_parameters, parameter_cell, valid_las, valid_years


def matrix(specs: list[NotebookSpec], la: str | None = None) -> tuple[list[int], dict[tuple[int, str], str | None]]:
    """(years, {(year, notebook): None or the reason it cannot run}) over every year any notebook covers, the
    stated gap years, and the years in between."""
    from ..data import reference

    years = {y for s in specs for y in valid_years(s)} | set(reference.measure_gaps()["year"])
    years = list(range(min(years), max(years) + 1))
    cells = {}
    for s in specs:
        s_la = (la or s.default_la) if s.las else None
        for y in years:
            if s_la is not None and s.las and s_la not in valid_las(s):
                cells[(y, s.name)] = f"LA {s_la} is not in this notebook's data"
            else:
                cells[(y, s.name)] = coverage_reason(s, y, s_la)
    return years, cells


def describe(la: str | None = None, list_las: bool = False) -> str:
    """The text ``compendium choices`` prints."""
    specs = load_specs()
    years, cells = matrix(specs, la)
    reasons: dict[str, str] = {}
    lines = ["Which notebook runs for which year: 'runs', or the number of the reason it cannot (listed below).",
             f"LA: {la} for the notebooks that take one." if la else
             "LA: each notebook's default LA (`compendium choices --la CODE` for another).", ""]
    width = max(len(s.name) for s in specs)
    lines.append(" " * (width + 2) + "  ".join(f"{y}" for y in years))
    for s in specs:
        row = []
        for y in years:
            reason = cells[(y, s.name)]
            if reason is None:
                row.append("runs")
            else:
                number = reasons.setdefault(reason, len(reasons) + 1)
                row.append(f"{number:>3} ")
        lines.append(f"{s.name:<{width}}  " + "  ".join(row))
    lines += ["", "Reasons:"] + [f"  {number:>2}  {reason}" for reason, number in reasons.items()]
    lines += ["", "Parameters (`compendium run -p NAME VALUE`; year and la are also --year and --la):"]
    for s in specs:
        cell = parameter_cell(s)
        lines.append(f"{s.name} (default year {s.default_year}, {academic_year(s.default_year)}"
                     + (f"; default LA {s.default_la}" if s.default_la else "") + "):")
        for name, p in cell.items():
            allowed = "" if name in ("year", "la") else f"; allowed: {describe_rule(s, name)}"
            lines.append(f"  {name}: {notebook_parameters(s)[name]} = {p['default']}  ({p['help']}{allowed})")
        for extra in s.also_run:
            lines.append(f"  the default reproduce also runs it with {extra} (a report set of its own)")
    if list_las:
        las = {code: name for s in specs for code, name in valid_las(s).items()}
        lines += ["", f"LA codes ({len(las)}):"] + [f"  {c} {n}" for c, n in sorted(las.items())]
    return "\n".join(lines)
