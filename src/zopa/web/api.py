"""The JSON API (``/api/...``): one endpoint per use case of :mod:`zopa.app`, plus the served
folder's files, validation, jobs and the report.

Each use case takes a scenario file of the served folder by name (``file``) and the options of
its command; it answers with the result's ``to_json()``, exactly what ``--json`` prints
(docs/json.md). Bad input gets the command line's messages: located problems
(``FILE:LINE: field: message``) with status 422, other errors with 400.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from zopa import app as use
from zopa.app.whatif import Change
from zopa.errors import ScenarioError, UsageError
from zopa.results.base import Result
from zopa.web.folder import ScenarioFolder, check_text, problem_json
from zopa.web.jobs import Jobs

router = APIRouter(prefix="/api")

MAX_SAMPLES = 100_000
"""Monte Carlo draws one request may ask for (the use cases' own budgets apply as well)."""
MAX_RUNS = 100_000
"""Negotiation runs one request may ask for."""


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str = Field(description="A scenario file of the served folder, e.g. gaza.yaml.")


class _Dated(_Options):
    as_of: str | None = Field(None, description="Replay the events up to this date first.")


class ForecastOptions(_Dated):
    """Options of ``zopa forecast``."""

    model: str = "compromise"
    rounds: int | None = Field(None, ge=1, le=10_000)
    params: dict[str, str] = Field(default_factory=dict)
    samples: int = Field(0, ge=0, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class ZoneOptions(_Dated):
    """Options of ``zopa zone``."""

    actors: list[str] | None = None
    samples: int = Field(0, ge=0, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class TimelineOptions(_Dated):
    """Options of ``zopa timeline``."""

    branch: str | None = None
    model: str = "compromise"
    samples: int = Field(0, ge=0, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class CompareOptions(_Dated):
    """Options of ``zopa compare``."""

    branches: list[str] = Field(default_factory=list)
    model: str = "compromise"
    samples: int = Field(0, ge=0, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class SensitivityOptions(_Dated):
    """Options of ``zopa sensitivity``."""

    output: str = "gap"
    method: Literal["morris", "sobol"] = "morris"
    samples: int | None = Field(None, ge=1, le=100_000)
    seed: int = Field(0, ge=0)
    branch: str | None = None
    model: str = "compromise"


class NegotiateOptions(_Dated):
    """Options of ``zopa negotiate``."""

    protocol: str = "sao"
    strategies: list[str] = Field(default_factory=list)
    rounds: int = Field(100, ge=1, le=10_000)
    runs: int = Field(1, ge=1, le=MAX_RUNS)
    seed: int = Field(0, ge=0)


class AnalyzeOptions(_Dated):
    """Options of ``zopa analyze``."""


class VoteOptions(_Dated):
    """Options of ``zopa vote``: a recorded vote (``event``) or a draft's prediction."""

    event: str | None = None
    draft: str | None = None
    body: str | None = None
    set: dict[str, str] = Field(default_factory=dict, description="member -> vote")
    no_record: bool = False
    samples: int = Field(0, ge=0, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class PowerOptions(_Options):
    """Options of ``zopa power``."""

    body: str | None = None
    method: str = "auto"


class CompareDecisionOptions(_Dated):
    """Options of ``zopa compare-decision``."""

    event: str
    model: str = "compromise"


class RecordOptions(_Options):
    """Options of ``zopa vote fit`` and ``zopa backtest``."""

    body: str | None = None


class ScoreOptions(_Options):
    """Options of ``zopa score``."""

    samples: int = Field(2000, ge=1, le=MAX_SAMPLES)
    seed: int | None = Field(None, ge=0)


class WhatIfOptions(_Options):
    """A fast model's forecast with saliences, BATNAs or red lines changed (the sliders)."""

    model: str = "compromise"
    changes: list[Change] = Field(default_factory=list, max_length=200)


class ReportOptions(_Options):
    """Options of ``zopa report``."""

    branches: list[str] = Field(default_factory=list)
    samples: int = Field(1000, ge=0, le=MAX_SAMPLES)
    seed: int = Field(0, ge=0)
    drivers: int = Field(4, ge=0, le=100, description="Morris trajectories for the drivers.")


class TextBody(BaseModel):
    """A scenario's text, as the editor sends it."""

    model_config = ConfigDict(extra="forbid")
    text: str


def _folder(request: Request) -> ScenarioFolder:
    folder: ScenarioFolder = request.app.state.folder
    return folder


Bound = Callable[..., Result]
"""A use case with its arguments bound: call it (with ``progress=`` if it takes one)."""


def bind(kind: str, folder: ScenarioFolder, o: BaseModel) -> Bound:
    """The use case ``kind`` with the options ``o`` bound, ready to run now or as a job.

    Raises:
        UsageError: an unknown kind or options of another kind.
    """
    try:
        make, options = USE_CASES[kind]
    except KeyError:
        raise UsageError(f"unknown use case {kind!r}: one of {', '.join(USE_CASES)}") from None
    if not isinstance(o, options):
        o = options.model_validate(o.model_dump())
    return make(folder, o)


def _forecast(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.forecast, f.load(o.file), model=o.model, rounds=o.rounds,
                             params=o.params, samples=o.samples, seed=o.seed, as_of=o.as_of,
                             file=o.file)


def _zone(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.zone, f.load(o.file), actors=o.actors, samples=o.samples,
                             seed=o.seed, as_of=o.as_of, file=o.file)


def _timeline(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.timeline, f.load(o.file), branch=o.branch, model=o.model,
                             samples=o.samples, seed=o.seed, as_of=o.as_of, file=o.file)


def _compare(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.compare, f.load(o.file), o.branches, model=o.model,
                             samples=o.samples, seed=o.seed, as_of=o.as_of, file=o.file)


def _sensitivity(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.sensitivity, f.load(o.file), o.output, method=o.method,
                             samples=o.samples, seed=o.seed, branch=o.branch, as_of=o.as_of,
                             model=o.model, file=o.file)


def _negotiate(f: ScenarioFolder, o: Any) -> Bound:
    problem = use.negotiation_problem(f.load(o.file), as_of=o.as_of, file=o.file)
    return functools.partial(use.negotiate, problem, protocol=o.protocol,
                             strategies=o.strategies, rounds=o.rounds, runs=o.runs, seed=o.seed,
                             keep_runs=o.runs <= 100)


def _analyze(f: ScenarioFolder, o: Any) -> Bound:
    problem = use.negotiation_problem(f.load(o.file), as_of=o.as_of, file=o.file)
    return functools.partial(use.analyze, problem)


def _vote(f: ScenarioFolder, o: Any) -> Bound:
    scenario, path = f.load(o.file), str(f.path(o.file))
    if (o.event is None) == (o.draft is None):
        raise UsageError("give either event (a recorded vote) or draft (a prediction)")
    if o.event is not None:
        return functools.partial(use.vote_outcome, scenario, o.event, changed_votes=o.set,
                                 as_of=o.as_of, file=path)
    return functools.partial(use.predict_vote, scenario, o.draft, body=o.body,
                             fixed_votes=o.set, samples=o.samples, seed=o.seed,
                             as_of=o.as_of, file=path, use_record=False if o.no_record else None)


def _power(f: ScenarioFolder, o: Any) -> Bound:
    body = use.pick_body(f.load(o.file), o.body)
    return functools.partial(use.power, body, method=o.method, file=o.file)


def _compare_decision(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.compare_decision, f.load(o.file), o.event, model=o.model,
                             as_of=o.as_of, file=str(f.path(o.file)))


def _vote_fit(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.vote_fit, f.load(o.file), body=o.body, file=str(f.path(o.file)))


def _backtest(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.backtest, f.load(o.file), body=o.body, file=str(f.path(o.file)))


def _score(f: ScenarioFolder, o: Any) -> Bound:
    return functools.partial(use.score, f.load(o.file), samples=o.samples, seed=o.seed,
                             file=str(f.path(o.file)))


def _what_if(f: ScenarioFolder, o: Any) -> Bound:
    from zopa.app.whatif import what_if

    return functools.partial(what_if, f.load(o.file), o.changes, model=o.model, file=o.file)


def _report(f: ScenarioFolder, o: Any) -> Bound:
    from zopa.app.report import report

    return functools.partial(report, f.load(o.file), branches=o.branches, samples=o.samples,
                             seed=o.seed, drivers_samples=o.drivers, file=str(f.path(o.file)))


USE_CASES: dict[str, tuple[Callable[[ScenarioFolder, Any], Bound], type[BaseModel]]] = {
    "forecast": (_forecast, ForecastOptions),
    "zone": (_zone, ZoneOptions),
    "timeline": (_timeline, TimelineOptions),
    "compare": (_compare, CompareOptions),
    "sensitivity": (_sensitivity, SensitivityOptions),
    "negotiate": (_negotiate, NegotiateOptions),
    "analyze": (_analyze, AnalyzeOptions),
    "vote": (_vote, VoteOptions),
    "power": (_power, PowerOptions),
    "compare-decision": (_compare_decision, CompareDecisionOptions),
    "vote-fit": (_vote_fit, RecordOptions),
    "backtest": (_backtest, RecordOptions),
    "score": (_score, ScoreOptions),
    "whatif": (_what_if, WhatIfOptions),
    "report": (_report, ReportOptions),
}


def _run(request: Request, kind: str, options: BaseModel) -> JSONResponse:
    return JSONResponse(bind(kind, _folder(request), options)().to_json())


@router.post("/forecast")
def forecast(request: Request, options: ForecastOptions) -> JSONResponse:
    """A model's forecast (``zopa.forecast/1``)."""
    return _run(request, "forecast", options)


@router.post("/zone")
def zone(request: Request, options: ZoneOptions) -> JSONResponse:
    """The zone of possible agreement (``zopa.zone/1``)."""
    return _run(request, "zone", options)


@router.post("/timeline")
def timeline(request: Request, options: TimelineOptions) -> JSONResponse:
    """The events in order with the state after each (``zopa.timeline/1``)."""
    return _run(request, "timeline", options)


@router.post("/compare")
def compare(request: Request, options: CompareOptions) -> JSONResponse:
    """Branches side by side (``zopa.compare/1``)."""
    return _run(request, "compare", options)


@router.post("/sensitivity")
def sensitivity(request: Request, options: SensitivityOptions) -> JSONResponse:
    """The drivers of an output (``zopa.sensitivity/1``)."""
    return _run(request, "sensitivity", options)


@router.post("/negotiate")
def negotiate(request: Request, options: NegotiateOptions) -> JSONResponse:
    """Agent-based negotiations (``zopa.negotiation/1``)."""
    return _run(request, "negotiate", options)


@router.post("/analyze")
def analyze(request: Request, options: AnalyzeOptions) -> JSONResponse:
    """The outcome space: Pareto frontier, Nash, Kalai-Smorodinsky (``zopa.outcomes/1``)."""
    return _run(request, "analyze", options)


@router.post("/vote")
def vote(request: Request, options: VoteOptions) -> JSONResponse:
    """A recorded vote's result, or a draft's predicted vote."""
    return _run(request, "vote", options)


@router.post("/power")
def power(request: Request, options: PowerOptions) -> JSONResponse:
    """Exact voting power of a body (``zopa.power/1``)."""
    return _run(request, "power", options)


@router.post("/compare-decision")
def compare_decision(request: Request, options: CompareDecisionOptions) -> JSONResponse:
    """A vote adopted versus vetoed, side by side."""
    return _run(request, "compare-decision", options)


@router.post("/vote-fit")
def vote_fit(request: Request, options: RecordOptions) -> JSONResponse:
    """The vote model fitted on a voting record."""
    return _run(request, "vote-fit", options)


@router.post("/backtest")
def backtest(request: Request, options: RecordOptions) -> JSONResponse:
    """Every recorded vote predicted from the earlier ones, scored."""
    return _run(request, "backtest", options)


@router.post("/score")
def score(request: Request, options: ScoreOptions) -> JSONResponse:
    """Dated forecasts scored against how the talks ended."""
    return _run(request, "score", options)


@router.post("/whatif")
def whatif(request: Request, options: WhatIfOptions) -> JSONResponse:
    """A forecast with changed saliences, BATNAs or red lines (``zopa.forecast/1``)."""
    return _run(request, "whatif", options)


@router.post("/report")
def report(request: Request, options: ReportOptions) -> JSONResponse:
    """Everything the HTML report shows, as JSON (``zopa.report/1``)."""
    return _run(request, "report", options)


@router.get("/report.html", response_class=HTMLResponse)
def report_html(request: Request, file: str, samples: int = 1000, seed: int = 0,
                drivers: int = 4, branch: Annotated[list[str] | None, Query()] = None
                ) -> HTMLResponse:
    """The self-contained HTML report of ``zopa report``, as a download."""
    from zopa.web.report import render_report

    options = ReportOptions(file=file, samples=samples, seed=seed, drivers=drivers,
                            branches=branch or [])
    found = bind("report", _folder(request), options)()
    name = file.rsplit("/", 1)[-1].rsplit(".", 1)[0] + "-report.html"
    return HTMLResponse(render_report(found),  # type: ignore[arg-type]
                        headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/models")
def models() -> JSONResponse:
    """Every plug-in with its parameters (``zopa.plugins/1``)."""
    return JSONResponse(use.list_plugins().to_json())


@router.get("/runs")
def runs(request: Request, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
         command: str | None = None) -> JSONResponse:
    """The run store's runs, newest first (``zopa.runs/1``)."""
    found = use.list_runs(store=request.app.state.store, command=command, limit=limit)
    return JSONResponse(found.to_json())


@router.get("/runs/compare")
def compare_runs(request: Request, a: int, b: int) -> JSONResponse:
    """Two stored runs compared: inputs and outputs that changed (``zopa.run-comparison/1``)."""
    return JSONResponse(use.compare_runs(a, b, store=request.app.state.store).to_json())


@router.get("/runs/{run_id}")
def stored_run(request: Request, run_id: int) -> JSONResponse:
    """One stored run with its arguments, parameters, rows kept and result (``zopa.run/1``)."""
    return JSONResponse(use.show_run(run_id, store=request.app.state.store).to_json())


class JobRequest(BaseModel):
    """A use case to run in the background: its kind and its options."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    options: dict[str, Any]


@router.post("/jobs")
def start_job(request: Request, job: JobRequest) -> JSONResponse:
    """Start a long run; poll ``GET /api/jobs/{id}`` for its progress and result."""
    if job.kind not in USE_CASES:
        raise UsageError(f"unknown use case {job.kind!r}: one of {', '.join(USE_CASES)}")
    options = USE_CASES[job.kind][1].model_validate(job.options)
    bound = bind(job.kind, _folder(request), options)  # bad input fails now, not in the job
    jobs: Jobs = request.app.state.jobs
    # Negotiations count runs through a plain callback that never says the total: give it here.
    runs = getattr(options, "runs", 0) if job.kind == "negotiate" else 0
    started = jobs.start(job.kind, bound, lambda r: r.to_json(), total=runs,
                         unit="runs" if runs else "")
    return JSONResponse(started.status(), status_code=202)


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: str) -> JSONResponse:
    """A job's state, progress (done of total units) and, once done, its result."""
    jobs: Jobs = request.app.state.jobs
    found = jobs.get(job_id)
    if found is None:
        return JSONResponse({"error": f"no job {job_id!r}"}, status_code=404)
    return JSONResponse(found.status())


@router.get("/session")
def session(request: Request) -> JSONResponse:
    """The CSRF secret to send as ``X-Zopa-CSRF`` on writes (only this origin can read it)."""
    return JSONResponse({"csrf": request.app.state.csrf})


@router.get("/scenarios")
def scenarios(request: Request) -> JSONResponse:
    """The scenario files of the served folder, each with its title or first problem."""
    return JSONResponse([e.__dict__ for e in _folder(request).entries()])


@router.get("/scenarios/{name:path}")
def scenario_text(request: Request, name: str) -> JSONResponse:
    """A scenario file's text."""
    return JSONResponse({"name": name, "text": _folder(request).text(name)})


@router.put("/scenarios/{name:path}")
def save(request: Request, name: str, body: TextBody) -> JSONResponse:
    """Validate and save a scenario file (atomically; the previous version kept as NAME.prev)."""
    _folder(request).save(name, body.text.encode("utf-8"))
    return JSONResponse({"saved": name})


@router.post("/upload")
async def upload(request: Request, name: str) -> JSONResponse:
    """A new scenario file: the raw file as the body, ``?name=`` its name in the folder.
    Parsed and validated by the command line's reader before anything is written."""
    raw = await request.body()
    folder = _folder(request)
    if folder.path(name).exists():
        raise UsageError(f"{name} exists: open it in the editor, or upload under another name")
    folder.save(name, raw)
    return JSONResponse({"saved": name}, status_code=201)


@router.post("/validate")
def validate(body: TextBody, name: str = "scenario.yaml") -> JSONResponse:
    """Check a scenario's text as ``zopa validate`` would: its problems, each with its line."""
    try:
        check_text(body.text.encode("utf-8"), name)
    except ScenarioError as exc:
        return JSONResponse({"ok": False, "problems": [problem_json(p) for p in exc.problems]})
    return JSONResponse({"ok": True, "problems": []})
