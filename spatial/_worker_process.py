"""A fork-server process that does not re-run the caller's main script.

multiprocessing re-imports ``__main__`` in every child it starts by fork server or spawn. Under
Streamlit that is the app script itself, which would run again, out of context, in every upload
worker. The workers need nothing from it, so :class:`WorkerProcess` launches through the
standard library's fork-server launch with that one step left out of the preparation data.
The classes live at module level so a child can unpickle its process object.
"""

from __future__ import annotations

import io
import os
from multiprocessing import context, forkserver, popen_forkserver, spawn, util
from typing import Any

__all__ = ["WorkerProcess"]


class _Popen(popen_forkserver.Popen):
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
        with open(w, "wb", closefd=True) as fh:
            fh.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class WorkerProcess(context.ForkServerProcess):
    """A ``forkserver`` process whose child does not import the parent's ``__main__``."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:  # noqa: N802 (multiprocessing's name)
        return _Popen(process_obj)
