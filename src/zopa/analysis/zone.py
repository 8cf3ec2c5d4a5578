"""ZOPA analysis: is there a zone of possible agreement, and how far is the closest package?

Per issue, the zone is the interval every member accepts given its red line (the intersection of
the members' acceptable intervals). Across issues, a package is *acceptable* to a member when it
crosses none of its red lines and leaves it at least at its BATNA (see :mod:`zopa.utility`). With
zopa's piecewise-linear utilities both questions are linear programs (solved with HiGHS):

1. Inside the red-line box, maximise the smallest surplus ``min_i U_i(z) - b_i``. If that maximum is
   ``>= 0`` the ZOPA is non-empty and the maximising package is its most balanced point.
2. Otherwise find the *closest package*: minimise the largest ``shortfall_i + violation_i`` over
   members, where ``shortfall_i = max(b_i - U_i, 0)`` (utility short of the BATNA) and
   ``violation_i`` is the distance beyond the member's red lines, both on the normalised 0-1 scales.

The ZOPA concept is from Raiffa (1982), *The Art and Science of Negotiation*, ch. 4; the
multi-issue, multi-party form with red lines and BATNAs follows Sebenius (1992) "Negotiation
analysis", Management Science 38(1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy import optimize, sparse

from zopa import utility as u
from zopa.errors import UsageError
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

_TOL = 1e-9

Links = tuple[FloatArray, FloatArray]
"""Linked issues as rows ``(A (R, m), b (R,))`` of ``A z <= b`` over normalised packages."""

_HIGHS_LINKED = {"primal_feasibility_tolerance": 1e-10}
"""HiGHS keeps constraints to 1e-7 by default; links are kept to 1e-9 (:mod:`zopa.links`)."""


def _link_rows(links: Links | None, n_vars: int) -> tuple[sparse.coo_array, FloatArray]:
    """The links' rows over the first ``m`` of ``n_vars`` LP variables (none if no links)."""
    if links is None or links[1].size == 0:
        return sparse.coo_array((0, n_vars)), np.zeros(0)
    a = sparse.coo_array(np.asarray(links[0], dtype=float))
    return (sparse.coo_array((a.data, (a.row, a.col)), shape=(a.shape[0], n_vars)),
            np.asarray(links[1], dtype=float))

MAX_OPTION_PACKAGES = 4096
"""Above this many combinations of options, discrete issues are treated as continuous."""
MAX_VALUED_PACKAGES = 5_000_000
"""With stated values and only option issues, up to this many packages are enumerated exactly
(in blocks), as the outcome analysis does; beyond it options are treated as a scale."""
_GRID_BLOCK = 1 << 16


@dataclass(frozen=True)
class IssueZone:
    """The range of one issue that every member accepts (in issue units)."""

    issue: str
    low: float
    high: float
    low_set_by: tuple[str, ...]
    high_set_by: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True if the members' acceptable ranges do not overlap on this issue (``low > high``)."""
        return self.low > self.high + _TOL


@dataclass(frozen=True, eq=False)
class ZoneAnalysis:
    """Result of :func:`analyse_zone`.

    Attributes:
        members: the actors that must all accept.
        issues: the zone per issue.
        feasible: True iff some package is acceptable to every member (the ZOPA is not empty).
        package: the most balanced acceptable package if ``feasible``, else the closest package,
            in issue units ``(m,)``.
        utility, surplus, shortfall, violation: per member at ``package`` ``(k,)``.
        margin: ``min_i surplus_i`` at ``package`` (>= 0 iff feasible).
        links_conflict: True if the red lines leave room on every issue but no package within
            them keeps the scenario's links (the package then keeps the links, not red lines).
    """

    members: tuple[str, ...]
    issues: tuple[IssueZone, ...]
    feasible: bool
    package: FloatArray
    utility: FloatArray
    surplus: FloatArray
    shortfall: FloatArray
    violation: FloatArray
    links_conflict: bool = False

    @property
    def margin(self) -> float:
        """The smallest surplus ``min_i U_i - b_i`` at ``package`` (>= 0 iff feasible)."""
        return float(self.surplus.min())


