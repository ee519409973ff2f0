"""The kernels notebooks run in: one per job, with the job's own environment, its stderr kept out of the
terminal, and every live kernel known so that an interrupted run can stop them all at once.
"""

from __future__ import annotations

import os
import subprocess
import threading
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import Dict, Unicode

_live: set[AsyncKernelManager] = set()
_lock = threading.Lock()


class JobKernelManager(AsyncKernelManager):
    """A kernel manager that adds ``extra_env`` to the kernel's environment and writes its stderr to
    ``stderr_path`` (ipykernel logs there, e.g. "KeyboardInterrupt caught in kernel" on shutdown)."""

    extra_env = Dict(config=True, help="variables added to the kernel's environment")
    stderr_path = Unicode("", config=True, help="file the kernel's stderr goes to ('' = discard)")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        kw["env"] = {**(kw.get("env") or os.environ), **self.extra_env}
        self._stderr = open(self.stderr_path, "ab") if self.stderr_path else None  # noqa: SIM115
        kw["stderr"] = self._stderr or subprocess.DEVNULL
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


def kill_all() -> int:
    """Kill every kernel still running (an interrupted run); returns how many were stopped."""
    with _lock:
        managers = list(_live)
        _live.clear()
    for km in managers:
        provisioner = km.provisioner
        process = getattr(provisioner, "process", None) if provisioner is not None else None
        if process is not None and process.poll() is None:
            process.kill()
    return len(managers)
