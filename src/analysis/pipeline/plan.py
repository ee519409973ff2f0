"""Planning a run: every notebook, year, LA and parameter checked before the first notebook starts.

Each job writes into a *report set*: ``<year>`` holds every notebook at its default parameters for that year;
a run with another LA or other parameters writes ``<year>--<variant>`` (e.g. ``2017--la-320``), so a variant
never overwrites the default reports. Parameter sets a notebook declares in ``notebooks.yml`` (``also_run``)
are part of the default reproduce, each in its own set.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import ParameterError
from .params import coerce_parameter, validate_parameter
from .specs import Job, NotebookSpec, load_specs, notebook_parameters, parameter_defaults, valid_las


def coverage_reason(spec: NotebookSpec, year: int, la: str | None) -> str | None:
    """Why ``spec`` cannot run for (year, la), from its coverage function; None when it can."""
    if not spec.coverage:
        return None
    module, func = spec.coverage.split(":")
    return getattr(importlib.import_module(module), func)(int(year), la)


def _slug_value(value: Any) -> str:
    text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return re.sub(r"[^A-Za-z0-9,.]+", "_", text).strip("_") or "none"


def report_set(spec: NotebookSpec, year: int, parameters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(name of the report set, the parameters that differ from the notebook's defaults).

    >>> spec = NotebookSpec("nb", "t", 2017, "330", "x:y", None)
    >>> import analysis.pipeline.plan as p
    >>> real, p.parameter_defaults = p.parameter_defaults, lambda s: {"year": 2017, "la": "330",
    ...                                                                "comparator": "core_cities"}
    >>> report_set(spec, 2019, {"year": 2019, "la": "330", "comparator": "core_cities"})
    ('2019', {})
    >>> report_set(spec, 2017, {"year": 2017, "la": "320", "comparator": "region"})
    ('2017--comparator-region--la-320', {'comparator': 'region', 'la': '320'})
    >>> p.parameter_defaults = real  # other tests in this process plan real notebooks
    """
    defaults = parameter_defaults(spec)
    changed = {k: v for k, v in sorted(parameters.items()) if k != "year" and v != defaults.get(k)}
    if not changed:
        return str(year), {}
    slug = "--".join(f"{k}-{_slug_value(v)}" for k, v in changed.items())
    if len(slug) > 80:  # a folder name stays short; the manifest keeps the parameters in full
        slug = slug[:60] + "-" + hashlib.sha256(slug.encode()).hexdigest()[:8]
    return f"{year}--{slug}", changed


