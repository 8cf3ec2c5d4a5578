"""The web application: :func:`create_app` builds it (pages, API, static files, the guard);
:func:`serve` runs it with uvicorn, as ``zopa serve`` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError

from zopa.errors import ScenarioError, UsageError, ZopaError
from zopa.web import pages
from zopa.web.api import router
from zopa.web.assets import STATIC, plotly_js
from zopa.web.folder import MAX_UPLOAD, NotInFolder, ScenarioFolder, problem_json
from zopa.web.guard import Guard, new_secret
from zopa.web.jobs import Jobs

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts that only this machine reaches: no token needed."""
MAX_BODY = MAX_UPLOAD + 64 * 1024
"""Largest request body: a scenario at the upload limit plus its JSON wrapping."""


def create_app(folder: str | Path, *, token: str | None = None,
               csrf: str | None = None, hosts: frozenset[str] | None = None,
               store: str | Path | None = None) -> Any:
    """The web app serving ``folder``'s scenarios (an ASGI app: the guard in front of FastAPI).

    Args:
        folder: the served folder; nothing outside it is read or written.
        token: the access token every request must carry (``None``: none needed, for a server
            only this machine reaches).
        csrf: the CSRF secret (default: a new random one).
        hosts: the only names a request's ``Host`` header may give (``None``: any); a server
            only this machine reaches sets :data:`LOCAL_HOSTS` (against DNS rebinding).
        store: the run store the runs pages read (``None``: the default, docs/store.md).
    """
    api = FastAPI(title="zopa", version="1",
                  description="Forecasts of multi-party negotiations: every use case of "
                              "zopa.app as a JSON endpoint (docs/web.md).")
    api.state.folder = ScenarioFolder(Path(folder))
    api.state.jobs = Jobs()
    api.state.csrf = csrf or new_secret()
    api.state.store = Path(store) if store is not None else None
    api.include_router(router)
    api.include_router(pages.router)
    api.add_exception_handler(ScenarioError, _scenario_error)
    api.add_exception_handler(ZopaError, _zopa_error)
    api.add_exception_handler(FileNotFoundError, _not_found)
    api.add_exception_handler(ValidationError, _invalid)

    @api.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        """plotly.js from the installed plotly package: charts work offline."""
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"cache-control": "max-age=86400"})

    @api.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        """The app's own scripts and styles (a fixed list: no path is taken from the request)."""
        if name not in STATIC:
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(STATIC[name])

    return Guard(api, token=token, csrf=api.state.csrf, max_body=MAX_BODY, hosts=hosts)


async def _scenario_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScenarioError)
    return JSONResponse({"problems": [problem_json(p) for p in exc.problems]}, status_code=422)


async def _zopa_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotInFolder) else 400
    if isinstance(exc, UsageError) and "over the limit" in str(exc):
        status = 413
    return JSONResponse({"error": str(exc)}, status_code=status)


async def _invalid(request: Request, exc: Exception) -> Response:
    """Options that fail their model's checks after FastAPI's own (built in a route)."""
    assert isinstance(exc, ValidationError)
    lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
    return JSONResponse({"error": "; ".join(lines)}, status_code=422)


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "no such scenario file in the served folder"}, status_code=404)


def serve(folder: str | Path, host: str = "127.0.0.1", port: int = 8000,
          announce: Any = print, store: str | Path | None = None) -> None:
    """Run the app with uvicorn until interrupted. Beyond this machine a token is made and
    announced with the address to open.

    Args:
        folder: the served folder.
        host: the address to listen on.
        port: the port.
        announce: prints the address (and token) for the user.
        store: the run store of the runs pages (``None``: the default).
    """
    import uvicorn

    local = host in LOCAL_HOSTS
    token = None if local else new_secret()
    app = create_app(folder, token=token, hosts=LOCAL_HOSTS if local else None, store=store)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    if token is None:
        announce(f"serving {folder} at {address} (this machine only; Ctrl-C stops)")
    else:
        announce(f"serving {folder} at {address}?token={token}")
        announce("other machines can reach this server: every request needs the token above "
                 "(Authorization: Bearer TOKEN for API clients)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
