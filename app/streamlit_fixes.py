"""Work-around for a Streamlit race that left a file upload without any answer.

Uploading a file is a conversation between the browser's uploader and the server: the browser
asks over the websocket for an upload URL (``file_urls_request``), the server puts the answer
(``file_urls_response``) in the session's outgoing queue, and only once the browser has it does
it send the file and ask for the rerun that reads it. The browser waits for that answer without
a time limit.

Streamlit (seen in 1.67) clears the session's outgoing queue when a script run starts, keeping
only the run's lifecycle messages (``ForwardMsgQueue.clear(retain_lifecycle_msgs=True)``,
called for ``SCRIPT_STARTED`` on the server's event loop). A run is started from the script's
thread and announced to the event loop a moment later, so when the browser's upload request
arrives in between (a rerun was just asked for: the map reports its first state right after a
page loads, a user changes a filter as they pick a file), the answer is queued first and then
cleared with the old run's output before it is sent. The file never leaves the browser, no
rerun comes, and the page shows nothing, however long one waits (now and then on a new page
of a busy server). :func:`keep_replies_across_runs` makes that clear keep the answers to the browser's
requests, which belong to no run.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

__all__ = ["REPLY_TYPES", "keep_replies_across_runs"]

_LOG = logging.getLogger(__name__)

#: Outgoing messages that answer a request of the browser (which waits for them), not part of
#: any script run's output; those this Streamlit version has.
REPLY_TYPES = frozenset({"file_urls_response", "backend_operation_response"}) & frozenset(
    ForwardMsg.DESCRIPTOR.fields_by_name
)


def keep_replies_across_runs() -> bool:
    """Make the clear at a run's start keep queued answers to the browser's requests.

    Idempotent; called by the app at every run (the first one patches, the process keeps it).

    Returns
    -------
    bool
        True when the queue keeps them; False (with a warning in the server log) when this
        Streamlit's queue no longer looks as expected, in which case it is left unchanged.
    """
    clear = ForwardMsgQueue.clear
    if getattr(clear, "_keeps_replies", False):
        return True
    if not _queue_as_expected(clear):
        _LOG.warning("Streamlit's ForwardMsgQueue changed; upload answers are not protected")
        return False

    def clear_keeping_replies(
        self: Any, retain_lifecycle_msgs: bool = False, fragment_ids_this_run: Any = None
    ) -> None:
        replies = (
            [m for m in self._queue if m.WhichOneof("type") in REPLY_TYPES]
            if retain_lifecycle_msgs  # a run starts; a flush (no retain) sends them all
            else []
        )
        clear(
            self,
            retain_lifecycle_msgs=retain_lifecycle_msgs,
            fragment_ids_this_run=fragment_ids_this_run,
        )
        # After the kept lifecycle messages: the browser matches an answer by its request id,
        # whatever comes around it. A Streamlit that keeps them itself gets no second copy.
        self._queue.extend(m for m in replies if m not in self._queue)

    clear_keeping_replies._keeps_replies = True  # type: ignore[attr-defined]
    ForwardMsgQueue.clear = clear_keeping_replies  # type: ignore[method-assign]
    return True


def _queue_as_expected(clear: Any) -> bool:
    """The queue holds its messages in ``_queue`` and ``clear`` takes the two known options."""
    try:
        params = inspect.signature(clear).parameters
    except (TypeError, ValueError):
        return False
    probe = ForwardMsgQueue()
    return (
        {"retain_lifecycle_msgs", "fragment_ids_this_run"} <= set(params)
        and isinstance(getattr(probe, "_queue", None), list)
        and bool(REPLY_TYPES)
    )
