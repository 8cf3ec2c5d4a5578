"""The linear programmes that find packages (HiGHS): the most balanced package (maximin
surplus) and the closest package (least largest shortfall plus red-line violation), with
members' losses as rows (linear, or by segments for stated values) and links as rows.

Used by :mod:`zopa.analysis.zone` (the ZOPA) and :mod:`zopa.analysis.bargaining` (Nash's start).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import ParamSpec

import numpy as np
from scipy import optimize, sparse

from zopa import utility as u
from zopa.errors import UsageError
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

_TOL = 1e-9
P = ParamSpec("P")

Links = tuple[FloatArray, FloatArray]
"""Linked issues as rows ``(A (R, m), b (R,))`` of ``A z <= b`` over normalised packages."""



@dataclass(frozen=True, eq=False)
class Parties:
    """The members a package is sought for, as rows of normalised arrays: ideal points, issue
    weights and preference shapes ``(k, m)``, BATNAs ``(k,)``, and their stated values (rows as
    ``ideal``; ``None`` if they state none)."""

    ideal: FloatArray
    weights: FloatArray
    prefers: np.ndarray
    batna: FloatArray
    valuation: u.Valuation | None = None

    @classmethod
    def of(cls, arrays: ScenarioArrays, index: np.ndarray) -> Parties:
        """The actors ``index`` of a scenario's arrays."""
        return cls(arrays.ideal_normalised[index], arrays.weights[index], arrays.prefers[index],
                   arrays.batna[index], u.member_valuation(arrays.valuation, index))

    def utility(self, packages: FloatArray) -> FloatArray:
        """Each member's utility of normalised packages ``(p, m)`` or ``(m,)``."""
        return u.utility(packages, self.ideal, self.weights, self.prefers, self.valuation)

    def without_values(self) -> Parties:
        """The same members judging by distance from their ideal points only."""
        return replace(self, valuation=None)


_HIGHS_LINKED = {"primal_feasibility_tolerance": 1e-10}
"""HiGHS keeps constraints to 1e-7 by default; links are kept to 1e-9 (:mod:`zopa.links`)."""


def _link_rows(links: Links | None, n_vars: int) -> tuple[sparse.coo_array, FloatArray]:
    """The links' rows over the first ``m`` of ``n_vars`` LP variables (none if no links)."""
    if links is None or links[1].size == 0:
        return sparse.coo_array((0, n_vars)), np.zeros(0)
    a = sparse.coo_array(np.asarray(links[0], dtype=float))
    return (sparse.coo_array((a.data, (a.row, a.col)), shape=(a.shape[0], n_vars)),
            np.asarray(links[1], dtype=float))


def loss_rows(
    ideal: FloatArray,
    weights: FloatArray,
    prefers: np.ndarray,
    n_vars: int,
    t0: int,
    valuation: u.Valuation | None = None,
    pinned: FloatArray | None = None,
) -> tuple[sparse.coo_array, FloatArray]:
    """Rows ``t_ij >= o_j - x_ij`` and ``t_ij >= x_ij - o_j`` (as ``A x <= b``) where they bind.

    Variables: ``o`` at ``0..m-1``, then ``t`` (k x m, row-major) from ``t0``. Where the member
    states values (``valuation.mask``) the rows are ``t_ij >= 1 - value_ij(o_j)`` instead:
    one constant row if issue ``j`` is pinned to one point (``pinned[j]`` not NaN, an option of
    :func:`option_boxes`), else one row per segment of the value's upper concave hull (the
    value itself when concave, then exact; otherwise the loss is underestimated between the
    hull's points, see :func:`concave_values`, and callers check the true utilities).
    """
    _, m = ideal.shape
    if valuation is not None and valuation.any:
        plain = np.where(valuation.mask, 0.0, weights)
        a, rhs = loss_rows(ideal, plain, prefers, n_vars, t0)
        extra, extra_rhs = _value_rows(weights, valuation, n_vars, t0, pinned)
        return sparse.vstack([a, extra]).tocoo(), np.concatenate([rhs, extra_rhs])
    i, j = np.nonzero(weights > 0)
    t_index = t0 + i * m + j
    above = prefers[i, j] != u.MORE  # loses when o is above x
    below = prefers[i, j] != u.LESS  # loses when o is below x
    rows_a, rows_b = np.flatnonzero(above), np.flatnonzero(below)
    n_a, n_b = rows_a.size, rows_b.size
    r = np.concatenate([np.arange(n_a), np.arange(n_a), n_a + np.arange(n_b), n_a + np.arange(n_b)])
    c = np.concatenate([j[rows_a], t_index[rows_a], j[rows_b], t_index[rows_b]])
    v = np.concatenate([np.ones(n_a), -np.ones(n_a), -np.ones(n_b), -np.ones(n_b)])
    rhs = np.concatenate([ideal[i[rows_a], j[rows_a]], -ideal[i[rows_b], j[rows_b]]])
    return sparse.coo_array((v, (r, c)), shape=(n_a + n_b, n_vars)), rhs


