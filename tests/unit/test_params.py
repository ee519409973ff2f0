"""Parameters are typed by the notebook, their allowed values declared once (notebooks.yml), checked before start;
a run with other parameters writes its own report set."""

from __future__ import annotations

import pytest

from analysis.errors import ParameterError
from analysis.pipeline import params, plan
from analysis.pipeline.specs import NotebookSpec

CELL = """# %% tags=["parameters"]
year: int = 2017  # academic year END
la: str = "330"  # LA code
comparator: str = "core_cities"  # a group
min_pupils: int = 0  # fewest pupils
sector: str = "mainstream"  # a filter, None for none
weights: dict = {"a": 0.5, "b": 0.5}  # factor weights
thresholds: list = [1, 6]  # cohorts
pupil_file: str = ""  # a file

# %%
x = 1
"""


@pytest.fixture
def spec(tmp_path, monkeypatch):
    notebook = tmp_path / "nb.py"
    notebook.write_text(CELL)
    monkeypatch.setenv("COMPENDIUM_PROCESSED_DIR", str(tmp_path / "processed"))
    rules = {
        "comparator": {"choices": ["core_cities", "region"], "or_la_codes": True},
        "min_pupils": {"minimum": 0},
        "sector": {"choices": ["mainstream", "special"], "none": True},
        "weights": {"keys": ["a", "b"], "minimum": 0},
        "thresholds": {"minimum": 1},
        "pupil_file": {"file": True},
    }
    s = NotebookSpec("nb", "t", 2017, "330", "x:y", None, path=notebook, rules=rules)
    monkeypatch.setattr(params, "valid_las", lambda _: {"330": "Birmingham", "331": "Coventry"})
    return s


def check(spec, name, text):
    return params.validate_parameter(spec, name, params.coerce_parameter(spec, name, text), year=2017, la="330")


class TestCoerceAndValidate:
    def test_types_follow_the_parameters_cell(self, spec):
        assert check(spec, "min_pupils", "10") == 10
        assert check(spec, "thresholds", "[1, 10]") == [1, 10]
        assert check(spec, "weights", '{"a": 1, "b": 0}') == {"a": 1, "b": 0}
        assert check(spec, "la", "331") == "331"  # a code declared str stays a string

    def test_a_value_of_the_wrong_type_is_named(self, spec):
        with pytest.raises(ParameterError, match="parameter 'min_pupils' of nb expects int, got 'many'"):
            check(spec, "min_pupils", "many")

    def test_choices_and_la_codes(self, spec):
        assert check(spec, "comparator", "region") == "region"
        assert check(spec, "comparator", "330,331") == "330,331"
        with pytest.raises(ParameterError, match=r"comparator of nb: 'moon' is not allowed; expected one of "
                                                 r"core_cities, region or a comma-separated list"):
            check(spec, "comparator", "moon")
        with pytest.raises(ParameterError, match=r"names LA codes \['999'\] that are not in the data"):
            check(spec, "comparator", "330,999")

    def test_bounds_for_numbers_list_items_and_dict_values(self, spec):
        with pytest.raises(ParameterError, match="-5 is below the minimum 0.*default 0"):
            check(spec, "min_pupils", "-5")
        with pytest.raises(ParameterError, match="below the minimum 1"):
            check(spec, "thresholds", "[0, 6]")
        with pytest.raises(ParameterError, match="below the minimum 0"):
            check(spec, "weights", '{"a": -1, "b": 2}')

    def test_dict_keys_and_none(self, spec):
        with pytest.raises(ParameterError, match=r"has unknown keys \['c'\]"):
            check(spec, "weights", '{"a": 1, "c": 1}')
        assert check(spec, "sector", "None") is None

    def test_file_must_exist(self, spec, tmp_path):
        assert check(spec, "pupil_file", "") == ""
        with pytest.raises(ParameterError, match="is not an existing file"):
            check(spec, "pupil_file", str(tmp_path / "missing.csv"))

    def test_unknown_parameter_lists_the_notebooks_own(self, spec):
        with pytest.raises(ParameterError, match="its parameters are: year, la, comparator"):
            params.coerce_parameter(spec, "colour", "red")


