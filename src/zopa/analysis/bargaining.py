"""The Nash bargaining solution over the issue space, with the BATNAs as disagreement point.

Nash (1950) "The bargaining problem", Econometrica 18(2): among the packages every party accepts,
the one that maximises the product of the parties' gains over their disagreement utilities,
``prod_i (U_i(z) - b_i)``; for n parties this is the symmetric n-person generalisation (Harsanyi
1977, *Rational Behavior and Bargaining Equilibrium*, ch. 10). Red lines restrict the packages to a
box. With zopa's utilities (:mod:`zopa.utility`) each ``U_i`` is concave and piecewise linear, so
``sum_i log(U_i - b_i)`` is concave and the solution is a convex programme. It is solved in the
smooth epigraph form ``max sum_i log(1 - b_i - sum_j w_ij t_ij)`` s.t. ``t_ij >= loss_ij(z_j)``
(linear), with SLSQP, from the ZOPA's most balanced package (:mod:`zopa.analysis.zone`), which is
strictly feasible whenever every party can gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from zopa import links as lk
from zopa import utility as u
from zopa.analysis.packages import Links, Parties, loss_rows, maximin_package
from zopa.errors import BudgetError
from zopa.utility import FloatArray

_EPS = 1e-12

SLSQP_LIMIT = 160
"""Most variables (issues + weighted party-issue pairs) solved exactly with SLSQP, whose work
grows with the cube of that number (160 variables: well under a second; 330: 13 s); larger
problems are solved by smoothing (:func:`_smoothed`), whose work grows with the pairs."""
MAX_PAIRS = 20_000_000
"""Most weighted party-issue pairs for the Nash solution (about 160 MB per array of them)."""


@dataclass(frozen=True)
class NashSolution:
    """``package`` (normalised, ``(m,)``) and the parties' utilities there; ``degenerate`` if no
    package gives every party a positive gain (the product is 0 everywhere: the most balanced
    package is returned)."""

    package: FloatArray
    utility: FloatArray
    degenerate: bool


def _safe_log(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``log s`` and its derivative, continued quadratically below ``_EPS`` so that the solver's
    trial steps outside the feasible region stay finite."""
    small = s < _EPS
    d = s - _EPS
    value = np.where(
        small, np.log(_EPS) + d / _EPS - d**2 / (2 * _EPS**2), np.log(np.maximum(s, _EPS))
    )
    grad = np.where(small, 1.0 / _EPS - d / _EPS**2, 1.0 / np.maximum(s, _EPS))
    return value, grad


