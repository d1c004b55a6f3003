"""The app's side panel read through ``AppTest``: only the open tab of the panel is built, so a
test opens the tab a reader would click before reading what it shows."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from app.layout import PANEL_TABS

PLACE, RESULTS, OVERVIEW, DOWNLOAD = PANEL_TABS


def open_tab(at: AppTest, label: str) -> AppTest:
    """Click a tab of the panel: the script reruns with that tab open."""
    at.session_state["panel_tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def results(at: AppTest) -> pd.DataFrame:
    """The results table of the current view (the Results tab is opened to read it; the tab
    open before is open again on the next run)."""
    try:
        before = at.session_state["panel_tab"]
    except KeyError:
        before = PLACE
    open_tab(at, RESULTS)
    table = at.dataframe[0].value
    at.session_state["panel_tab"] = before
    return table
