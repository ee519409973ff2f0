"""Planning a run: every notebook, year, LA and parameter checked before the first notebook starts."""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError
from .specs import Job, NotebookSpec, coerce_parameter, load_specs, notebook_parameters, valid_las, valid_years


def plan(
    *,
    year: int | None = None,
    la: str | None = None,
    only: list[str] | None = None,
    params: dict[str, Any] | None = None,
    specs: list[NotebookSpec] | None = None,
) -> tuple[list[Job], list[str]]:
    """The jobs to run and notes on notebooks skipped (e.g. no data for that year).

    Raises ParameterError, naming the parameter and the valid choices, for an unknown notebook, year, LA or
    parameter.
    """
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

    notes: list[str] = []
    jobs: list[Job] = []
    if year is not None:
        year = int(year)
        supported = [s for s in chosen if year in valid_years(s)]
        if not supported:
            all_years = sorted({y for s in chosen for y in valid_years(s)})
            raise ParameterError(f"--year: {year} is not in the data; valid years: {', '.join(map(str, all_years))}")
        for s in chosen:
            if s not in supported:
                if only:
                    raise ParameterError(
                        f"--year: {year} is not available for {s.name}; valid years: "
                        f"{', '.join(map(str, valid_years(s)))}"
                    )
                notes.append(f"{s.name}: skipped, its data cover {', '.join(map(str, valid_years(s)))}, not {year}")
        chosen = supported
    if la is not None:
        la = str(la).strip()
        takes_la = [s for s in chosen if s.las]
        if not takes_la:
            raise ParameterError(f"--la: none of {', '.join(s.name for s in chosen)} takes an LA parameter")
        ok = [s for s in takes_la if la in valid_las(s)]
        if not ok:
            examples = ", ".join(f"{c} ({n})" for c, n in list(valid_las(takes_la[0]).items())[:6])
            raise ParameterError(
                f"--la: {la!r} is not a local authority code in the data; expected a 3-digit DfE LA code such as "
                f"{examples} ... (`compendium choices` lists them all)"
            )
        for s in takes_la:
            if s not in ok:
                if only:
                    raise ParameterError(f"--la: {la} is not covered by the data of {s.name}")
                notes.append(f"{s.name}: skipped, its data do not cover LA {la}")
        chosen = [s for s in chosen if s in ok or not s.las]

    used_params: set[str] = set()
    for s in chosen:
        declared = notebook_parameters(s)
        job_year = year if year is not None else s.default_year
        job_params: dict[str, Any] = {"year": job_year}
        if "la" in declared and (la is not None or s.default_la is not None):
            job_params["la"] = la if la is not None else s.default_la
        for name, value in params.items():
            if name in declared:
                job_params[name] = coerce_parameter(s, name, value)
                used_params.add(name)
        jobs.append(Job(spec=s, year=job_year, parameters=job_params))
    unused = sorted(set(params) - used_params)
    if unused:
        valid = sorted({p for s in chosen for p in notebook_parameters(s)})
        raise ParameterError(f"parameter(s) {unused} are not parameters of the selected notebooks; valid: {valid}")
    return jobs, notes