def nash_solution(
    parties: Parties,
    box_low: FloatArray,
    box_high: FloatArray,
    links: Links | None = None,
) -> NashSolution | None:
    """Nash bargaining solution for parties ``(k, m)`` within the red-line box (normalised),
    among the packages that keep ``links`` (rows ``A z <= b``, :mod:`zopa.links`; kept to
    :data:`zopa.links.LINK_TOL`).

    ``valuation``: the parties' stated values, rows as ``ideal`` (:func:`_valued_nash`).
    Returns ``None`` if no such package leaves every party at least at its BATNA.
    """
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna
    valuation = parties.valuation

    if np.any(box_low > box_high):
        return None
    if links is not None and links[1].size == 0:
        links = None
    if valuation is not None and valuation.any:
        return _valued_nash(parties, box_low, box_high, links)
    parties = parties.without_values()
    start, margin = maximin_package(parties, box_low, box_high, links)
    if margin < -1e-9:
        return None
    if margin <= 1e-9:
        return NashSolution(start, u.utility(start, ideal, weights, prefers), degenerate=True)

    k, m = ideal.shape
    pairs = int(np.count_nonzero(weights > 0))
    if pairs > MAX_PAIRS:
        raise BudgetError(
            f"the Nash solution of {k:,} parties x {m:,} issues ({pairs:,} weighted pairs) is "
            f"beyond the limit of {MAX_PAIRS:,} pairs; drop actors that are not parties, or "
            "issues that no party weighs"
        )
    if m + pairs > SLSQP_LIMIT:
        package = _smoothed(parties, box_low, box_high, start, links)
        return NashSolution(package, u.utility(package, ideal, weights, prefers),
                            degenerate=False)
    party, issue = np.nonzero(weights > 0)
    w = weights[party, issue]
    x = ideal[party, issue]
    pairs = party.size
    above = prefers[party, issue] != u.MORE
    below = prefers[party, issue] != u.LESS

    def split(y: FloatArray) -> tuple[FloatArray, FloatArray]:
        return y[:m], y[m:]

    def objective(y: FloatArray) -> tuple[float, FloatArray]:
        _, t = split(y)
        surplus = 1.0 - batna - np.bincount(party, weights=w * t, minlength=k)
        value, dlog = _safe_log(surplus)
        grad = np.zeros_like(y)
        grad[m:] = w * dlog[party]  # d(-sum log s)/dt = w / s
        return float(-value.sum()), grad

    # t_p - (o_j - x_p) >= 0 where the party loses above its ideal; t_p - (x_p - o_j) >= 0 below.
    rows_a, rows_b = np.flatnonzero(above), np.flatnonzero(below)
    jac = np.zeros((rows_a.size + rows_b.size, m + pairs))
    jac[np.arange(rows_a.size), issue[rows_a]] = -1.0
    jac[np.arange(rows_a.size), m + rows_a] = 1.0
    jac[rows_a.size + np.arange(rows_b.size), issue[rows_b]] = 1.0
    jac[rows_a.size + np.arange(rows_b.size), m + rows_b] = 1.0
    offset = np.concatenate([x[rows_a], -x[rows_b]])
    constraint = {"type": "ineq", "fun": lambda y: jac @ y + offset, "jac": lambda y: jac}
    constraints = [constraint]
    if links is not None:  # b - A o >= 0 on the issue variables
        link_jac = np.hstack([-links[0], np.zeros((links[0].shape[0], pairs))])
        constraints.append({"type": "ineq", "fun": lambda y: link_jac @ y + links[1],
                            "jac": lambda y: link_jac})

    loss0 = u.issue_loss(start[None], ideal, prefers)[0][party, issue]
    y0 = np.concatenate([start, loss0])
    bounds = [*zip(box_low, box_high, strict=True), *[(0.0, 1.0)] * pairs]
    res = optimize.minimize(
        objective,
        y0,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": 500, "ftol": 1e-13},
    )
    # SLSQP can stop short on these kinked problems (0.5 % of the product in rare cases): the
    # smoothed solution is a cheap second opinion, and the better of the three is kept (among
    # those that keep the links; the start always does).
    candidates = (np.clip(res.x[:m], box_low, box_high), start,
                  _smoothed(parties, box_low, box_high, start, links))
    values = [nash_product(u.utility(z, ideal, weights, prefers), batna)
              if _keeps(links, z) else -np.inf for z in candidates]
    best = candidates[int(np.argmax(values))]
    return NashSolution(best, u.utility(best, ideal, weights, prefers), degenerate=False)


