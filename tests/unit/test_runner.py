import pytest

from analysis import runner
from analysis.reference import ParameterError


@pytest.fixture(scope="module")
def specs():
    return runner.load_specs()


class TestNotebookParameters:
    def test_every_notebook_declares_year_and_parses_fully(self, specs):
        for spec in specs:
            declared = runner.notebook_parameters(spec)  # raises if a line is not parsed
            assert declared["year"] == "int", spec.name

    def test_codes_stay_strings(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        assert runner.coerce_parameter(spec, "la", "330") == "330"
        assert runner.coerce_parameter(spec, "year", "2019") == 2019

    def test_unknown_parameter_lists_valid_ones(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        with pytest.raises(ParameterError, match="its parameters are: year, la"):
            runner.coerce_parameter(spec, "colour", "red")

    def test_wrong_type(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        with pytest.raises(ParameterError, match="expects int, got 'soon'"):
            runner.coerce_parameter(spec, "year", "soon")


class TestPlanWithoutData:
    def test_unknown_notebook(self, specs):
        with pytest.raises(ParameterError, match="--only: unknown notebook"):
            runner.plan(only=["99_nope"], specs=specs)


class TestCheck:
    def test_exit_flag_on_differs(self, tmp_path):
        (tmp_path / "2017").mkdir()
        (tmp_path / "2017" / "findings.json").write_text(
            '[{"id": "a", "key": "", "year": 2017, "label": "A", "value": 1, "published": 2,'
            ' "source": "s", "tolerance": 0, "status": "differs", "notebook": "n"}]'
        )
        text, differs = runner.check(tmp_path)
        assert differs and "DIFF a[] 2017: reproduced 1 | published 2" in text

    def test_no_findings_is_an_error(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="run `compendium run` first"):
            runner.check(tmp_path)
