"""The pages: library, scenario view, editor, run, and the run store's runs. Each is a template
filled with what the application layer returns (as JSON for the page's charts); the page's
script calls the API for everything else."""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zopa import app as use
from zopa.errors import ScenarioError, ZopaError
from zopa.web.assets import script_json, templates
from zopa.web.folder import ScenarioFolder

router = APIRouter(include_in_schema=False)
RUNS_SHOWN = 500
"""Newest runs listed on the runs page (the API and `zopa runs list` give the rest)."""
MAX_RESULT_TEXT = 200_000
"""Characters of a stored run's result JSON shown on its page."""


@functools.cache
def _env() -> Any:
    return templates()


def _page(request: Request, template: str, **values: Any) -> HTMLResponse:
    html = _env().get_template(template).render(
        csrf=request.app.state.csrf, script_json=script_json, **values)
    return HTMLResponse(html)


def _folder(request: Request) -> ScenarioFolder:
    folder: ScenarioFolder = request.app.state.folder
    return folder


def _problems(request: Request, name: str, exc: ZopaError) -> HTMLResponse:
    """A scenario that does not load: its problems, as the command line prints them."""
    lines = [str(p) for p in exc.problems] if isinstance(exc, ScenarioError) else [str(exc)]
    response = _page(request, "problems.html", name=name, lines=lines)
    response.status_code = 422
    return response


@router.get("/", response_class=HTMLResponse)
def library(request: Request) -> HTMLResponse:
    """The scenario files of the served folder."""
    return _page(request, "library.html", entries=_folder(request).entries(), name=None)


@router.get("/scenario/{name:path}", response_class=HTMLResponse)
def scenario(request: Request, name: str) -> HTMLResponse:
    """Actors, issues with the ZOPA, relations, bodies with their voting power, the timeline."""
    try:
        found = _folder(request).load(name)
        zone = use.zone(found, file=name).to_json() if not found.is_record else None
        powers = [use.power(b, file=name).to_json() for b in found.bodies
                  if len(b.members) <= 40]  # exact power of larger bodies is slow: the API has it
    except ZopaError as exc:
        return _problems(request, name, exc)
    data = {"scenario": found.model_dump(mode="json", by_alias=True, exclude_none=True),
            "zone": zone, "powers": powers}
    return _page(request, "scenario.html", name=name, s=found, data=data)


@router.get("/edit/{name:path}", response_class=HTMLResponse)
def editor(request: Request, name: str) -> HTMLResponse:
    """The YAML editor: the validator's problems at their lines as you type; save."""
    folder = _folder(request)
    try:
        text = folder.text(name)
    except ZopaError as exc:
        return _problems(request, name, exc)
    return _page(request, "editor.html", name=name, text=text)


@router.get("/run/{name:path}", response_class=HTMLResponse)
def run(request: Request, name: str) -> HTMLResponse:
    """Every use case with its options; results as charts; what-if sliders."""
    try:
        found = _folder(request).load(name)
    except ZopaError as exc:
        return _problems(request, name, exc)
    models = [p.name for p in use.list_plugins(("model",)).plugins]
    data = {"scenario": found.model_dump(mode="json", by_alias=True, exclude_none=True),
            "models": models}
    return _page(request, "run.html", name=name, s=found, data=data, models=models)


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request) -> HTMLResponse:
    """The run store's history, newest first; two runs picked are compared."""
    try:
        found = use.list_runs(store=request.app.state.store, limit=RUNS_SHOWN)
    except ZopaError as exc:
        return _problems(request, "run store", exc)
    return _page(request, "runs.html", name=None, result=found)


@router.get("/runs/compare", response_class=HTMLResponse)
def compare_runs(request: Request, a: int, b: int) -> HTMLResponse:
    """Two stored runs: what changed in their inputs and in their outputs."""
    try:
        found = use.compare_runs(a, b, store=request.app.state.store)
    except ZopaError as exc:
        return _problems(request, "run store", exc)
    return _page(request, "runs_compare.html", name=None, result=found)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def stored_run(request: Request, run_id: int) -> HTMLResponse:
    """One stored run: its command, arguments, parameters, rows kept and result."""
    try:
        found = use.show_run(run_id, store=request.app.state.store)
    except ZopaError as exc:
        return _problems(request, "run store", exc)
    return _page(request, "stored_run.html", name=None, result=found,
                 result_json=json.dumps(found.result, indent=1)[:MAX_RESULT_TEXT]
                 if found.result is not None else None)
