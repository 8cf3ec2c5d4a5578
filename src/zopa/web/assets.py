"""Files the pages and the report use: the app's own scripts and styles, and plotly.js from
the installed ``plotly`` package (no CDN: pages and reports work offline)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).resolve().parent
STATIC = {p.name: p for p in (HERE / "static").iterdir() if p.suffix in (".js", ".css")}
"""The app's own static files by name (a fixed list: requests never name a path)."""


def plotly_js() -> Path:
    """The minified plotly.js the ``plotly`` Python package ships.

    Found without importing plotly (its import is slow and unneeded: only the file is used).

    Raises:
        FileNotFoundError: plotly is not installed, or ships no bundled plotly.min.js.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the plotly package is not installed (pip install plotly)")
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: plotly ships no plotly.min.js here")
    return path


def templates() -> jinja2.Environment:
    """The jinja2 environment of the pages and the report (escaping everything inserted)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


def script_json(data: object) -> str:
    """``data`` as JSON safe inside a ``<script>`` element (no ``</script>`` can end it)."""
    import json

    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
