"""Typed results of every use case, each its own versioned JSON format with a JSON Schema.

>>> sorted(RESULT_TYPES)[:3]
['backtest', 'compare', 'decision-comparison']
"""

from __future__ import annotations

from typing import Any

from zopa.errors import UsageError
from zopa.results.backtest import BacktestResult, ScoreResult, VoteFitResult
from zopa.results.base import IssueInfo, Record, Result, ScenarioHeader, number
from zopa.results.catalog import PluginCatalogResult
from zopa.results.forecast import ForecastResult, ZoneResult
from zopa.results.grid import ForecastGridResult
from zopa.results.institutions import (
    DecisionComparisonResult,
    PowerResult,
    VoteOutcomeResult,
    VotePredictionResult,
)
from zopa.results.negotiation import NegotiationResult, OutcomeAnalysisResult
from zopa.results.report import ReportResult
from zopa.results.runs import (
    RunComparisonResult,
    RunDetailResult,
    RunExportResult,
    RunGcResult,
    RunListResult,
)
from zopa.results.sensitivity import SensitivityResultRecord
from zopa.results.timeline import CompareResult, TimelineResult

RESULT_TYPES: dict[str, type[Result]] = {
    cls.kind: cls
    for cls in (
        ForecastResult, ZoneResult, OutcomeAnalysisResult, NegotiationResult, PowerResult,
        VoteOutcomeResult, VotePredictionResult, DecisionComparisonResult, PluginCatalogResult,
        TimelineResult, CompareResult, SensitivityResultRecord, BacktestResult, VoteFitResult,
        ScoreResult, ReportResult, ForecastGridResult, RunListResult, RunDetailResult,
        RunComparisonResult, RunExportResult, RunGcResult,
    )
}
"""Every result type by its short name (``zopa schema --result NAME``)."""


def result_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a result format, by short name.

    Raises:
        UsageError: for an unknown name, listing the known ones.
    """
    try:
        return RESULT_TYPES[kind].json_schema()
    except KeyError:
        raise UsageError(
            f"unknown result {kind!r:.40}; known: {', '.join(sorted(RESULT_TYPES))}"
        ) from None


__all__ = [
    "RESULT_TYPES",
    "BacktestResult",
    "CompareResult",
    "DecisionComparisonResult",
    "ForecastGridResult",
    "ForecastResult",
    "IssueInfo",
    "NegotiationResult",
    "OutcomeAnalysisResult",
    "PluginCatalogResult",
    "PowerResult",
    "Record",
    "ReportResult",
    "Result",
    "RunComparisonResult",
    "RunDetailResult",
    "RunExportResult",
    "RunGcResult",
    "RunListResult",
    "ScenarioHeader",
    "ScoreResult",
    "SensitivityResultRecord",
    "TimelineResult",
    "VoteFitResult",
    "VoteOutcomeResult",
    "VotePredictionResult",
    "ZoneResult",
    "number",
    "result_schema",
]
