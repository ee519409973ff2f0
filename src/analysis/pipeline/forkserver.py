"""Warm kernels: a fork server that has done every notebook's heavy imports once, and forks a kernel per notebook.

A fresh ``python -m ipykernel_launcher`` spends about 2 s starting and a notebook's first cell about 1.5 s more
importing pandas, pandera, matplotlib and the library: on two cores and seven notebook runs that was a third of a
cold reproduce. The server (``python -m analysis.pipeline.forkserver``) is started when a run begins, so its
imports overlap the planning and screening (it says it is ready after what every notebook needs, 2.5 s, and
imports what only some notebooks need, in runs that include them, while it waits for requests); each kernel is then an ``os.fork()`` of it
(copy-on-write, a few milliseconds) that becomes an ordinary ipykernel on the connection file it is given. The
notebooks run exactly as in a fresh kernel: same code, same environment variables, same working directory;
nothing but imports is done before the fork (no data read, no thread, no ZeroMQ context: those are not safe to
fork).

Linux only (``os.fork`` of a process that imported numpy is safe there); elsewhere, or with
``COMPENDIUM_NO_FORKSERVER=1``, kernels start the usual way. The protocol is one JSON line per request on the
server's stdin (the kernel's argv, environment, working directory and log file) and one JSON line back (its pid).
Two requests get no reply: ``import`` (modules only some notebooks need, imported between requests) and
``call`` (library calls made at once in a forked child: the plan's coverage checks, which build tidy tables from
whole datasets, made on the other core while the runner plans).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

DISABLE_ENV = "COMPENDIUM_NO_FORKSERVER"
#: modules every notebook imports (directly or through the library), imported once by the server. Not the inline
#: backend (matplotlib_inline): it hooks itself into IPython when first imported, so the kernel must import it.
#: ipykernel.debugger: every kernel imports it as it starts (debugpy, 0.2 s each, less when imported early).
#: hypothesis: pandera imports it on a kernel's first validation.
WARM_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "matplotlib.pyplot",
                "matplotlib.backends.backend_agg", "pandas", "pandas.io.parquet", "pyarrow.parquet", "openpyxl",
                "filelock", "PIL.Image", "PIL.PngImagePlugin", "pandera.pandas", "pandera.backends.pandas.register",
                "hypothesis", "jinja2")
# What only some notebooks need (notebooks.yml ``warm_imports``: 04's statsmodels, 1.8 s) the runner asks for with
# :meth:`ForkServer.warm` once it knows the run includes them; the server imports them between requests, after it
# says it is ready, so they delay no kernel's start and cost nothing in runs without those notebooks. A kernel
# forked before they are done imports them itself.
# What the kernel itself would set before matplotlib is imported (ipykernel chooses the inline backend through
# this variable): the server imports matplotlib, so it must see the same value.
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def available() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and not os.environ.get(DISABLE_ENV)


class ForkServer:
    """The client side, in the runner: starts the server, asks it for kernels, stops it."""

    def __init__(self) -> None:
        env = {**os.environ, **KERNEL_ENV}
        self._process = subprocess.Popen(  # noqa: S603 (our own module, this interpreter)
            [sys.executable, "-m", "analysis.pipeline.forkserver"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)
        self._lock = threading.Lock()  # one kernel request and its reply at a time
        self._write = threading.Lock()  # one line at a time on the pipe (the no-reply requests take only this)
        self._ready = False

    def spawn(self, argv: list[str], *, env: dict[str, str], cwd: str, log: str) -> int:
        """A kernel forked from the warm server: ``argv`` the kernel command (``... -m ipykernel_launcher -f
        <connection file>``); returns its pid. Raises OSError if the server has gone."""
        request = {"argv": argv, "env": {**env, **KERNEL_ENV}, "cwd": cwd, "log": log}
        with self._lock:
            if self._process.poll() is not None:
                raise OSError("the kernel fork server has stopped")
            if not self._ready:  # the first request waits for the imports to finish
                if self._process.stdout.readline().strip() != "ready":
                    raise OSError("the kernel fork server did not start")
                self._ready = True
            with self._write:
                self._process.stdin.write(json.dumps(request) + "\n")
            reply = self._process.stdout.readline()
        if not reply:
            raise OSError("the kernel fork server stopped while starting a kernel")
        return int(json.loads(reply)["pid"])

    def prepare(self, calls: list[tuple[str, list]]) -> None:
        """Ask the server to make these library calls (``"module:function"``, arguments) in a child of its own,
        at once, while the run is planned here: the coverage checks a run makes build tidy tables from whole
        datasets (the parquet cache's lock per table makes whichever process comes second read the first's
        table). No reply; a call that fails is skipped (the plan makes it again and reports why)."""
        if not calls:
            return
        self._send({"call": [list(c) for c in calls], "env": dict(os.environ), "cwd": os.getcwd()})

    def warm(self, modules: list[str]) -> None:
        """Ask the server to import ``modules`` between requests (no reply; an unknown module is skipped)."""
        if modules:
            self._send({"import": list(modules)})

    def _send(self, request: dict) -> None:
        """A no-reply request: written at once, even while a kernel request waits for the server to be ready; a
        server that has gone is no error (these only save time)."""
        with self._write:
            if self._process.poll() is None:
                try:
                    self._process.stdin.write(json.dumps(request) + "\n")
                except (OSError, ValueError):  # the pipe closed under us
                    pass

    def close(self) -> None:
        """Stop the server at once (its kernels have shut down by now; they are not its process group)."""
        if self._process.poll() is None:
            self._process.kill()  # not a clean exit: tearing down pandas & co. would take half a second
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            pipe.close()


class ForkedProcess:
    """What jupyter_client's provisioner needs of a ``Popen`` for a kernel the server forked (it is the server's
    child, not ours: liveness is ``kill(pid, 0)``, and the server reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover (the pid was reused by someone else's process)
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_server: ForkServer | None = None
_server_lock = threading.Lock()


def start() -> ForkServer | None:
    """The process's fork server, started if forking is available and none is running (its imports begin at
    once); it stops when this process exits (its stdin closes) or at :func:`stop`."""
    global _server
    with _server_lock:
        if _server is not None and _server._process.poll() is not None:  # it died: start another
            _server = None
        if _server is None and available():
            _server = ForkServer()
            atexit.register(stop)
        return _server


def current() -> ForkServer | None:
    return _server


def stop() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None


# ----------------------------------------------------------------------------------------------- the server


def _reap(signum, frame) -> None:  # noqa: ARG001
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _in_child(work, request: dict) -> None:
    """Run ``work(request)`` in a forked child and exit: a child must never return into the server's loop, where
    it would read the runner's requests and answer them as a second server (e.g. when the log file it is given
    is in a build folder a stopped run has just removed)."""
    code = 1
    try:
        work(request)
        code = 0
    finally:
        os._exit(code)


def _as_requested(request: dict, log: str) -> None:
    """In a forked child: the request's environment and working directory, stdin from /dev/null and stdout and
    stderr to ``log`` (appended; '' = /dev/null), never the server's pipe to the runner."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if log else os.open(os.devnull, os.O_WRONLY)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(out, 1)
    os.dup2(out, 2)


def _kernel(request: dict) -> None:
    """In the forked child: become the kernel the request describes (as ``python -m ipykernel_launcher``)."""
    os.setsid()  # its own session and process group, as jupyter_client starts kernels
    _as_requested(request, request["log"])
    argv = list(request["argv"])
    module_at = argv.index("-m") if "-m" in argv else None
    args = argv[module_at + 2:] if module_at is not None else argv[1:]
    # No command history: a report's kernel runs each cell once, and IPython's SQLite history costs its start-up.
    args = [*args, "--HistoryManager.enabled=False"]
    sys.argv = ["ipykernel_launcher", *args]  # as a launched kernel sees it
    from ipykernel import kernelapp

    # this module as an IPython extension: it redoes what an import inside a kernel would have done
    kernelapp.IPKernelApp.launch_instance(argv=args, extensions=[__name__ if __name__ != "__main__" else
                                                                 "analysis.pipeline.forkserver"])


def _calls(request: dict) -> None:
    """In a forked child: the library calls of a :meth:`ForkServer.prepare` request, then exit. Its output goes
    nowhere (the server's stdout is the runner's pipe)."""
    import importlib

    _as_requested(request, "")
    for ref, args in request["call"]:
        module, name = ref.split(":")
        try:
            getattr(importlib.import_module(module), name)(*args)
        except Exception:  # noqa: BLE001, S112 (the plan makes the same call and reports the error)
            continue


def load_ipython_extension(ipython) -> None:  # noqa: ARG001
    """In a forked kernel, once its IPython shell exists: the import-time hooks the server's imports could not
    set (there was no shell then). The presentation layer routes every displayed DataFrame through its
    formatter when imported in a kernel (:func:`analysis.present.tables.install`)."""
    if "analysis.present" in sys.modules:
        from analysis.present import tables

        tables.install()


def serve() -> None:
    import importlib

    # As ipykernel_launcher does: `python -m` put the working directory first on sys.path; a kernel must not
    # import a stray local file in place of a module.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]

    for name in WARM_MODULES:
        _import_quietly(name)
    import analysis

    for path in sorted(Path(analysis.__file__).parent.rglob("*.py")):  # the library's own modules
        parts = path.relative_to(Path(analysis.__file__).parent.parent).with_suffix("").parts
        if "pipeline" in parts or parts[-1].startswith("_probe"):
            continue  # notebooks never import the pipeline
        importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    if any("backend_inline" in name for name in sys.modules):  # see WARM_MODULES
        raise RuntimeError("the fork server imported matplotlib_inline: kernels would show no charts")
    signal.signal(signal.SIGCHLD, _reap)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    later: list[str] = []
    # Requests are read straight from the pipe (not through sys.stdin's buffer, which select cannot see into):
    # a request waiting is served first; with none waiting, the next module asked for by a warm request is
    # imported. Forks happen only between imports, in this one thread.
    fd, buffer = sys.stdin.fileno(), b""
    while True:
        if b"\n" not in buffer and later and not select.select([fd], [], [], 0)[0]:
            _import_quietly(later.pop(0))
            continue
        while b"\n" not in buffer:
            chunk = os.read(fd, 65536)
            if not chunk:
                return  # the runner closed the pipe: its run is over
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        request = json.loads(line)
        if "import" in request:
            later += [m for m in request["import"] if m not in sys.modules and m not in later]
            continue
        # Everything imported so far moves to the collector's permanent generation before each fork: a child's
        # collections then never walk (and so never write to, copying page after page) the objects it inherits.
        gc.freeze()
        if "call" in request:
            if os.fork() == 0:
                _in_child(_calls, request)
            continue
        pid = os.fork()
        if pid == 0:
            _in_child(_kernel, request)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


def _import_quietly(name: str) -> None:
    import importlib

    try:
        importlib.import_module(name)
    except ImportError:  # an optional module: the kernel imports it itself if a notebook needs it
        pass


if __name__ == "__main__":
    serve()