def _valued_nash(
    parties: Parties,
    box_low: FloatArray,
    box_high: FloatArray,
    links: Links | None = None,
) -> NashSolution | None:
    """The Nash solution when some party states values (``loss = 1 - value``), among the
    packages that keep ``links`` (the SLSQP candidate is kept only if it keeps them).

    Issues pinned to one point (an option, from :func:`zopa.analysis.zone.option_boxes`) have a
    constant loss, so a box of pinned issues is its own solution. Otherwise the epigraph form is
    solved with SLSQP, each valued loss bounded below by the lines of its segments
    (:func:`zopa.analysis.zone.loss_rows`: exact for concave values), then polished issue by
    issue on the true utilities; for a value that is not concave the result is a local optimum.
    Problems beyond :data:`SLSQP_LIMIT` variables are only polished from the most balanced
    package.
    """
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna
    valuation = parties.valuation
    assert valuation is not None

    start, margin = maximin_package(parties, box_low, box_high, links)
    if margin < -1e-9:
        return None

    def utility(z: FloatArray) -> FloatArray:
        return u.utility(z, ideal, weights, prefers, valuation)

    if margin <= 1e-9:
        return NashSolution(start, utility(start), degenerate=True)
    if np.all(box_low == box_high):
        return NashSolution(start, utility(start), degenerate=False)
    k, m = ideal.shape
    n_vars = m + k * m
    candidates = [start]
    if n_vars <= SLSQP_LIMIT:
        pinned = np.where(box_low == box_high, box_low, np.nan)
        rows, rhs = loss_rows(ideal, weights, prefers, n_vars, m, valuation, pinned)
        a = rows.toarray()
        w = weights.reshape(-1)

        def objective(y: FloatArray) -> tuple[float, FloatArray]:
            surplus = 1.0 - batna - (w * y[m:]).reshape(k, m).sum(axis=1)
            value, dlog = _safe_log(surplus)
            grad = np.zeros_like(y)
            grad[m:] = w * np.repeat(dlog, m)
            return float(-value.sum()), grad

        t0 = np.zeros(k * m)  # the smallest losses the rows allow at the start
        t_col = np.argmin(a[:, m:], axis=1)  # each row's loss variable (coefficient -1)
        np.maximum.at(t0, t_col, a[:, :m] @ start - rhs)
        res = optimize.minimize(
            objective, np.concatenate([start, t0]), jac=True, method="SLSQP",
            bounds=[*zip(box_low, box_high, strict=True), *[(0.0, None)] * (k * m)],
            constraints=[{"type": "ineq", "fun": lambda y: rhs - a @ y, "jac": lambda y: -a}],
            options={"maxiter": 500, "ftol": 1e-13},
        )
        found = np.clip(res.x[:m], box_low, box_high)
        if links is None or np.all(links[0] @ found <= links[1] + 1e-9):
            candidates.append(found)
    values = [nash_product(utility(z), batna) for z in candidates]
    best = candidates[int(np.argmax(values))]
    best = _coordinate_polish(best, parties, box_low, box_high, links)
    return NashSolution(best, utility(best), degenerate=False)


def _smoothed(
    parties: Parties,
    box_low: FloatArray,
    box_high: FloatArray,
    start: FloatArray,
    links: Links | None = None,
) -> FloatArray:
    """The Nash package of a problem too large for SLSQP, by smoothing and continuation.

    The objective ``sum_i log(1 - b_i - sum_j w_ij loss_ij(z_j))`` is concave but has kinks where
    ``z_j`` meets an ideal point. Each kink ``max(0, d)`` is replaced by
    ``(d + sqrt(d^2 + mu^2) - mu) / 2`` (a smooth, concave-preserving under-estimate within
    ``mu / 2``), and the smooth problem, over the ``m`` issues only, is solved with L-BFGS-B for a
    falling ``mu`` (Nesterov 2005, "Smooth minimization of non-smooth functions", Math. Prog.
    103; each stage starts from the last). Work per evaluation is ``O(parties x issues)``.
    The package returned is the best of the stages and the start, by the true Nash product.
    With ``links`` (rows ``A z <= b``; ``start`` must keep them) each stage is solved with
    SLSQP in ``z`` with the rows as linear constraints, and only stages that keep the links to
    :data:`zopa.links.LINK_TOL` count.
    """
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna

    top = 1.0 - batna
    up = (prefers != u.MORE).astype(float)  # loses when z is above the ideal point
    down = (prefers != u.LESS).astype(float)  # loses when z is below it

    def true_value(z: FloatArray) -> float:
        gain = u.utility(z, ideal, weights, prefers) - batna
        return float(np.sum(np.log(gain))) if np.all(gain > 0) else -np.inf

    def smoothed(z: FloatArray, mu: float) -> tuple[float, FloatArray]:
        d = z[None, :] - ideal
        root = np.sqrt(d * d + mu * mu)
        loss = up * (d + root - mu) / 2 + down * (-d + root - mu) / 2
        slope = up * (1 + d / root) / 2 - down * (1 - d / root) / 2
        s = top - np.sum(weights * loss, axis=1)
        value, dlog = _safe_log(s)
        grad = -np.sum(weights * slope * dlog[:, None], axis=0)
        return float(-value.sum()), -grad

    best, best_value = start, true_value(start)
    z = start.copy()
    bounds = list(zip(box_low, box_high, strict=True))
    linear = [] if links is None else [{"type": "ineq", "fun": lambda y: links[1] - links[0] @ y,
                                        "jac": lambda y: -links[0]}]
    for mu in (1e-2, 1e-4, 1e-6, 1e-8, 1e-10):
        if links is None:
            res = optimize.minimize(smoothed, z, args=(mu,), jac=True, method="L-BFGS-B",
                                    bounds=bounds, options={"maxiter": 5000, "ftol": 1e-15,
                                                            "gtol": 1e-12})
        else:
            res = optimize.minimize(smoothed, z, args=(mu,), jac=True, method="SLSQP",
                                    bounds=bounds, constraints=linear,
                                    options={"maxiter": 500, "ftol": 1e-15})
        z = np.clip(res.x, box_low, box_high)
        value = true_value(z)
        if value > best_value and _keeps(links, z):
            best, best_value = z, value
    return _coordinate_polish(best, parties, box_low, box_high, links)


