"""Results of learning from the record: ``zopa vote fit`` (``zopa.vote-fit/1``), ``zopa
backtest`` (``zopa.backtest/1``) and ``zopa score`` (``zopa.score/1``); docs/json.md."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import Record, Result, ScenarioHeader


class VoteProbabilities(Record):
    """A member's probabilities of voting yes, no or abstaining."""

    yes: float
    no: float
    abstain: float


class CalibrationRow(Record):
    """Forecast probabilities within ``[low, high)``: how many, their mean, how often right."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


class ScoreRecord(Record):
    """Scores of ``n`` forecasts (multi-class Brier: 0 best, 2 worst; log loss natural)."""

    n: int
    accuracy: float | None
    brier: float | None
    log_loss: float | None
    calibration: list[CalibrationRow]


class ResultScores(Record):
    """Scores of the forecasts of each vote's result: ``brier_adopted`` and ``brier_vetoed``
    (binary Brier of P(adopted), P(vetoed)), and the three-way scores over adopted, failed,
    vetoed."""

    n: int
    brier_adopted: float | None
    brier_vetoed: float | None
    outcome: ScoreRecord


class MethodScores(Record):
    """One forecaster's scores: the fitted model or a baseline."""

    method: str
    description: str
    members: ScoreRecord
    results: ResultScores


class Prediction(Record):
    """One member's vote on one recorded vote, as predicted before it and as cast."""

    event: str
    date: str
    member: str
    probabilities: VoteProbabilities
    baselines: dict[str, VoteProbabilities]
    actual: str


class ResultPrediction(Record):
    """One vote's result, as predicted before it (by the model and each baseline) and as
    recorded."""

    event: str
    date: str
    draft: str
    fitted_on: int
    adopted: float
    vetoed: float
    failed: float
    baselines: dict[str, dict[str, float]]
    actual: str | None


class BacktestResult(Result):
    """``zopa backtest``: every recorded vote predicted from the earlier ones, scored."""

    kind = "backtest"
    format: Literal["zopa.backtest/1"] = "zopa.backtest/1"
    scenario: ScenarioHeader
    series: str
    record_file: str
    settings: dict[str, float]
    predictions: list[Prediction]
    results: list[ResultPrediction]
    summary: list[MethodScores]
    """The fitted model first, then the baselines."""
    note: str


class MemberFit(Record):
    """A member's fitted parameters: intercept (propensity to vote yes); per issue its
    ``lean`` (support, in logits, for a draft at the top of the issue's scale over one at the
    bottom, ``A - B``), its ideal point and salience as recovered (``A = 2 w x``, ``B = w``;
    ideal ``None`` where ``w <= 0``: no peak, the preference is monotone or convex); and how
    many of its votes the fit used."""

    votes: int
    intercept: float
    lean: dict[str, float]
    ideal: dict[str, float | None]
    salience: dict[str, float]


class VoteFitResult(Result):
    """``zopa vote fit``: the vote model fitted on a body's record up to a date."""

    kind = "vote-fit"
    format: Literal["zopa.vote-fit/1"] = "zopa.vote-fit/1"
    scenario: ScenarioHeader
    series: str
    record_file: str
    before: str | None
    votes: int
    members: dict[str, MemberFit]
    sponsor_effect: float
    bloc_effect: float
    affinity_effect: float
    cutpoints: list[float]
    converged: bool
    log_posterior: float
    settings: dict[str, float]


class ScoredForecast(Record):
    """One dated forecast of whether the talks end in agreement, and what happened."""

    date: str
    p_zopa: float
    p_zopa_se: float
    resolved_by: str
    outcome: str


class ScoreResult(Result):
    """``zopa score``: dated forecasts scored against the events that resolved them."""

    kind = "score"
    format: Literal["zopa.score/1"] = "zopa.score/1"
    scenario: ScenarioHeader
    samples: int
    seed: int
    forecasts: list[ScoredForecast]
    brier_zopa: float | None
    votes: BacktestResult | None
    note: str