class TestReportSet:
    def test_defaults_go_to_the_year_and_variants_to_their_own_set(self, spec):
        assert plan.report_set(spec, 2019, {"year": 2019, "la": "330"}) == ("2019", {})
        name, changed = plan.report_set(spec, 2017, {"year": 2017, "la": "320", "comparator": "region"})
        assert name == "2017--comparator-region--la-320" and changed == {"comparator": "region", "la": "320"}

    def test_a_long_variant_name_is_shortened_but_stays_distinct(self, spec):
        a = plan.report_set(spec, 2017, {"year": 2017, "comparator": ",".join(str(300 + i) for i in range(40))})[0]
        b = plan.report_set(spec, 2017, {"year": 2017, "comparator": ",".join(str(301 + i) for i in range(40))})[0]
        assert len(a) < 90 and a != b and a.startswith("2017--comparator-")


class TestPlan:
    def test_bad_year_is_refused_in_words(self, spec):
        with pytest.raises(ParameterError, match="--year: 'abc' is not a year"):
            plan.plan(year="abc", specs=[spec])

    def test_a_notebook_that_cannot_run_is_skipped_with_its_reason(self, spec, monkeypatch):
        other = NotebookSpec("other", "t", 2017, None, "x:y", None, path=spec.path)
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: "no data that year" if s.name == "nb" else None)
        jobs, notes = plan.plan(specs=[spec, other])
        assert [j.spec.name for j in jobs] == ["other"] and notes == ["nb: skipped: no data that year"]
        with pytest.raises(ParameterError, match="nb cannot run for 2017, LA 330: no data that year"):
            plan.plan(only=["nb"], specs=[spec, other])

    def test_nothing_to_run_names_every_reason(self, spec, monkeypatch):
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: "exams cancelled")
        with pytest.raises(ParameterError, match="nothing can run for 2020: nb: exams cancelled"):
            plan.plan(year=2020, specs=[spec])

    def test_declared_extra_runs_get_their_own_set(self, spec, monkeypatch):
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: None)
        extra = NotebookSpec("nb", "t", 2017, "330", "x:y", None, path=spec.path, rules=spec.rules,
                             also_run=({"comparator": "region"},))
        jobs, _ = plan.plan(specs=[extra])
        assert [(j.report_set, j.declared) for j in jobs] == [("2017", False), ("2017--comparator-region", True)]
        # a comparator the user chose himself replaces the declared extra run
        jobs, _ = plan.plan(specs=[extra], params={"comparator": "330,331"})
        assert [j.report_set for j in jobs] == ["2017--comparator-330,331"]

    def test_each_notebook_is_yielded_once_checked_in_the_order_asked(self, spec, monkeypatch):
        """iter_plan checks one notebook, hands over its jobs, then checks the next (the runner starts each
        while the rest are checked): a coverage check never runs before the previous notebook's jobs are out."""
        other = NotebookSpec("other", "t", 2017, None, "x:y", None, path=spec.path)
        events = []
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: events.append(f"check {s.name}"))
        seconds = {"nb": 2.0, "other": 9.0}
        for job in plan.iter_plan(specs=[spec, other], first=lambda s: -seconds[s.name]):  # longest first
            events.append(f"run {job.spec.name}")
        assert events == ["check other", "run other", "check nb", "run nb"]

    def test_a_refusal_part_way_comes_after_the_jobs_already_planned(self, spec, monkeypatch):
        other = NotebookSpec("other", "t", 2017, None, "x:y", None, path=spec.path)
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: "no data" if s.name == "nb" else None)
        planning = plan.iter_plan(only=["other", "nb"], specs=[spec, other])
        assert next(planning).spec.name == "other"
        with pytest.raises(ParameterError, match="nb cannot run for 2017, LA 330: no data"):
            next(planning)

    def test_skipped_notebooks_are_noted_in_the_listed_order_whatever_order_they_were_checked_in(self, spec,
                                                                                                   monkeypatch):
        first, second = (NotebookSpec(n, "t", 2017, None, "x:y", None, path=spec.path) for n in ("a_first", "b_second"))
        monkeypatch.setattr(plan, "coverage_reason", lambda s, y, la: None if s.name == "nb" else "no data")
        notes: list[str] = []
        jobs = list(plan.iter_plan(specs=[first, second, spec], notes=notes, first=lambda s: -len(s.name)))
        assert [j.spec.name for j in jobs] == ["nb"]
        assert notes == ["a_first: skipped: no data", "b_second: skipped: no data"]  # checked b_second first
