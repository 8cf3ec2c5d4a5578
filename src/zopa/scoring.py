"""Scores of probabilistic forecasts against what happened: accuracy, the multi-class Brier
score, log loss and a calibration table (Brier 1950; Gneiting & Raftery 2007, "Strictly proper
scoring rules, prediction, and estimation", JASA 102: 359-378).

A forecast is a row of probabilities over ``c`` outcomes, the outcome a column index. The Brier
score here is the sum over outcomes of the squared error (0 for a certain right forecast, 2 for
a certain wrong one; 2/3 for a uniform forecast over three outcomes, 0.5 over two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.utility import FloatArray

LOG_FLOOR = 1e-15
"""Probabilities are floored here before the log (a certain wrong forecast scores 34.5, not inf)."""
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class CalibrationBin:
    """Every probability a forecaster gave within ``[low, high)``: how many (``count``), their
    mean (``predicted``) and how often the outcome they were given for happened (``observed``)."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


@dataclass(frozen=True)
class Scores:
    """How good ``n`` forecasts were: share right (the most probable outcome happened), mean
    multi-class Brier score, mean log loss (natural log) and the calibration table."""

    n: int
    accuracy: float
    brier: float
    log_loss: float
    calibration: tuple[CalibrationBin, ...]


def score(probabilities: FloatArray, outcomes: np.ndarray) -> Scores:
    """Scores of forecasts ``probabilities`` (``(n, c)``, rows summing to 1) of ``outcomes``
    (``(n,)`` column indices).

    >>> s = score(np.array([[0.8, 0.2], [0.4, 0.6]]), np.array([0, 0]))
    >>> round(s.accuracy, 2), round(s.brier, 2)
    (0.5, 0.4)

    Raises:
        UsageError: for mismatched shapes, probabilities outside [0, 1] or rows not summing to 1.
    """
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(outcomes, dtype=np.intp)
    if p.ndim != 2 or y.shape != (p.shape[0],):
        raise UsageError(f"scores need (n, c) probabilities and n outcomes, not {p.shape} and "
                         f"{y.shape}")
    if p.shape[0] == 0:
        return Scores(0, float("nan"), float("nan"), float("nan"), ())
    if not np.all(np.isfinite(p)) or p.min() < -1e-12 or p.max() > 1 + 1e-12:
        raise UsageError("probabilities must be finite numbers in [0, 1]")
    if np.abs(p.sum(axis=1) - 1.0).max() > 1e-6:
        raise UsageError("each forecast's probabilities must sum to 1")
    if y.min() < 0 or y.max() >= p.shape[1]:
        raise UsageError(f"outcomes must be column indices 0..{p.shape[1] - 1}")
    rows = np.arange(p.shape[0])
    truth = np.zeros_like(p)
    truth[rows, y] = 1.0
    return Scores(
        n=int(p.shape[0]),
        accuracy=float(np.mean(np.argmax(p, axis=1) == y)),
        brier=float(np.mean(np.sum((p - truth) ** 2, axis=1))),
        log_loss=float(-np.mean(np.log(np.maximum(p[rows, y], LOG_FLOOR)))),
        calibration=calibration(p.ravel(), truth.ravel()),
    )


def calibration(predicted: FloatArray, happened: FloatArray, bins: int = CALIBRATION_BINS
                ) -> tuple[CalibrationBin, ...]:
    """Reliability table: every probability given (``predicted``, flat) with whether its outcome
    happened (``happened``, 0 or 1), in ``bins`` equal bins of [0, 1] (1 in the last); empty
    bins are left out."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    at = np.clip(np.searchsorted(edges, predicted, side="right") - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        inside = at == b
        count = int(inside.sum())
        if count:
            out.append(CalibrationBin(float(edges[b]), float(edges[b + 1]), count,
                                      float(predicted[inside].mean()),
                                      float(happened[inside].mean())))
    return tuple(out)


def binary_brier(probability: FloatArray, happened: np.ndarray) -> float:
    """Mean Brier score of forecasts ``probability`` that an event happens (the usual binary
    form, ``(p - y)^2``, 0 to 1; half the two-outcome multi-class score)."""
    p = np.asarray(probability, dtype=float)
    if p.size == 0:
        return float("nan")
    return float(np.mean((p - np.asarray(happened, dtype=float)) ** 2))
