"""Static spatial forecasts: the compromise model (weighted mean) and the weighted median.

Both weight actor ``i`` on issue ``j`` by capability x salience, ``c_i s_ij`` (actors without a
position on an issue get weight 0).

- Compromise model: the outcome is the weighted mean of ideal points,
  ``sum_i c_i s_ij x_ij / sum_i c_i s_ij`` -- Van den Bos (1991) *Dutch EC Policy Making*; Achen
  (2006) "Institutional realism and bargaining models", in Thomson et al. (eds.) *The European Union
  Decides*, ch. 4, eq. 4.5, where it is the Nash bargaining solution of actors with quadratic loss.
- Weighted median (median voter): the position with at least half of the total weight on each side
  -- Black (1948) "On the rationale of group decision-making", J. Political Economy 56(1); with
  capability x salience as weights this is the starting forecast of Bueno de Mesquita's
  expected-utility model (Bueno de Mesquita 1994, in *European Community Decision Making*, ch. 4).

If nobody gives an issue weight, both fall back to the unweighted statistic of the ideal points
(the midpoint of the scale if nobody holds a position).
"""

from __future__ import annotations

import numpy as np

from zopa.models.base import Forecast, ForecastModel, register
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray


def influence_weights(
    capability: FloatArray, salience: FloatArray, ideal: FloatArray
) -> FloatArray:
    """``c_i s_ij`` where actor ``i`` holds a position on issue ``j``, else 0: shape ``(n, m)``.

    Leading batch axes are allowed: ``capability (..., n)``, ``salience`` and ``ideal``
    ``(..., n, m)`` give ``(..., n, m)``.
    """
    held = ideal == ideal  # not NaN (a comparison is cheaper than isnan on large batches)
    return np.where(held, capability[..., :, None] * salience, 0.0)


def _fallback_weights(weights: FloatArray, ideal: FloatArray) -> FloatArray:
    """Issues nobody weighs get equal weight on every held position."""
    unweighted = _column_sum(weights) <= 0
    if not unweighted.any():
        return weights
    return np.where(unweighted[..., None, :] & (ideal == ideal), 1.0, weights)


def _column_sum(values: FloatArray) -> FloatArray:
    """Sum over actors (axis -2) in actor order, as ``values.sum(axis=-2)`` but faster on
    batches (numpy's reduction over a short middle axis is slow)."""
    return np.asarray(np.einsum("...nm->...m", values), dtype=float)


def weighted_mean(ideal: FloatArray, weights: FloatArray, midpoint: FloatArray) -> FloatArray:
    """Per-issue weighted mean of ``ideal`` ``(n, m)``; ``midpoint`` where nobody holds one.

    With leading batch axes (``ideal`` and ``weights`` ``(..., n, m)``) the result is
    ``(..., m)``, each batch entry the same as on its own.
    """
    w = _fallback_weights(weights, ideal)
    total = _column_sum(w)
    x = np.where(ideal == ideal, ideal, 0.0)
    mean = np.divide(_column_sum(w * x), total, out=np.zeros_like(total), where=total > 0)
    return np.where(total > 0, mean, midpoint)


def weighted_median(ideal: FloatArray, weights: FloatArray, midpoint: FloatArray) -> FloatArray:
    """Per-issue weighted median of ``ideal`` ``(n, m)``, all issues at once.

    The lower weighted median, except where the cumulative weight reaches exactly one half: then
    every point between two positions is a median and the midpoint of the two is returned, which
    keeps the result symmetric under reflection of the scale. Leading batch axes are allowed as
    in :func:`weighted_mean`.
    """
    w = _fallback_weights(weights, ideal)
    x = np.where(np.isnan(ideal), np.inf, ideal)  # no position: sorted last with weight 0
    order = np.argsort(x, axis=-2, kind="stable")
    xs = np.take_along_axis(x, order, axis=-2)
    ws = np.take_along_axis(w, order, axis=-2)
    cum = np.cumsum(ws, axis=-2)
    total = cum[..., -1, :]
    half = total / 2.0
    tol = 1e-12 * np.maximum(total, 1.0)
    first = np.argmax(cum >= (half - tol)[..., None, :], axis=-2)[..., None, :]  # reaches half
    lower = np.take_along_axis(xs, first, axis=-2)[..., 0, :]
    exact = np.abs(np.take_along_axis(cum, first, axis=-2)[..., 0, :] - half) <= tol
    # the next position that carries weight, for the exact-half case
    rows = np.arange(x.shape[-2])[:, None]
    upper = np.where((rows > first) & (ws > 0), xs, np.inf).min(axis=-2)
    median = np.where(exact & np.isfinite(upper), (lower + upper) / 2.0, lower)
    return np.where(total > 0, median, midpoint)


class _WeightedStatisticModel(ForecastModel):
    """A per-issue statistic of the ideal points, weighted by capability x salience."""

    @staticmethod
    def _statistic(ideal: FloatArray, weights: FloatArray, midpoint: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        weights = influence_weights(scenario.capability, scenario.salience, scenario.ideal)
        midpoint = (scenario.lo + scenario.hi) / 2.0
        return self._static(scenario, self._statistic(scenario.ideal, weights, midpoint))


@register
class CompromiseModel(_WeightedStatisticModel):
    """Capability x salience weighted mean of the ideal points, per issue."""

    name = "compromise"
    title = "Compromise model (weighted mean)"
    reference = "Van den Bos 1991; Achen 2006, The European Union Decides, ch. 4"
    _statistic = staticmethod(weighted_mean)


@register
class MedianModel(_WeightedStatisticModel):
    """Capability x salience weighted median of the ideal points, per issue (median voter)."""

    name = "median"
    title = "Weighted median (median voter)"
    reference = "Black 1948; Bueno de Mesquita 1994"
    _statistic = staticmethod(weighted_median)
