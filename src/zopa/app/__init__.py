"""The application layer: one function per use case, plain inputs in, typed results out.

Every front end (the ``zopa`` command, the web app, the run store) calls these functions and
renders what they return; none of them computes anything itself. Results are
:class:`~zopa.results.Result` objects: typed fields, ``to_json()`` and a JSON Schema.

A forecast in three lines::

    >>> from zopa import app, load_scenario
    >>> result = app.forecast(load_scenario("examples/gaza-2024-03.yaml"), model="median")
    >>> result.zone.feasible
    False
"""

from __future__ import annotations

from zopa.app.catalog import list_plugins
from zopa.app.common import Decisions, header, prepare
from zopa.app.decisions import compare_decision
from zopa.app.forecast import forecast, zone
from zopa.app.grid import forecast_grid, parse_grid
from zopa.app.imports import ImportedScenario, import_decide, import_genius, import_table
from zopa.app.institutions import pick_body, power, predict_vote, vote_outcome
from zopa.app.negotiation import (
    NegotiationSource,
    Problem,
    analyze,
    negotiate,
    negotiation_problem,
)
from zopa.app.record import backtest, vote_fit
from zopa.app.report import report
from zopa.app.runs import compare_runs, export_runs, gc_runs, list_runs, show_run
from zopa.app.score import score
from zopa.app.sensitivity import sensitivity
from zopa.app.timeline import compare, timeline
from zopa.app.whatif import Change, what_if

__all__ = [
    "Change",
    "Decisions",
    "ImportedScenario",
    "NegotiationSource",
    "Problem",
    "analyze",
    "backtest",
    "compare",
    "compare_decision",
    "compare_runs",
    "export_runs",
    "forecast",
    "forecast_grid",
    "gc_runs",
    "header",
    "import_decide",
    "import_genius",
    "import_table",
    "list_plugins",
    "list_runs",
    "negotiate",
    "negotiation_problem",
    "parse_grid",
    "pick_body",
    "power",
    "predict_vote",
    "prepare",
    "report",
    "score",
    "sensitivity",
    "show_run",
    "timeline",
    "vote_fit",
    "vote_outcome",
    "what_if",
    "zone",
]
