import json
import threading

import pytest

from analysis.data import sources
from analysis.pipeline import params, plan, runner
from analysis.pipeline import specs as nbspecs
from analysis.errors import ParameterError, RunError
from analysis import findings
from analysis.pipeline import cache


@pytest.fixture(scope="module")
def specs():
    return nbspecs.load_specs()


class TestNotebookParameters:
    def test_every_notebook_declares_year_and_parses_fully(self, specs):
        for spec in specs:
            declared = nbspecs.notebook_parameters(spec)  # raises if a line is not parsed
            assert declared["year"] == "int", spec.name

    def test_codes_stay_strings(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        assert params.coerce_parameter(spec, "la", "330") == "330"
        assert params.coerce_parameter(spec, "year", "2019") == 2019

    def test_unknown_parameter_lists_valid_ones(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        with pytest.raises(ParameterError, match="its parameters are: year, la"):
            params.coerce_parameter(spec, "colour", "red")

    def test_wrong_type(self, specs):
        spec = next(s for s in specs if s.name == "01_la_vs_national_p8")
        with pytest.raises(ParameterError, match="expects int, got 'soon'"):
            params.coerce_parameter(spec, "year", "soon")


class TestWarmImports:
    def test_every_module_named_is_installed(self, specs):
        """A misspelt entry would be skipped silently by the server (and cost its notebook the import)."""
        import importlib.util

        named = [(spec.name, m) for spec in specs for m in spec.warm_imports]
        assert named  # notebook 04's regressions at least
        assert [(n, m) for n, m in named if importlib.util.find_spec(m) is None] == []

    def test_only_a_run_with_the_notebook_asks_for_them(self, specs, monkeypatch, tmp_path):
        asked: list[set[str]] = []

        class Server:
            def warm(self, modules):
                asked[-1].update(modules)

            def prepare(self, calls):
                pass

        def planned(**kw):  # every check passes: one job per chosen notebook
            yield from (nbspecs.Job(s, 2017, {}, report_set="2017") for s in specs if s.name in kw["only"])

        monkeypatch.setattr("analysis.pipeline.forkserver.start", lambda: Server())
        monkeypatch.setattr(runner, "iter_plan", planned)
        monkeypatch.setattr(runner, "screen_raw_files", dict)
        monkeypatch.setattr(runner.NotebookPool, "submit", lambda self, job: None)  # nothing executes
        monkeypatch.setattr(runner.NotebookPool, "wait", lambda self: (_ for _ in ()).throw(KeyboardInterrupt))
        for only in (["01_la_vs_national_p8"], ["01_la_vs_national_p8", "04_code_breakers"]):
            asked.append(set())
            with pytest.raises(KeyboardInterrupt):
                runner.run(only=only, out=tmp_path / "out", use_cache=False, progress=False)
        wanted = set(next(s for s in specs if s.name == "04_code_breakers").warm_imports)
        assert asked == [set(), wanted]


class TestPlanWithoutData:
    def test_unknown_notebook(self, specs):
        with pytest.raises(ParameterError, match="--only: unknown notebook"):
            plan.plan(only=["99_nope"], specs=specs)


class TestCheck:
    def test_exit_flag_on_differs(self, tmp_path):
        (tmp_path / "2017").mkdir()
        (tmp_path / "2017" / "findings.json").write_text(
            '[{"id": "a", "key": "", "year": 2017, "label": "A", "value": 1, "published": 2,'
            ' "source": "s", "tolerance": 0, "status": "differs", "notebook": "n"}]'
        )
        text, differs = findings.check(tmp_path)
        assert differs and "DIFF a[] 2017: reproduced 1 | published 2" in text
        assert "tolerance ±0; why: no note recorded" in text  # every differing row says why, or that nobody did

    def test_values_at_the_reports_precision_with_the_note(self, tmp_path):
        from analysis.present import summary

        (tmp_path / "2014").mkdir()
        (tmp_path / "2014" / "findings.json").write_text(
            '[{"id": "p", "key": "england", "year": 2013, "label": "Extra as % of low attainers", "unit": "%",'
            ' "value": 388.965943, "published": 19, "source": "s", "tolerance": 0.5, "status": "differs",'
            ' "note": "Over current achievers.", "notebook": "n"}]'
        )
        text, _ = findings.check(tmp_path, fmt=summary.check_value)
        # a percentage is shown to 1 dp: 388.965943 -> 389.0, 19 -> 19.0
        assert "DIFF p[england] 2013: reproduced 389.0 | published 19.0" in text
        assert "tolerance ±0.5; why: Over current achievers." in text

    def test_no_findings_is_an_error(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="run `compendium run` first"):
            findings.check(tmp_path)


def _job(tmp_path, text="# %% [markdown]\n# A notebook\n", **parameters):
    notebook = tmp_path / "nb.py"
    if not notebook.exists() or text != notebook.read_text():
        notebook.write_text(text)
    spec = nbspecs.NotebookSpec(name="nb", title="t", default_year=2017, default_la=None, years="x:y", las=None,
                               path=notebook)
    return nbspecs.Job(spec=spec, year=2017, parameters={"year": 2017, **parameters})


def _previous_run(tmp_path, job, dependencies):
    """A year folder as a previous run leaves it: one output and a manifest entry with key and dependencies."""
    year_dir = tmp_path / "reports" / "2017"
    (year_dir / "findings").mkdir(parents=True)
    (year_dir / "findings" / "nb.json").write_text("[]")
    entry = {"cache_key": cache.cache_key(job, dependencies), "dependencies": dependencies, "seconds": 3.0,
             "outputs": ["findings/nb.json"]}
    (year_dir / "manifest.json").write_text(json.dumps({"notebooks": {"nb": entry}}))
    return year_dir


class TestReusable:
    """Reuse exactly when nothing the notebook read has changed (each input kind changed in turn)."""

    @pytest.fixture
    def setup(self, tmp_path):
        table = tmp_path / "table.csv"
        table.write_text("a\n1\n")
        deps = {"roles": ["lait"], "files": [str(table)], "modules": ["src/analysis/paths.py"], "sources": []}
        job = _job(tmp_path)
        return tmp_path, table, deps, _previous_run(tmp_path, job, deps)

    def test_unchanged_is_reused_with_the_previous_timing(self, setup):
        tmp_path, _, _, year_dir = setup
        job = _job(tmp_path)
        assert cache.reusable(job, year_dir)
        assert job.reused and job.seconds == 3.0 and job.outputs == ["findings/nb.json"]

    def test_a_changed_table_it_read(self, setup):
        tmp_path, table, _, year_dir = setup
        table.write_text("a\n2\n")
        assert not cache.reusable(_job(tmp_path), year_dir)

    def test_a_deleted_table_it_read(self, setup):
        tmp_path, table, _, year_dir = setup
        table.unlink()
        assert not cache.reusable(_job(tmp_path), year_dir)

    def test_a_changed_parameter_or_notebook_text(self, setup):
        tmp_path, _, _, year_dir = setup
        assert not cache.reusable(_job(tmp_path, la="330"), year_dir)
        assert not cache.reusable(_job(tmp_path, text="# %% [markdown]\n# A notebook, edited\n"), year_dir)

    def test_a_new_file_in_a_role_it_read_but_not_in_another_role(self, setup, monkeypatch):
        tmp_path, _, _, year_dir = setup
        registry = dict(sources.registry())
        lait = registry["lait_long"]
        other = next(s for s in registry.values() if s.role == "census")
        import dataclasses

        with_census_2018 = {**registry, "census_2018": dataclasses.replace(other, id="census_2018", year=2018)}
        monkeypatch.setattr(sources, "registry", lambda: with_census_2018)
        assert cache.reusable(_job(tmp_path), year_dir)  # census is not among its roles
        with_new_lait = {**registry, "lait_long": dataclasses.replace(lait, sha256="0" * 64)}
        monkeypatch.setattr(sources, "registry", lambda: with_new_lait)
        assert not cache.reusable(_job(tmp_path), year_dir)

    def test_a_changed_report_layout_re_exports_without_rerunning(self, setup):
        tmp_path, _, _, year_dir = setup
        manifest = json.loads((year_dir / "manifest.json").read_text())
        job = _job(tmp_path)
        manifest["notebooks"]["nb"]["export_key"] = cache.export_key(job.spec)
        (year_dir / "manifest.json").write_text(json.dumps(manifest))
        assert cache.reusable(job, year_dir) and not job.reexport
        manifest["notebooks"]["nb"]["export_key"] = "made by an older template"
        (year_dir / "manifest.json").write_text(json.dumps(manifest))
        job = _job(tmp_path)
        assert cache.reusable(job, year_dir) and job.reexport

    def test_missing_output_or_an_old_manifest_without_dependencies(self, setup):
        tmp_path, _, _, year_dir = setup
        (year_dir / "findings" / "nb.json").unlink()
        assert not cache.reusable(_job(tmp_path), year_dir)
        (year_dir / "manifest.json").write_text(json.dumps({"notebooks": {"nb": {"cache_key": "abc", "outputs": []}}}))
        assert not cache.reusable(_job(tmp_path), year_dir)


class TestCacheKey:
    def test_depends_on_the_module_sources_it_imported(self, tmp_path):
        job = _job(tmp_path)
        base = {"roles": [], "files": [], "modules": []}
        module = tmp_path / "module.py"
        module.write_text("x = 1\n")
        first = cache.cache_key(job, {**base, "modules": [str(module)]})
        module.write_text("x = 2\n")
        assert cache.cache_key(job, {**base, "modules": [str(module)]}) != first
        assert cache.cache_key(job, base) != first


class TestStartedWhilePlanning:
    def test_a_refusal_part_way_stops_what_started_and_leaves_nothing(self, specs, monkeypatch, tmp_path):
        """The first notebook is running when the second one's parameters are refused: the run raises the
        refusal, the running notebooks are stopped, and an output folder this run created is gone."""
        from analysis.errors import ParameterError

        events = []

        def planned(**kw):
            yield nbspecs.Job(specs[0], 2017, {}, report_set="2017")
            events.append("second notebook checked")
            raise ParameterError("02_la_comparisons: comparator: 'moon' is not one of ...")

        monkeypatch.setattr(runner, "iter_plan", planned)
        monkeypatch.setattr(runner, "screen_raw_files", dict)
        monkeypatch.setattr("analysis.pipeline.forkserver.start", lambda: None)
        monkeypatch.setattr(runner.NotebookPool, "submit", lambda self, job: (events.append(f"started {job.spec.name}"),
                                                                            self.build_root()))
        monkeypatch.setattr(runner.NotebookPool, "abort", lambda self: (events.append("stopped"), self.close()))
        out = tmp_path / "reports"
        with pytest.raises(ParameterError, match="comparator: 'moon'"):
            runner.run(out=out, use_cache=False, progress=False)
        assert events == [f"started {specs[0].name}", "second notebook checked", "stopped"]
        assert not out.exists()


class TestForkServerPrepare:
    @pytest.mark.skipif(not __import__("analysis.pipeline.forkserver", fromlist=["x"]).available(),
                        reason="no fork server on this platform")
    def test_the_calls_are_made_in_a_child_and_nothing_is_written_to_the_pipe(self, tmp_path):
        import os
        import select
        import time

        from analysis.pipeline import forkserver

        server = forkserver.ForkServer()
        try:
            made, failed_first = tmp_path / "made", tmp_path / "missing" / "deeper"
            # a failing call is skipped, the next still made
            server.prepare([("os:mkdir", [str(failed_first)]), ("os:mkdir", [str(made)])])
            deadline = time.monotonic() + 60
            while not made.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert made.is_dir() and not failed_first.exists()
            fd, seen = server._process.stdout.fileno(), b""  # the raw pipe: nothing buffered out of select's sight
            while select.select([fd], [], [], 0.5)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                seen += chunk
            assert seen == b"ready\n"  # no reply to the request, no stray output from the child
        finally:
            server.close()


class TestKillAll:
    def test_a_run_kills_only_its_own_kernels_and_one_still_starting_stays_listed(self, monkeypatch):
        from analysis.pipeline import kernels

        class Process:
            def __init__(self):
                self.alive = True

            def poll(self):
                return None if self.alive else 0

            def kill(self):
                self.alive = False

        class Manager:
            def __init__(self, owner, process):
                self.owner = owner
                self.provisioner = type("P", (), {"process": process})()

        mine, other = object(), object()
        running, starting, theirs = Manager(mine, Process()), Manager(mine, None), Manager(other, Process())
        monkeypatch.setattr(kernels, "_live", {running, starting, theirs})
        assert kernels.kill_all(mine) == 1
        assert not running.provisioner.process.alive and theirs.provisioner.process.alive
        assert kernels._live == {starting, theirs}  # the one without a process yet is killed on a later call
        starting.provisioner.process = Process()
        assert kernels.kill_all(mine) == 1 and kernels._live == {theirs}


class TestForkServerProtocol:
    def test_a_forked_child_never_returns_into_the_servers_loop(self):
        import os

        from analysis.pipeline import forkserver

        def failing(request):
            raise FileNotFoundError(request["log"])  # e.g. its log folder was removed by a stopped run

        pid = os.fork()
        if pid == 0:
            try:
                forkserver._in_child(failing, {"log": "/gone/kernel.log"})
            finally:
                os._exit(99)  # reached only if _in_child returned or raised
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 1

    def test_a_no_reply_request_is_written_while_a_kernel_request_waits_for_the_server(self):
        import io

        from analysis.pipeline import forkserver

        server = object.__new__(forkserver.ForkServer)
        server._lock, server._write, server._ready = threading.Lock(), threading.Lock(), False
        server._process = type("P", (), {"stdin": io.StringIO(), "poll": lambda self: None})()
        with server._lock:  # what spawn holds while it waits for "ready"
            writer = threading.Thread(target=server.warm, args=(["json"],))
            writer.start()
            writer.join(timeout=5)
            assert not writer.is_alive()
        assert server._process.stdin.getvalue() == '{"import": ["json"]}\n'


class TestStoppedBuildFolders:
    def test_a_folder_written_after_the_stop_is_removed_before_the_command_exits(self, tmp_path):
        """A notebook thread past its start when the run stopped writes into the folder the stop removed (seen
        in a Ctrl-C test: a '.build-*' folder left behind): the command removes it again just before it exits."""
        from analysis.pipeline import pool as pool_module

        stopped = pool_module.NotebookPool(tmp_path, lambda job, root, cells: job, jobs=1, progress=False,
                                           show_cells=False)
        root = stopped.build_root()
        stopped.abort()
        assert not root.exists()
        (root / "2017" / "notebooks").mkdir(parents=True)  # what the late thread does (atomic_write's mkdir)
        (root / "2017" / "notebooks" / "x.ipynb").write_text("{}")
        running = pool_module.NotebookPool(tmp_path, lambda job, root, cells: job, jobs=1, progress=False,
                                           show_cells=False)
        other = running.build_root()  # a run not stopped keeps its folder
        pool_module.remove_stopped_build_folders()
        assert not root.exists() and other.exists()
        running.close()


class TestExportThread:
    """A finished notebook's export runs in the pool's export thread, so the lane starts its next notebook."""

    @staticmethod
    def _job(name):
        from types import SimpleNamespace

        return SimpleNamespace(spec=SimpleNamespace(name=name), seconds=0.0)

    def test_the_next_notebook_starts_while_the_last_one_is_exported(self, tmp_path):
        from analysis.pipeline import pool as pool_module

        second_started = threading.Event()
        exported = []

        def execute(job, root, cells):
            if job.spec.name == "b":
                second_started.set()
            return job

        def export(job, root):
            # one lane (jobs=1): were the export on the lane, "b" could not start until this returned
            if job.spec.name == "a":
                assert second_started.wait(timeout=10), "the next notebook waited for the export"
            exported.append(job.spec.name)

        pool = pool_module.NotebookPool(tmp_path, execute, jobs=1, progress=False, show_cells=False, export=export)
        for name in ("a", "b"):
            pool.submit(self._job(name))
        pool.wait()
        pool.close()
        assert exported == ["a", "b"]

    def test_a_failed_export_fails_the_run(self, tmp_path):
        from analysis.pipeline import pool as pool_module

        def export(job, root):
            raise RunError(f"{job.spec.name}: export failed")

        pool = pool_module.NotebookPool(tmp_path, lambda job, root, cells: job, jobs=1, progress=False,
                                        show_cells=False, export=export)
        pool.submit(self._job("a"))
        with pytest.raises(RunError, match="a: export failed"):
            pool.wait()
        pool.abort()