def _keeps(links: Links | None, z: FloatArray) -> bool:
    """True iff the normalised package ``z`` keeps every row of ``links`` (to LINK_TOL)."""
    if links is None:
        return True
    a, b = links
    return bool(lk.link_violation(a, b, np.arange(b.size, dtype=np.int64), b.size, z).max() == 0)


def _coordinate_polish(
    z: FloatArray,
    parties: Parties,
    box_low: FloatArray,
    box_high: FloatArray,
    links: Links | None = None,
    sweeps: int = 4,
) -> FloatArray:
    """Improve a package issue by issue: along one issue the log Nash product is concave, so a
    ternary search finds its maximum on the box; moves are kept only where they gain. This
    removes what smoothing leaves near the kinks (a ``1e-5`` share of the product at most).
    With ``links`` the search runs on the part of the box where the other issues' values keep
    every link, and a move is kept only if the package still keeps them."""
    ideal, weights, prefers, batna = parties.ideal, parties.weights, parties.prefers, parties.batna
    valuation = parties.valuation

    z = z.copy()

    def value(package: FloatArray) -> float:
        gain = u.utility(package, ideal, weights, prefers, valuation) - batna
        return float(np.sum(np.log(gain))) if np.all(gain > 0) else -np.inf

    current = value(z)
    for _ in range(sweeps):
        start = current
        for j in range(z.size):
            lo, hi = _along_links(links, z, j, float(box_low[j]), float(box_high[j]))
            if lo > hi:
                continue
            trial = z.copy()

            def along(x: float, trial: FloatArray = trial, j: int = j) -> float:
                trial[j] = x
                return value(trial)

            for _ in range(80):  # (2/3)^80: the interval shrinks below 1e-14
                a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
                if along(a) < along(b):
                    lo = a
                else:
                    hi = b
            x = (lo + hi) / 2
            candidate = along(x)
            if candidate > current and _keeps(links, trial):
                z[j], current = x, candidate
        if current - start <= 1e-15 * max(1.0, abs(current)):
            break
    return z


def _along_links(links: Links | None, z: FloatArray, j: int, lo: float, hi: float
                 ) -> tuple[float, float]:
    """The values of issue ``j`` in ``[lo, hi]`` that keep every link, the others held at ``z``."""
    if links is None:
        return lo, hi
    a, b = links
    col = a[:, j]
    rest = b - a @ z + col * z[j]  # col * z_j <= rest
    up, down = col > 1e-15, col < -1e-15
    if np.any(up):
        hi = min(hi, float(np.min(rest[up] / col[up])))
    if np.any(down):
        lo = max(lo, float(np.max(rest[down] / col[down])))
    return lo, hi


def nash_product(utility: FloatArray, batna: FloatArray) -> float:
    """``sum_i log(U_i - b_i)`` (the log of the Nash product; ``-inf`` if some gain is <= 0)."""
    gain = np.asarray(utility) - np.asarray(batna)
    if np.any(gain <= 0):
        return float("-inf")
    return float(np.log(gain).sum())


def package_distance(a: FloatArray, b: FloatArray) -> float:
    """Root-mean-square distance between normalised packages: 0 (equal) to 1 (opposite corners)."""
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))
