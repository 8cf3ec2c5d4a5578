"""zopa's utility model: how an actor values an outcome. Every model and protocol uses this module.

Stated once (docs/utility.md has the long form with examples):

1. **Scale.** Each issue's scale ``[lo, hi]`` is mapped to ``[0, 1]``: ``z = (v - lo) / (hi - lo)``.
   Named options ``k = 0..K-1`` sit at ``z = k / (K - 1)``.
2. **Loss per issue.** For actor ``i`` with normalised ideal point ``x_ij`` the loss at ``z`` is the
   distance it cares about: ``|z - x_ij|`` if single-peaked (``prefers: ideal``),
   ``max(x_ij - z, 0)`` if it prefers more, ``max(z - x_ij, 0)`` if it prefers less.
   The loss is linear in distance, as in the spatial models of Achen (2006) and Stokman's exchange
   model; it lies in ``[0, 1]``.
3. **Weights.** Salience is normalised over the actor's issues: ``w_ij = s_ij / sum_j s_ij``. An
   issue the actor takes no position on has weight 0. An actor with zero total salience is
   indifferent (utility 1 everywhere).
4. **Utility.** ``U_i(z) = 1 - sum_j w_ij loss_ij(z_j)``, in ``[0, 1]``: 1 is every issue at the
   ideal point, 0 every issue at its worst possible distance.
   **Valued positions.** Where the actor states its value of each option (or a piecewise-linear
   value over the range), ``value_ij(z)`` in ``[0, 1]``, the loss is ``1 - value_ij(z)`` instead
   (:func:`piecewise_value`). An actor valued on every issue it weights gets
   ``U_i = sum_j w_ij value_ij(z_j)`` (the same number, summed in issue order so that a GENIUS
   linear-additive table is reproduced bit for bit).
5. **Red lines** are hard constraints, not part of ``U``: the red line ``r_ij`` bounds the values
   the actor accepts on issue ``j`` to the side of ``r_ij`` where its ideal point lies (``[r, 1]``
   if ``r < x``, ``[0, r]`` if ``r > x``, just ``{x}`` if ``r = x``). The *violation* of a package
   is the total distance by which it lies outside these intervals, summed over issues.
6. **BATNA** ``b_i`` is the utility of no agreement on the same 0-1 scale. The *surplus* of a
   package is ``U_i(z) - b_i``. A package is **acceptable** to ``i`` iff its violation is 0 and its
   surplus is ``>= 0``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int8]
BoolArray = NDArray[np.bool_]

PEAKED, MORE, LESS = 0, 1, -1
"""Codes for the shape of preference on an issue (see ``prefers`` in the scenario format)."""

_CHUNK_ELEMENTS = 1 << 22  # outcomes x actors x issues per block: ~32 MB of float64


def normalise(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Issue values in natural units -> ``[0, 1]`` per issue (last axis)."""
    return np.asarray((np.asarray(values, dtype=float) - lo) / (hi - lo), dtype=float)


