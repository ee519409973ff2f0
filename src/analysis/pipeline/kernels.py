"""The kernels notebooks run in: one per job, with the job's own environment, its stderr kept out of the
terminal, and every live kernel known so that an interrupted run can stop them all at once. Where the run has a
warm fork server (:mod:`.forkserver`) each kernel is forked from it; otherwise it starts the usual way.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Dict, Type, Unicode

from . import forkserver

_live: set[AsyncKernelManager] = set()
_lock = threading.Lock()
#: the run a notebook thread works for (:func:`set_owner`): each kernel it starts is that run's
_owner = threading.local()


def set_owner(token: object) -> None:
    """Mark the kernels this thread starts from now on as ``token``'s (a run's pool), for :func:`kill_all`."""
    _owner.token = token


class ForkedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, but the kernel process is forked by the run's warm fork server."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        server = forkserver.current()
        if server is None:
            return await super().launch_kernel(cmd, **kwargs)
        manager = self.parent
        try:
            pid = server.spawn(cmd, env=kwargs.get("env") or dict(os.environ),
                               cwd=str(kwargs.get("cwd") or os.getcwd()), log=getattr(manager, "stderr_path", ""))
        except OSError:  # the server has gone: this kernel starts the usual way
            if getattr(manager, "stderr_path", ""):
                manager._stderr = open(manager.stderr_path, "ab")  # noqa: SIM115 (closed at shutdown)
                kwargs["stderr"] = manager._stderr
            return await super().launch_kernel(cmd, **kwargs)
        self.process = forkserver.ForkedProcess(pid)
        self.pid = self.pgid = pid  # the child calls setsid(): its own process group, as a launched kernel's
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's async client, ready as soon as the kernel has answered on both channels.

    jupyter_client's ``wait_for_ready`` ends by reading IOPub until 0.2 s pass with no message: 0.2 s of nothing
    before every notebook's first cell (1.4 s of a cold run's seven). nbclient needs no such flush: it reads only
    the messages that answer its own requests, so the handshake's own status messages are simply never read.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected once a message arrives on it; if not, ask again
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _async_wait_for_ready


class JobKernelManager(AsyncKernelManager):
    """A kernel manager that adds ``extra_env`` to the kernel's environment and writes its stderr to
    ``stderr_path`` (ipykernel logs there, e.g. "KeyboardInterrupt caught in kernel" on shutdown); its client is
    :class:`PromptKernelClient`, and a kernel's exit is noticed within 10 ms, not jupyter_client's 100 ms."""

    extra_env = Dict(config=True, help="variables added to the kernel's environment")
    stderr_path = Unicode("", config=True, help="file the kernel's stderr goes to ('' = discard)")
    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient, config=True)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls a stopping kernel every 0.1 s: most of that is waiting after it has exited
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))

    async def _async_pre_start_kernel(self, **kw: Any):  # type: ignore[override]
        if self.provisioner is None and forkserver.current() is not None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        kw["env"] = {**(kw.get("env") or os.environ), **self.extra_env}
        forked = isinstance(self.provisioner, ForkedProvisioner) and forkserver.current() is not None
        self._stderr = open(self.stderr_path, "ab") if self.stderr_path and not forked else None  # noqa: SIM115
        kw["stderr"] = self._stderr or subprocess.DEVNULL
        self.owner = getattr(_owner, "token", None)  # the run whose notebook thread starts it
        with _lock:
            _live.add(self)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        try:
            await KernelManager._async_shutdown_kernel(self, now=now, restart=restart)
        finally:
            with _lock:
                _live.discard(self)
            if getattr(self, "_stderr", None) is not None:
                self._stderr.close()


def kill_all(owner: object = None) -> int:
    """Kill every kernel still running (an interrupted run), or only ``owner``'s (:func:`set_owner`); returns how
    many were stopped. A kernel still being started (no process yet) stays listed, for the next call."""
    with _lock:
        managers = [km for km in _live if owner is None or getattr(km, "owner", None) is owner]
    killed = 0
    for km in managers:
        provisioner = km.provisioner
        process = getattr(provisioner, "process", None) if provisioner is not None else None
        if process is None:
            continue
        if process.poll() is None:
            process.kill()
            killed += 1
        with _lock:
            _live.discard(km)
    return killed
