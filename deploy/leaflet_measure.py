"""Precompile leaflet-measure's templates, so it runs under a policy that forbids ``eval``.

leaflet-measure 3.1.0 (``static/leaflet-measure/leaflet-measure.cn.js``, the npm package's
Chinese build) compiles its five HTML templates with lodash's ``_.template`` as it loads, and
lodash turns each template into a function with ``Function(...)``: the page's
Content-Security-Policy (``script-src 'self' blob:``, no ``'unsafe-eval'``, as deploy/run.sh's
nginx sends it) refuses that, the bundle throws and ``L.Control.Measure`` never exists.

This script loads the published bundle in headless Chromium (no policy), records the source
lodash generates for each template, and writes the bundle back with those functions written out
in a table at its top; lodash's ``Function(...)`` call looks a template up there first, so no
code is made from text at run time (an unknown template still falls back to ``Function``).
The vendored file is the result; run this again only on a new upstream file::

    python deploy/leaflet_measure.py [static/leaflet-measure/leaflet-measure.cn.js]

Run on an already precompiled file, it undoes its own change first, so it is idempotent.
Hand-written because no package precompiles lodash templates inside a built bundle; the
upstream project is unmaintained since 2018.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent.parent / "static/leaflet-measure/leaflet-measure.cn.js"
LEAFLET = BUNDLE.parent.parent / "leaflet/leaflet.js"

#: lodash's call that makes a template function from its generated source.
CALL = 'Function(w,C+"return "+P)'
LOOKUP = f"(__gzMeasureTemplates[P]||{CALL})"
MARK = "/* templates precompiled by deploy/leaflet_measure.py */"
END = "/* end of the precompiled templates */"


def original(text: str) -> str:
    """The upstream bundle, from itself or from a precompiled copy."""
    if text.startswith(MARK):
        text = text.split(f"{END}\n", 1)[1]
    return text.replace(LOOKUP, CALL)


def template_sources(bundle: str) -> list[tuple[list[str], str]]:
    """``(argument names, source)`` of every template the bundle compiles as it loads and as
    a measure control is added to a map (in Chromium, through Playwright)."""
    from playwright.sync_api import sync_playwright

    recording = bundle.replace(CALL, f"(window.__gzRecord.push([w,P]),{CALL})")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_content("<div id=m style='width:400px;height:300px'></div>")
            page.evaluate("() => { window.__gzRecord = []; }")
            page.add_script_tag(path=str(LEAFLET))
            page.add_script_tag(content=recording)
            page.evaluate(
                "() => new L.Control.Measure().addTo(L.map('m').setView([23.1, 113.3], 12))"
            )
            return [(list(w), src) for w, src in page.evaluate("() => window.__gzRecord")]
        finally:
            browser.close()


def precompiled(bundle: str, sources: list[tuple[list[str], str]]) -> str:
    """``bundle`` with a table of the template functions at its top and lodash's call
    looking there first."""
    if bundle.count(CALL) != 1:
        raise SystemExit(f"lodash's template call {CALL!r} is not in the bundle once")
    entries = ",\n".join(
        f"{json.dumps(src, ensure_ascii=False)}: function({', '.join(args)}) {{ return {src}; }}"
        for args, src in dict((src, (args, src)) for args, src in sources).values()
    )
    table = f"var __gzMeasureTemplates = {{\n{entries}\n}};"
    return f"{MARK}\n{table}\n{END}\n" + bundle.replace(CALL, LOOKUP)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else BUNDLE
    bundle = original(path.read_text(encoding="utf-8"))
    sources = template_sources(bundle)
    if not sources:
        raise SystemExit("the bundle compiled no templates: is it leaflet-measure?")
    path.write_text(precompiled(bundle, sources), encoding="utf-8")
    print(f"{path}: {len(sources)} templates precompiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