def _year(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParameterError(f"--year: {value!r} is not a year; expected the academic year END, e.g. 2017 for "
                             "2016/17") from None


def coverage_calls(specs: list[NotebookSpec], *, year: int | None = None, la: str | None = None
                   ) -> list[tuple[str, list]]:
    """The coverage checks :func:`iter_plan` will make for ``specs`` (in that order), as (function, arguments),
    for the fork server to make ahead of it (:meth:`.forkserver.ForkServer.prepare`). A guess where the year
    or LA is not one :func:`iter_plan` will accept: then the check only warms another table.

    >>> coverage_calls([NotebookSpec("nb", "t", 2017, "330", "x:y", "x:las", coverage="m:f")], la="320")
    [('m:f', [2017, '320'])]
    """
    try:
        year = None if year is None else int(year)
    except (TypeError, ValueError):
        return []
    return [(s.coverage, [year if year is not None else s.default_year,
                          (str(la).strip() if la is not None else s.default_la) if s.las else None])
            for s in specs if s.coverage]


def plan(
    *,
    year: int | None = None,
    la: str | None = None,
    only: list[str] | None = None,
    params: dict[str, Any] | None = None,
    specs: list[NotebookSpec] | None = None,
) -> tuple[list[Job], list[str]]:
    """The jobs to run and notes on notebooks skipped, with the reason (e.g. no Progress 8 that year).

    Raises ParameterError, naming the parameter and the valid choices, for an unknown notebook, year, LA or
    parameter, a value outside its allowed ones, or when nothing can run.
    """
    notes: list[str] = []
    jobs = list(iter_plan(year=year, la=la, only=only, params=params, specs=specs, notes=notes))
    return jobs, notes


def iter_plan(
    *,
    year: int | None = None,
    la: str | None = None,
    only: list[str] | None = None,
    params: dict[str, Any] | None = None,
    specs: list[NotebookSpec] | None = None,
    notes: list[str] | None = None,
    first: Callable[[NotebookSpec], float] | None = None,
) -> Iterator[Job]:
    """:func:`plan`, one notebook at a time: each notebook's jobs are yielded as soon as its coverage is known
    (the runner starts them while the rest are checked: a coverage check may parse a whole dataset), the skipped
    ones' reasons appended to ``notes``. ``first`` orders the notebooks (smallest first; default: as listed).
    What is checked across notebooks (unknown notebook, LA or parameter) is checked before the first job."""
    notes = notes if notes is not None else []
    specs = specs or load_specs()
    by_name = {s.name: s for s in specs}
    params = dict(params or {})
    if only:
        unknown = [n for n in only if n not in by_name]
        if unknown:
            raise ParameterError(f"--only: unknown notebook(s) {unknown}; valid: {', '.join(by_name)}")
        chosen = [by_name[n] for n in only]
    else:
        chosen = list(specs)
    if first is not None:
        chosen.sort(key=first)  # stable: ties keep the listed order
    year = None if year is None else _year(year)
    if la is not None:
        la = str(la).strip()
        takes_la = [s for s in chosen if s.las]
        if not takes_la:
            raise ParameterError(f"--la: none of {', '.join(s.name for s in chosen)} takes an LA parameter")
        known = {code: name for s in takes_la for code, name in valid_las(s).items()}
        if la not in known:
            import pandas as pd

            from ..data import reference

            reference.validate_la(la, pd.DataFrame({"la_code": list(known), "la_name": list(known.values())}),
                                  what="--la")
    unused = sorted(set(params) - {p for s in chosen for p in notebook_parameters(s)})
    if unused:
        valid = sorted({p for s in chosen for p in notebook_parameters(s)} - {"year"})
        raise ParameterError(f"parameter(s) {unused} are not parameters of the selected notebooks; valid: {valid}")

    planned = 0
    refused: dict[str, list[str]] = {}
    listed = {s.name: i for i, s in enumerate(specs)}
    skipped: list[tuple[int, str]] = []  # noted in the listed order, whatever order the checks ran in
    for s in chosen:
        declared = notebook_parameters(s)
        job_year = year if year is not None else s.default_year
        job_la = (la if la is not None else s.default_la) if "la" in declared else None
        if la is not None and s.las and la not in valid_las(s):
            reason = f"its data do not cover LA {la}"
        else:
            reason = coverage_reason(s, job_year, job_la)
        if reason:
            if only:
                raise ParameterError(f"{s.name} cannot run for {job_year}" + (f", LA {job_la}" if job_la else "")
                                     + f": {reason}")
            skipped.append((listed[s.name], f"{s.name}: skipped: {reason}"))
            refused.setdefault(reason, []).append(s.name)
            continue
        base: dict[str, Any] = {"year": job_year}
        if job_la is not None:
            base["la"] = job_la
        for name, value in params.items():
            if name in declared:
                base[name] = validate_parameter(s, name, coerce_parameter(s, name, value), year=job_year,
                                                la=job_la)
        runs = [(base, False)]
        for extra in s.also_run:  # declared extra runs, unless the user chose those parameters himself
            if not set(extra) & set(params):
                checked = {k: validate_parameter(s, k, coerce_parameter(s, k, v), year=job_year, la=job_la)
                           for k, v in extra.items()}
                runs.append(({**base, **checked}, True))
        jobs = []
        for parameters, declared_run in runs:
            name, _ = report_set(s, job_year, parameters)
            jobs.append(Job(spec=s, year=job_year, parameters=parameters, report_set=name, declared=declared_run))
        planned += len(jobs)
        yield from jobs  # after every check of this notebook: a refused parameter starts none of its runs
    notes.extend(note for _, note in sorted(skipped))
    if not planned:
        where = (f" for {year}" if year is not None else "") + (f", LA {la}" if la is not None else "")
        raise ParameterError(f"nothing can run{where}: "
                             + "; ".join(f"{', '.join(names)}: {reason}" for reason, names in refused.items()))