def _value_rows(
    weights: FloatArray,
    valuation: u.Valuation,
    n_vars: int,
    t0: int,
    pinned: FloatArray | None,
) -> tuple[sparse.coo_array, FloatArray]:
    """Rows ``t_ij >= 1 - value_ij(o_j)`` for the valued pairs (see :func:`loss_rows`)."""
    _, m = weights.shape
    fixed = np.full(m, np.nan) if pinned is None else pinned
    i, j = np.nonzero((weights > 0) & valuation.mask & ~np.isnan(fixed)[None, :])
    at = u.piecewise_value(np.nan_to_num(fixed)[None, :], valuation.x, valuation.v)[0]
    rows_c = sparse.coo_array((-np.ones(i.size), (np.arange(i.size), t0 + i * m + j)),
                              shape=(i.size, n_vars))
    rhs_c = -(1.0 - at[i, j])
    # one row per segment s of the value's upper concave hull (the value itself when concave):
    # -slope_s o_j - t_ij <= -(1 - v_s + slope_s x_s)
    ii, jj = np.nonzero((weights > 0) & valuation.mask & np.isnan(fixed)[None, :])
    segments = [(i, j, *seg) for i, j in zip(ii.tolist(), jj.tolist(), strict=True)
                for seg in _hull_segments(valuation.x[i, j], valuation.v[i, j])]
    seg = np.array(segments, dtype=float).reshape(-1, 6)
    si, sj = seg[:, 0].astype(int), seg[:, 1].astype(int)
    slope = (seg[:, 5] - seg[:, 4]) / (seg[:, 3] - seg[:, 2])
    n = si.size
    rows_s = sparse.coo_array(
        (np.concatenate([-slope, -np.ones(n)]),
         (np.concatenate([np.arange(n), np.arange(n)]), np.concatenate([sj, t0 + si * m + sj]))),
        shape=(n, n_vars),
    )
    rhs_s = -(1.0 - seg[:, 4] + slope * seg[:, 2])
    return sparse.vstack([rows_c, rows_s]).tocoo(), np.concatenate([rhs_c, rhs_s])


def _hull_segments(x: FloatArray, v: FloatArray) -> list[tuple[float, float, float, float]]:
    """Segments ``(x0, x1, v0, v1)`` of the upper concave hull of the points (NaN: padding)."""
    hull: list[tuple[float, float]] = []
    for point in zip(x[~np.isnan(x)].tolist(), v[~np.isnan(x)].tolist(), strict=True):
        while len(hull) >= 2:
            (x0, y0), (x1, y1) = hull[-2], hull[-1]
            if (y1 - y0) * (point[0] - x0) <= (point[1] - y0) * (x1 - x0):
                hull.pop()  # the middle point lies on or below the chord
            else:
                break
        hull.append(point)
    return [(a[0], b[0], a[1], b[1]) for a, b in pairwise(hull)]


