"""The app as served: Streamlit's ``st.App`` over ``streamlit_app.py``, whose page draws the
map before Streamlit's front end starts (:mod:`app.preboot`).

``make app`` runs ``streamlit run asgi.py`` (Streamlit finds ``app`` below and serves it with
its own server and settings); ``streamlit run streamlit_app.py`` still serves the same app,
without the map drawn first.
"""

import contextlib
import threading

import streamlit as st
from starlette.middleware import Middleware

from app.preboot import PrebootPage, warm


def _warm() -> None:
    # imported here, once Streamlit's runtime exists: the app's modules declare their caches
    # as they are imported, and without a runtime each would get a store of its own
    from app.map import preboot_manifest

    warm(preboot_manifest)


@contextlib.asynccontextmanager
async def _started(_app: st.App):
    # beside the server, not before it: a page that comes first waits for Streamlit instead
    threading.Thread(target=_warm, name="gzmap-preboot", daemon=True).start()
    yield None


app = st.App("streamlit_app.py", middleware=[Middleware(PrebootPage)], lifespan=_started)
