"""A file picked in the moment a rerun is asked for still gets the app's answer (real Chromium).

On a new page the user clicks 清除筛选 Clear filters and picks a file in the same instant, so
the uploader's request for an upload URL reaches the server as the rerun starts: the case in
which Streamlit dropped the answer and the upload never left the browser
(``app.streamlit_fixes``; before it, about one such upload in three got no answer). Each try
must show the app's own message.

Run with ``pytest -m browser``; needs /usr/bin/chromium and playwright.
"""

from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

TRIES = 8
ANSWER_MS = 30_000

#: Clicks Clear filters and sets the file on the uploader's input in one browser task.
PICK_DURING_RERUN = """([b64, name]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const picked = new DataTransfer();
    picked.items.add(new File([bytes], name));
    const input = document.querySelector('[data-testid="stFileUploaderDropzoneInput"]');
    [...document.querySelectorAll("button")].find((b) => b.innerText.includes("清除筛选")).click();
    input.files = picked.files;
    input.dispatchEvent(new Event("change", {bubbles: true}));
}"""


def test_a_file_picked_as_a_rerun_starts_gets_the_apps_message(app_url: str, browser) -> None:
    data = base64.b64encode(b"{").decode()
    for attempt in range(TRIES):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.set_default_timeout(60_000)
        page.goto(app_url + "/?basemap=none")
        page.get_by_text("我的图层 Own layer").click()
        page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(state="visible")
        name = f"try{attempt}.geojson"
        page.evaluate(PICK_DURING_RERUN, [data, name])
        answer = page.locator('[data-testid="stAlertContentError"]').filter(has_text=name)
        try:
            answer.filter(has_text="不是有效的 JSON").first.wait_for(timeout=ANSWER_MS)
        except sync_api.TimeoutError:
            shown = page.locator('[data-testid="stAlert"]').all_inner_texts()
            raise AssertionError(
                f"try {attempt + 1}: no answer in {ANSWER_MS / 1000:g} s; page showed {shown}"
            ) from None
        page.close()