def concave_values(valuation: u.Valuation | None) -> bool:
    """True if every stated value is concave in the issue (the ZOPA and Nash LPs are then
    exact on continuous stretches; option issues pinned to one option are always exact)."""
    if valuation is None or not valuation.any:
        return True
    dx, dv = np.diff(valuation.x, axis=-1), np.diff(valuation.v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = dv / dx
    rises = np.diff(slope, axis=-1) > 1e-12  # NaN padding compares False
    return not bool(rises[valuation.mask].any())


def _keep_last(
    solve: Callable[P, tuple[FloatArray, float]],
) -> Callable[P, tuple[FloatArray, float]]:
    """``solve`` keeping its last answer, found again by a BLAKE2b digest of its arguments'
    arrays (answers as ``solve`` gives them, each caller getting its own copy)."""
    last: list[tuple[bytes, tuple[FloatArray, float]]] = []
    signature = inspect.signature(solve)

    @functools.wraps(solve)
    def kept(*args: P.args, **kwargs: P.kwargs) -> tuple[FloatArray, float]:
        key = _digest(signature.bind(*args, **kwargs))
        if key is not None and last and last[0][0] == key:
            package, margin = last[0][1]
            return package.copy(), margin
        package, margin = solve(*args, **kwargs)
        if key is not None:
            last[:] = [(key, (package.copy(), margin))]
        return package, margin

    return kept


def _digest(bound: inspect.BoundArguments) -> bytes | None:
    """A digest of the arrays among the arguments (``None`` if one holds Python objects)."""
    bound.apply_defaults()
    digest = hashlib.blake2b()
    arguments = dict(bound.arguments)
    parties = arguments.pop("parties", None)
    if isinstance(parties, Parties):  # its arrays, one by one
        arguments = {"ideal": parties.ideal, "weights": parties.weights,
                     "prefers": parties.prefers, "batna": parties.batna,
                     "valuation": parties.valuation, **arguments}
    for name, value in arguments.items():
        if isinstance(value, u.Valuation):
            # no stated value: the same rows as none (loss_rows)
            parts = [value.x, value.v, value.mask] if value.any else [None]
        else:
            parts = list(value) if isinstance(value, tuple) else [value]
        digest.update(name.encode())
        for part in parts:
            if part is None:
                digest.update(b"-")
                continue
            array = np.ascontiguousarray(part)
            if array.dtype.hasobject:
                return None
            digest.update(f"{array.dtype.str} {array.shape}".encode())
            digest.update(array.data)
    return digest.digest()


@_keep_last
def maximin_package(
    parties: Parties,
    box_low: FloatArray,
    box_high: FloatArray,
    links: Links | None = None,
) -> tuple[FloatArray, float]:
    """Package in ``[box_low, box_high]`` maximising the smallest surplus ``U_i - b_i``.

    All arrays normalised; ``ideal, weights, prefers`` are ``(k, m)`` for the members, and so is
    ``valuation`` (stated values, see :func:`loss_rows`); ``links`` are rows ``(A, b)`` the
    package must keep (``A z <= b``, :mod:`zopa.links`). Returns ``(package (m,), smallest
    surplus)``; ``(NaN, -inf)`` if no package in the box keeps the links.

    The last answer is kept: a forecast asks for the same package twice (the Nash solution's
    start and the zone), which on large problems (200 parties x 60 issues: ~8 s) is the bulk
    of the work.
    """
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna
    valuation = parties.valuation

    k, m = ideal.shape
    t0, z = m, m + k * m
    n_vars = z + 1
    pinned = np.where(box_low == box_high, box_low, np.nan)
    loss, loss_rhs = loss_rows(ideal, weights, prefers, n_vars, t0, valuation, pinned)
    # sum_j w_ij t_ij - z <= 1 - b_i
    i, j = np.nonzero(weights > 0)
    r = np.concatenate([i, np.arange(k)])
    c = np.concatenate([t0 + i * m + j, np.full(k, z)])
    v = np.concatenate([weights[i, j], -np.ones(k)])
    surplus = sparse.coo_array((v, (r, c)), shape=(k, n_vars))
    link_a, link_b = _link_rows(links, n_vars)
    a = sparse.vstack([loss, surplus, link_a]).tocsr()
    b = np.concatenate([loss_rhs, 1.0 - batna, link_b])
    cost = np.zeros(n_vars)
    cost[z] = 1.0
    bounds = np.array(
        [*zip(box_low, box_high, strict=True), *[(0.0, None)] * (k * m), (None, None)], dtype=object
    )
    res = optimize.linprog(cost, A_ub=a, b_ub=b, bounds=bounds, method="highs",
                           options=_HIGHS_LINKED if link_b.size else None)
    if res.status == 2 and link_b.size:
        return np.full(m, np.nan), -np.inf
    if res.status != 0:  # pragma: no cover - the problem is always feasible and bounded
        raise RuntimeError(f"maximin LP failed: {res.message}")
    return np.clip(res.x[:m], box_low, box_high), float(-res.x[z])


def closest_package(
    parties: Parties,
    low: FloatArray,
    high: FloatArray,
    links: Links | None = None,
) -> FloatArray:
    """Package minimising the largest ``shortfall_i + violation_i`` over members (normalised),
    among the packages that keep ``links`` (rows ``A z <= b``; a :class:`UsageError` if none
    on the 0-1 scales does); ``valuation``: the members' stated values (see :func:`loss_rows`)."""
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna
    valuation = parties.valuation

    k, m = ideal.shape
    t0 = m
    s0 = t0 + k * m
    v0 = s0 + k
    z = v0 + k * m
    n_vars = z + 1
    loss, loss_rhs = loss_rows(ideal, weights, prefers, n_vars, t0, valuation)
    # s_i >= b_i - U_i:  sum_j w_ij t_ij - s_i <= 1 - b_i
    i, j = np.nonzero(weights > 0)
    short = sparse.coo_array(
        (
            np.concatenate([weights[i, j], -np.ones(k)]),
            (
                np.concatenate([i, np.arange(k)]),
                np.concatenate([t0 + i * m + j, s0 + np.arange(k)]),
            ),
        ),
        shape=(k, n_vars),
    )
    # v_ij >= low_ij - o_j and v_ij >= o_j - high_ij
    ii, jj = np.nonzero(np.ones((k, m), dtype=bool))
    v_index = v0 + ii * m + jj
    rows = np.arange(k * m)
    viol_low = sparse.coo_array(
        (
            np.concatenate([-np.ones(k * m), -np.ones(k * m)]),
            (np.concatenate([rows, rows]), np.concatenate([jj, v_index])),
        ),
        shape=(k * m, n_vars),
    )
    viol_high = sparse.coo_array(
        (
            np.concatenate([np.ones(k * m), -np.ones(k * m)]),
            (np.concatenate([rows, rows]), np.concatenate([jj, v_index])),
        ),
        shape=(k * m, n_vars),
    )
    # s_i + sum_j v_ij - z <= 0
    total = sparse.coo_array(
        (
            np.concatenate([np.ones(k), np.ones(k * m), -np.ones(k)]),
            (
                np.concatenate([np.arange(k), ii, np.arange(k)]),
                np.concatenate([s0 + np.arange(k), v_index, np.full(k, z)]),
            ),
        ),
        shape=(k, n_vars),
    )
    link_a, link_b = _link_rows(links, n_vars)
    a = sparse.vstack([loss, short, viol_low, viol_high, total, link_a]).tocsr()
    b = np.concatenate([loss_rhs, 1.0 - batna, -low[ii, jj], high[ii, jj], np.zeros(k), link_b])
    cost = np.zeros(n_vars)
    cost[z] = 1.0
    bounds = np.array([*[(0.0, 1.0)] * m, *[(0.0, None)] * (z - m), (None, None)], dtype=object)
    options = _HIGHS_LINKED if link_b.size else None
    res = optimize.linprog(cost, A_ub=a, b_ub=b, bounds=bounds, method="highs", options=options)
    if res.status == 2 and link_b.size:
        raise UsageError("no package on the issues' scales keeps every link")
    if res.status != 0:  # pragma: no cover - always feasible and bounded
        raise RuntimeError(f"closest-package LP failed: {res.message}")
    # Many packages can share the smallest largest gap (issues that bind nobody are free). Among
    # them take the smallest total gap, then the least total utility loss: without this second
    # stage the solver would return an arbitrary vertex, e.g. an issue at the end of its scale.
    bounds[z] = (None, res.x[z] + 1e-9)
    tie_break = np.zeros(n_vars)
    tie_break[s0:z] = 1.0
    i, j = np.nonzero(weights > 0)
    tie_break[t0 + i * m + j] = 1e-3 * weights[i, j]
    second = optimize.linprog(tie_break, A_ub=a, b_ub=b, bounds=bounds, method="highs",
                              options=options)
    if second.status == 0:
        res = second
    return np.asarray(np.clip(res.x[:m], 0.0, 1.0), dtype=float)
