"""The HTML report of ``zopa report``: one self-contained file (plotly.js, the charts' script
and the styles inlined, the result's JSON embedded), readable with no network at all.

It renders a :class:`zopa.app.report.ReportResult`; it computes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zopa.web.assets import STATIC, plotly_js, script_json, templates

if TYPE_CHECKING:
    from zopa.results.report import ReportResult


def render_report(result: ReportResult) -> str:
    """The report's HTML text."""
    env = templates()
    return env.get_template("report.html").render(
        r=result,
        data=script_json(result.to_json()),
        plotly=_inline(plotly_js().read_text(encoding="utf-8")),
        charts=_inline(STATIC["charts.js"].read_text(encoding="utf-8")),
        css=STATIC["zopa.css"].read_text(encoding="utf-8"),
    )


def _inline(script: str) -> str:
    """A script's text made safe inside ``<script>``: no ``</script`` can end the element."""
    return script.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