def issue_zones(
    low: FloatArray, high: FloatArray, members: Sequence[str], issues: Sequence[str]
) -> list[tuple[float, float, tuple[str, ...], tuple[str, ...]]]:
    """Intersect members' acceptable intervals per issue.

    Args:
        low: ``(k, m)`` lower ends of the members' acceptable intervals (normalised, 0-1).
        high: ``(k, m)`` upper ends of the members' acceptable intervals (normalised, 0-1).
        members: the ``k`` member ids, in the row order of ``low`` and ``high``.
        issues: the ``m`` issue ids, in the column order of ``low`` and ``high``.

    Returns:
        Per issue ``(low, high, set_low_by, set_high_by)`` on the normalised scale; the zone is
        empty where ``low > high``. ``set_*_by`` names the members whose red line is the bound.
    """
    zone_low, zone_high = low.max(axis=0), high.min(axis=0)
    out = []
    for j in range(len(issues)):
        by_low = (
            tuple(members[int(i)] for i in np.flatnonzero(low[:, j] >= zone_low[j] - _TOL))
            if zone_low[j] > 0
            else ()
        )
        by_high = (
            tuple(members[int(i)] for i in np.flatnonzero(high[:, j] <= zone_high[j] + _TOL))
            if zone_high[j] < 1
            else ()
        )
        out.append((float(zone_low[j]), float(zone_high[j]), by_low, by_high))
    return out


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


def maximin_package(
    ideal: FloatArray,
    weights: FloatArray,
    prefers: np.ndarray,
    batna: FloatArray,
    box_low: FloatArray,
    box_high: FloatArray,
    valuation: u.Valuation | None = None,
    links: Links | None = None,
) -> tuple[FloatArray, float]:
    """Package in ``[box_low, box_high]`` maximising the smallest surplus ``U_i - b_i``.

    All arrays normalised; ``ideal, weights, prefers`` are ``(k, m)`` for the members, and so is
    ``valuation`` (stated values, see :func:`loss_rows`); ``links`` are rows ``(A, b)`` the
    package must keep (``A z <= b``, :mod:`zopa.links`). Returns ``(package (m,), smallest
    surplus)``; ``(NaN, -inf)`` if no package in the box keeps the links.
    """
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
    ideal: FloatArray,
    weights: FloatArray,
    prefers: np.ndarray,
    batna: FloatArray,
    low: FloatArray,
    high: FloatArray,
    valuation: u.Valuation | None = None,
    links: Links | None = None,
) -> FloatArray:
    """Package minimising the largest ``shortfall_i + violation_i`` over members (normalised),
    among the packages that keep ``links`` (rows ``A z <= b``; a :class:`UsageError` if none
    on the 0-1 scales does); ``valuation``: the members' stated values (see :func:`loss_rows`)."""
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


def option_boxes(
    options: Sequence[Sequence[str] | None], box_low: FloatArray, box_high: FloatArray
) -> list[tuple[FloatArray, FloatArray]]:
    """Split the box ``[box_low, box_high]`` (normalised) into one box per combination of options.

    On an issue with named options only the options themselves are possible outcomes, so each
    combination of the options inside the box pins those issues to one value while continuous
    issues keep their interval. Returns ``[(box_low, box_high)]`` unchanged if there is no discrete
    issue or more than :data:`MAX_OPTION_PACKAGES` combinations (then options are treated as a
    continuous scale, and the reported values are rounded to the nearest option).
    """
    discrete = [j for j, names in enumerate(options) if names is not None]
    if not discrete:
        return [(box_low, box_high)]
    values = []
    for j in discrete:
        count = len(options[j])  # type: ignore[arg-type]
        v = np.arange(count) / (count - 1)
        values.append(v[(v >= box_low[j] - _TOL) & (v <= box_high[j] + _TOL)])
    total = int(np.prod([len(v) for v in values]))
    if total > MAX_OPTION_PACKAGES:
        return [(box_low, box_high)]
    grid = np.stack(np.meshgrid(*values, indexing="ij"), axis=-1).reshape(total, len(discrete))
    boxes = []
    for combo in grid:
        low, high = box_low.copy(), box_high.copy()
        low[discrete] = combo
        high[discrete] = combo
        boxes.append((low, high))
    return boxes


def option_grid(
    options: Sequence[Sequence[str] | None], box_low: FloatArray, box_high: FloatArray
) -> list[FloatArray] | None:
    """The options of each issue inside the box (normalised), when every issue has options and
    there are at most :data:`MAX_VALUED_PACKAGES` combinations; else ``None``."""
    if any(names is None for names in options):
        return None
    values = []
    for j, names in enumerate(options):
        v = np.linspace(0.0, 1.0, len(names))  # type: ignore[arg-type]
        values.append(v[(v >= box_low[j] - _TOL) & (v <= box_high[j] + _TOL)])
    total = int(np.prod([len(v) for v in values]))
    return values if 0 < total <= MAX_VALUED_PACKAGES else None


