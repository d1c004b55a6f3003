"""The server's answer to an upload request survives the start of a script run.

The browser's uploader asks for an upload URL and sends nothing until the answer comes. When
that answer was queued just as a run started, Streamlit's clear of the queue at the run's start
dropped it and the upload never happened (``app.streamlit_fixes``). Here the queue gets the
answer, then the clear a starting run makes; the answer must still go to the browser, while
the old run's output goes as before. ``tests/test_hostile_browser.py`` checks the whole path.
"""

from __future__ import annotations

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from app.streamlit_fixes import keep_replies_across_runs


def _answer(request_id: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.file_urls_response.response_id = request_id
    urls = msg.file_urls_response.file_urls.add()
    urls.file_id, urls.upload_url = "f1", "/_stcore/upload_file/s/f1"
    return msg


def _old_output() -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = [0, 0]
    msg.delta.new_element.markdown.body = "old run"
    return msg


def _types(msgs: list[ForwardMsg]) -> list[str]:
    return [m.WhichOneof("type") for m in msgs]


def test_an_upload_answer_queued_as_a_run_starts_still_reaches_the_browser() -> None:
    assert keep_replies_across_runs()
    queue = ForwardMsgQueue()
    queue.enqueue(_old_output())
    queue.enqueue(_answer("r1"))
    queue.clear(retain_lifecycle_msgs=True)  # what a starting run does
    new_session = ForwardMsg()
    new_session.new_session.name = "run 2"
    queue.enqueue(new_session)
    sent = queue.flush()
    assert _types(sent) == ["file_urls_response", "new_session"]
    assert sent[0].file_urls_response.response_id == "r1"
    assert sent[0].file_urls_response.file_urls[0].upload_url == "/_stcore/upload_file/s/f1"
    assert queue.flush() == []  # sent once, not kept for ever


def test_the_answer_is_sent_once_and_other_clears_are_unchanged() -> None:
    assert keep_replies_across_runs()
    assert keep_replies_across_runs()  # the app calls it on every run: one patch only
    queue = ForwardMsgQueue()
    queue.enqueue(_answer("r2"))
    queue.clear(retain_lifecycle_msgs=True)
    queue.clear(retain_lifecycle_msgs=True)  # two runs start before the next flush
    assert _types(queue.flush()) == ["file_urls_response"]
    queue.enqueue(_answer("r3"))
    queue.enqueue(_old_output())
    queue.clear()  # a full clear (the session ends) drops everything
    assert queue.flush() == []
