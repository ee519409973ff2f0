"""Notebook parameters: typed by the notebook's parameters cell, their allowed values declared once in
``notebooks/notebooks.yml``, and checked here before any notebook starts.

A rule may say (all optional):

* ``choices``: a list, or ``module:NAME`` naming the library constant that holds them (declared once);
* ``or_la_codes``: also accept a comma-separated list of LA codes the notebook's data know;
* ``none``: also accept None (``None``, ``none`` or an empty string on the command line);
* ``minimum`` / ``maximum``: bounds for a number (for a list, for each item; for a dict, for each value);
* ``keys``: ``module:NAME`` of the allowed keys of a dict;
* ``file``: the value is a path that must exist (an empty string means none);
* ``check``: ``module:function(value, year, la)`` returning None or why the value cannot be used (for a
  rule that depends on the data, such as an LA without statistical neighbours).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

from .. import paths
from ..errors import ParameterError
from .specs import NotebookSpec, notebook_parameters, parameter_defaults, valid_las


def _resolve(ref: Any) -> Any:
    """A ``module:NAME`` reference to the library object it names (anything else as it is)."""
    if isinstance(ref, str) and ":" in ref and ref.split(":")[0].startswith("analysis"):
        module, name = ref.split(":")
        return getattr(importlib.import_module(module), name)
    return ref


def coerce_parameter(spec: NotebookSpec, name: str, value: Any) -> Any:
    """Convert a command-line string to the parameter's declared type; codes declared ``str`` stay strings."""
    declared = notebook_parameters(spec)
    if name not in declared:
        raise ParameterError(
            f"parameter {name!r} is not a parameter of {spec.name}; its parameters are: {', '.join(declared)}"
        )
    kind = declared[name].split("[")[0].strip().lower()
    rule = spec.rules.get(name, {})
    if isinstance(value, str) and rule.get("none") and value.strip().lower() in ("none", "null", ""):
        return None
    if not isinstance(value, str):
        return value
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in ("true", "1", "yes"):
                return True
            if value.lower() in ("false", "0", "no"):
                return False
            raise ValueError(value)
        parsed = yaml.safe_load(value)
        if kind == "list" and not isinstance(parsed, list):
            parsed = [parsed] if not isinstance(parsed, str) else [p.strip() for p in parsed.split(",")]
        if kind == "dict" and not isinstance(parsed, dict):
            raise ValueError(value)
        return parsed
    except (ValueError, yaml.YAMLError):
        raise ParameterError(f"parameter {name!r} of {spec.name} expects {declared[name]}, got {value!r}") from None


def describe_rule(spec: NotebookSpec, name: str) -> str:
    """The allowed values of a parameter in words (for errors and ``compendium choices``)."""
    rule = spec.rules.get(name, {})
    parts = []
    if "choices" in rule:
        parts.append("one of " + ", ".join(map(str, _resolve(rule["choices"]))))
    if rule.get("or_la_codes"):
        parts.append('a comma-separated list of LA codes such as "330,331"')
    if rule.get("none"):
        parts.append("None (no filter)")
    if "minimum" in rule or "maximum" in rule:
        low, high = rule.get("minimum"), rule.get("maximum")
        parts.append(f"a number {'>= ' + str(low) if low is not None else ''}"
                     f"{' and ' if low is not None and high is not None else ''}"
                     f"{'<= ' + str(high) if high is not None else ''}".strip())
    if "keys" in rule:
        parts.append("keys among " + ", ".join(map(str, _resolve(rule["keys"]))))
    if rule.get("file"):
        parts.append("the path of an existing file, or empty for none")
    return " or ".join(parts) if parts else f"any {notebook_parameters(spec).get(name, 'value')}"


def validate_parameter(spec: NotebookSpec, name: str, value: Any, *, year: int, la: str | None) -> Any:
    """``value`` (already coerced) if the parameter's rule allows it; else a ParameterError naming the parameter,
    the value, the allowed values and the default."""
    rule = spec.rules.get(name, {})

    def refuse(why: str = "") -> ParameterError:
        default = parameter_defaults(spec).get(name)
        return ParameterError(f"parameter {name} of {spec.name}: {value!r} {why or 'is not allowed'}; expected "
                              f"{describe_rule(spec, name)} (default {default!r})")

    if value is None:
        if rule.get("none"):
            return None
        raise refuse()
    if "choices" in rule:
        choices = [str(c) for c in _resolve(rule["choices"])]
        if str(value) not in choices:
            codes = [c.strip().zfill(3) for c in str(value).split(",") if c.strip()]
            known = valid_las(spec)
            if not (rule.get("or_la_codes") and codes and all(c.isdigit() for c in codes)):
                raise refuse("is not allowed")
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise refuse(f"names LA codes {unknown} that are not in the data")
    numbers = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
    for number in numbers:
        if "minimum" in rule and (not isinstance(number, (int, float)) or number < rule["minimum"]):
            raise refuse(f"is below the minimum {rule['minimum']}" if isinstance(number, (int, float)) else "")
        if "maximum" in rule and isinstance(number, (int, float)) and number > rule["maximum"]:
            raise refuse(f"is above the maximum {rule['maximum']}")
    if "keys" in rule and isinstance(value, dict):
        unknown = sorted(set(value) - set(_resolve(rule["keys"])))
        if unknown:
            raise refuse(f"has unknown keys {unknown}")
    if rule.get("file") and value:
        file = Path(value) if Path(value).is_absolute() else paths.PROJECT_ROOT / value
        if not file.is_file():
            raise refuse("is not an existing file")
    if "check" in rule:
        problem = _resolve(rule["check"])(value, year, la)
        if problem:
            raise refuse(problem)
    return value