def grid_blocks(values: list[FloatArray]) -> Iterator[FloatArray]:
    """The packages of :func:`option_grid`, ``(k, m)`` blocks in ``itertools.product`` order."""
    counts = tuple(len(v) for v in values)
    total = int(np.prod(counts))
    for start in range(0, total, _GRID_BLOCK):
        index = np.unravel_index(np.arange(start, min(total, start + _GRID_BLOCK)), counts)
        yield np.stack([values[j][index[j]] for j in range(len(values))], axis=-1)


def best_on_grid(
    values: list[FloatArray], score: Callable[[FloatArray], FloatArray]
) -> tuple[FloatArray, float]:
    """The package of the grid with the largest ``score`` (first of ties) and that score."""
    best, package = -np.inf, np.zeros(len(values))
    for block in grid_blocks(values):
        scores = score(block)
        k = int(np.argmax(scores))
        if scores[k] > best:
            best, package = float(scores[k]), block[k]
    return package, best


def member_valuation(valuation: u.Valuation | None, index: np.ndarray) -> u.Valuation | None:
    """The stated values of the members ``index`` (rows of every array), or ``None``."""
    if valuation is None or not valuation.mask[index].any():
        return None
    return u.Valuation(valuation.x[index], valuation.v[index], valuation.mask[index])


def analyse_zone(scenario: ScenarioArrays, members: Sequence[str] | None = None) -> ZoneAnalysis:
    """ZOPA of ``scenario`` for ``members`` (default: the parties); see the module docstring."""
    index = scenario.members(members)
    ids = tuple(scenario.actor_ids[i] for i in index)
    low_all, high_all = scenario.acceptable_interval
    low, high = low_all[index], high_all[index]
    ideal = scenario.ideal_normalised[index]
    weights = scenario.weights[index]
    prefers = scenario.prefers[index]
    batna = scenario.batna[index]
    valuation = member_valuation(scenario.valuation, index)

    links = (scenario.link_matrix, scenario.link_bound) if scenario.n_links else None
    zones = issue_zones(low, high, ids, scenario.issue_ids)
    box_low = np.array([z[0] for z in zones])
    box_high = np.array([z[1] for z in zones])
    feasible = conflict = False
    if np.all(box_low <= box_high + _TOL):
        best = -np.inf
        top = np.maximum(box_high, box_low)
        grid = option_grid(scenario.options, box_low, top) if valuation is not None else None

        def margins(z: FloatArray) -> FloatArray:
            worst = (u.utility(z, ideal, weights, prefers, valuation) - batna).min(axis=1)
            if links is None:
                return np.asarray(worst)
            keeps = np.all(z @ links[0].T <= links[1] + 1e-9, axis=1)
            return np.where(keeps, worst, -np.inf)

        if grid is not None:  # stated values on options only: every package, exactly
            package, best = best_on_grid(grid, margins)
        for low_j, high_j in option_boxes(scenario.options, box_low, top) if grid is None else []:
            candidate, margin = maximin_package(ideal, weights, prefers, batna, low_j, high_j,
                                                valuation, links)
            if margin > best:
                best, package = margin, candidate
        feasible = best >= -_TOL
        conflict = best == -np.inf
        if feasible and valuation is not None and grid is None:  # hull rows: check the truth
            true = u.utility(package, ideal, weights, prefers, valuation) - batna
            feasible = bool(true.min() >= -_TOL)
    if not feasible:
        package = closest_package(ideal, weights, prefers, batna, low, high, valuation, links)

    util = u.utility(package, ideal, weights, prefers, valuation)
    violation = u.red_line_violation(package, low, high)
    surplus = util - batna
    issue_results = tuple(
        IssueZone(
            issue=scenario.issue_ids[j],
            low=float(scenario.lo[j] + lo * (scenario.hi[j] - scenario.lo[j])),
            high=float(scenario.lo[j] + hi * (scenario.hi[j] - scenario.lo[j])),
            low_set_by=by_lo,
            high_set_by=by_hi,
        )
        for j, (lo, hi, by_lo, by_hi) in enumerate(zones)
    )
    return ZoneAnalysis(
        members=ids,
        issues=issue_results,
        feasible=bool(feasible),
        package=scenario.denormalise(package),
        utility=util,
        surplus=surplus,
        shortfall=np.maximum(-surplus, 0.0),
        violation=violation,
        links_conflict=bool(conflict),
    )
