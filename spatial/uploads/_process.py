"""A fork-server process that does not re-run the caller's main script and starts in bounded time.

multiprocessing re-imports ``__main__`` in every child it starts by fork server or spawn. Under
Streamlit that is the app script itself, which would run again, out of context, in every upload
worker. The workers need nothing from it, so :class:`WorkerProcess` launches through the
standard library's fork-server launch with that one step left out of the preparation data.

Two more departures from ``Process.start``, both for a server where many threads upload at once:

- the launch has a deadline: handing the child its data and reading its process id wait at
  most ``start_timeout`` seconds (a busy or wedged fork server raises :class:`TimeoutError`
  instead of blocking the upload for ever);
- the process is not entered in multiprocessing's process-wide list of children. Every
  ``start()`` polls that list, so one thread would read the status pipe of another thread's
  worker, and after that worker was closed, a pipe that had since taken its descriptor number
  (another upload's process id or answer). Each upload waits for its own worker only.

The classes live at module level so a child can unpickle its process object.
"""

from __future__ import annotations

import io
import os
import select
import time
from multiprocessing import connection, context, forkserver, popen_forkserver, spawn, util
from typing import Any

__all__ = ["WorkerProcess"]


class _Popen(popen_forkserver.Popen):
    def __init__(self, process_obj: Any, start_timeout: float) -> None:
        self._deadline = time.monotonic() + start_timeout
        super().__init__(process_obj)

    def _launch(self, process_obj: Any) -> None:
        prep = spawn.get_preparation_data(process_obj._name)
        prep.pop("init_main_from_path", None)
        prep.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            context.reduction.dump(prep, buf)
            context.reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        try:
            try:
                _write_by(w, buf.getbuffer(), self._deadline)
            finally:
                os.close(w)
            left = self._deadline - time.monotonic()
            if not connection.wait([self.sentinel], max(0.0, left)):
                raise TimeoutError("the worker process did not start in time")
            self.pid = forkserver.read_signed(self.sentinel)
        except BaseException:
            self.finalizer()  # the child, if any, reads the end of its data and exits
            raise


def _write_by(fd: int, data: memoryview, deadline: float) -> None:
    """Write all of ``data`` to a pipe, raising TimeoutError when the reader is not there in time."""
    os.set_blocking(fd, False)
    poller = select.poll()  # not select.select: a busy server's descriptors pass 1024
    poller.register(fd, select.POLLOUT)
    view = memoryview(data)
    while view:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(left * 1000):
            raise TimeoutError("the worker process did not take its data in time")
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue


class WorkerProcess(context.ForkServerProcess):
    """A ``forkserver`` process whose child does not import the parent's ``__main__``.

    Parameters
    ----------
    start_timeout : float
        Seconds :meth:`start` may take; past them it raises :class:`TimeoutError`.
    **kwargs
        As for :class:`multiprocessing.Process`.
    """

    def __init__(self, start_timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._start_timeout = start_timeout

    def start(self) -> None:
        """Start the child within ``start_timeout`` seconds (see the module notes)."""
        self._check_closed()
        assert self._popen is None, "cannot start a process twice"
        assert self._parent_pid == os.getpid(), "started only by the process that made it"
        self._popen = _Popen(self, self._start_timeout)
        self._sentinel = self._popen.sentinel
        del self._target, self._args, self._kwargs