def denormalise(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Inverse of :func:`normalise`."""
    return lo + np.asarray(values, dtype=float) * (hi - lo)


def salience_weights(salience: FloatArray) -> FloatArray:
    """Salience ``(n, m)`` -> weights summing to 1 over each actor's issues (0 if all zero)."""
    total = salience.sum(axis=-1, keepdims=True)
    out = np.zeros_like(salience, dtype=float)
    np.divide(salience, total, out=out, where=total > 0)
    return out


def issue_loss(outcomes: FloatArray, ideal: FloatArray, prefers: IntArray) -> FloatArray:
    """Loss per actor and issue.

    Args:
        outcomes: normalised packages, shape ``(k, m)``.
        ideal: normalised ideal points, shape ``(n, m)``.
        prefers: preference shape codes ``(n, m)``: ``PEAKED``, ``MORE`` or ``LESS``.

    Returns:
        Array ``(k, n, m)`` in ``[0, 1]``. With leading batch axes (``outcomes (..., k, m)``,
        ``ideal`` and ``prefers`` ``(..., n, m)``, broadcast together): ``(..., k, n, m)``.
    """
    diff = outcomes[..., :, None, :] - ideal[..., None, :, :]  # positive: above the ideal point
    loss = np.abs(diff)
    loss = np.where(prefers == MORE, np.maximum(-diff, 0.0), loss)
    return np.where(prefers == LESS, np.maximum(diff, 0.0), loss)


@dataclass(frozen=True, eq=False)
class Valuation:
    """Stated values of actors on issues: piecewise-linear ``value_ij(z)`` through points.

    ``x[i, j, :]`` are the normalised points (strictly increasing, from 0 to 1; an option issue's
    options at ``linspace(0, 1, K)``) and ``v[i, j, :]`` the values there, in ``[0, 1]``; both are
    padded with NaN to a common length ``p >= 2``. ``mask[i, j]`` is True where actor ``i`` states
    values on issue ``j`` (elsewhere its loss is the distance from its ideal point).
    """

    x: FloatArray
    v: FloatArray
    mask: BoolArray

    @property
    def any(self) -> bool:
        """True if some actor states values on some issue."""
        return bool(self.mask.any())


def member_valuation(valuation: Valuation | None, index: np.ndarray) -> Valuation | None:
    """The stated values of the actors ``index`` (rows of every array), or ``None`` if they
    state none."""
    if valuation is None or not valuation.mask[index].any():
        return None
    return Valuation(valuation.x[index], valuation.v[index], valuation.mask[index])


def piecewise_value(outcomes: FloatArray, x: FloatArray, v: FloatArray) -> FloatArray:
    """Piecewise-linear values of packages: ``(k, m)`` packages -> ``(k, n, m)`` values.

    ``x`` and ``v`` are ``(n, m, p)`` points and values padded with NaN (see :class:`Valuation`).
    Between two points the value is ``(1 - t) v_s + t v_{s+1}``, exact at both points; outside
    the points it is the nearest end's value. Rows without points give NaN. Packages may carry
    leading batch axes, ``(..., k, m)`` -> ``(..., k, n, m)``.

    >>> x = np.array([[[0.0, 0.5, 1.0]]]); v = np.array([[[0.2, 1.0, 0.0]]])
    >>> piecewise_value(np.array([[0.0], [0.25], [0.5], [1.0]]), x, v)[:, 0, 0].tolist()
    [0.2, 0.6, 1.0, 0.0]
    """
    z = np.asarray(outcomes, dtype=float)[..., :, None, :, None]  # (..., k, 1, m, 1)
    count = np.sum(x <= z, axis=-1)  # points at or below z; NaN compares False
    last = np.maximum(np.sum(~np.isnan(x), axis=-1) - 2, 0)  # (n, m) last segment start
    seg = np.minimum(np.maximum(count - 1, 0), last)[..., None]  # (..., k, n, m, 1)
    shape = (*z.shape[:-3], *x.shape)
    xs, vs = np.broadcast_to(x, shape), np.broadcast_to(v, shape)
    x0 = np.take_along_axis(xs, seg, axis=-1)[..., 0]
    x1 = np.take_along_axis(xs, seg + 1, axis=-1)[..., 0]
    v0 = np.take_along_axis(vs, seg, axis=-1)[..., 0]
    v1 = np.take_along_axis(vs, seg + 1, axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip((z[..., 0] - x0) / (x1 - x0), 0.0, 1.0)
    return np.asarray((1.0 - t) * v0 + t * v1, dtype=float)


def _chunks(k: int, n: int, m: int) -> Iterator[slice]:
    step = max(1, _CHUNK_ELEMENTS // max(1, n * m))
    for start in range(0, k, step):
        yield slice(start, min(k, start + step))


def utility(
    outcomes: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    prefers: IntArray,
    valuation: Valuation | None = None,
) -> FloatArray:
    """Utility ``U_i`` of each package for each actor.

    Args:
        outcomes: normalised packages ``(k, m)``, or one package ``(m,)``.
        ideal: normalised ideal points ``(n, m)``.
        weights: issue weights ``(n, m)``, each row summing to 1 or all 0 (from
            :func:`salience_weights`).
        prefers: preference shape codes ``(n, m)``: ``PEAKED``, ``MORE`` or ``LESS``.
        valuation: stated values (:class:`Valuation`); where ``mask`` is True the loss is
            ``1 - value``. ``None`` or an empty mask: distance loss everywhere.

    Returns:
        ``(k, n)``, or ``(n,)`` for a single package. Computed in blocks to bound memory.

    Leading batch axes: with ``ideal`` and ``weights`` ``(..., n, m)`` and ``outcomes``
    ``(..., k, m)`` (broadcast together; ``valuation`` is shared) the result is ``(..., k, n)``,
    each batch entry the same as on its own; not blocked (the caller bounds the batch).
    """
    if np.ndim(ideal) > 2 or np.ndim(weights) > 2 or np.ndim(outcomes) > 2:
        return _utility_block(np.asarray(outcomes, dtype=float), ideal, weights, prefers,
                              valuation)
    z = np.atleast_2d(np.asarray(outcomes, dtype=float))
    n, m = ideal.shape
    out = np.empty((z.shape[0], n))
    valued = valuation is not None and valuation.any
    p = valuation.x.shape[-1] if valuation is not None and valued else 1
    for block in _chunks(z.shape[0], n, m * (p + 1)):
        out[block] = _utility_block(z[block], ideal, weights, prefers, valuation)
    return out[0] if np.ndim(outcomes) == 1 else out


def _utility_block(
    z: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    prefers: IntArray,
    valuation: Valuation | None,
) -> FloatArray:
    """:func:`utility` of packages ``(..., k, m)`` at once: ``(..., k, n)``."""
    loss = issue_loss(z, ideal, prefers)
    if valuation is None or not valuation.any:
        return np.asarray(1.0 - np.einsum("...knm,...nm->...kn", loss, weights), dtype=float)
    value = np.where(valuation.mask, piecewise_value(z, valuation.x, valuation.v), 0.0)
    loss = np.where(valuation.mask, 1.0 - value, loss)
    out = 1.0 - np.einsum("...knm,...nm->...kn", loss, weights)
    full = _fully_valued(weights, valuation.mask)
    if full.any():
        total = np.zeros(out.shape)
        for j in range(z.shape[-1]):  # issue order: GENIUS's sum, bit for bit
            total = total + weights[..., None, :, j] * value[..., j]
        out = np.where(full[..., None, :], total, out)
    return np.asarray(out, dtype=float)


def _fully_valued(weights: FloatArray, mask: BoolArray) -> BoolArray:
    """``(..., n)``: actors with some weight whose every weighted issue is valued."""
    weighted = weights > 0
    return np.asarray(weighted.any(axis=-1) & ~(weighted & ~mask).any(axis=-1), dtype=bool)


def acceptable_interval(ideal: FloatArray, red_line: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Normalised interval ``[low, high]`` each actor accepts on each issue; NaN red line = none."""
    low = np.where(red_line < ideal, red_line, 0.0)
    high = np.where(red_line > ideal, red_line, 1.0)
    exact = red_line == ideal
    low = np.where(exact, ideal, low)
    high = np.where(exact, ideal, high)
    return low, high


def red_line_violation(outcomes: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """Normalised distance beyond each actor's acceptable intervals: ``(k, n)`` or ``(n,)``.

    With leading batch axes (``outcomes (..., k, m)``, ``low`` and ``high`` ``(..., n, m)``):
    ``(..., k, n)``, not blocked.
    """
    if np.ndim(low) > 2 or np.ndim(high) > 2 or np.ndim(outcomes) > 2:
        zz = np.asarray(outcomes, dtype=float)[..., :, None, :]
        below = np.maximum(low[..., None, :, :] - zz, 0.0)
        above = np.maximum(zz - high[..., None, :, :], 0.0)
        return np.asarray((below + above).sum(axis=-1), dtype=float)
    z = np.atleast_2d(np.asarray(outcomes, dtype=float))
    n, m = low.shape
    out = np.empty((z.shape[0], n))
    for block in _chunks(z.shape[0], n, m):
        zz = z[block][:, None, :]
        below = np.maximum(low[None] - zz, 0.0)
        above = np.maximum(zz - high[None], 0.0)
        out[block] = (below + above).sum(axis=-1)
    return out[0] if np.ndim(outcomes) == 1 else out
