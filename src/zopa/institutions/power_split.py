"""Exact swing counts of double majorities (weight and population quotas), by meet in the middle.

The coalitions of each half of the members are listed with their size, weight and population and
counted against each other by sorted search (Horowitz & Sahni 1974, *Computing partitions with
applications to the knapsack problem*, JACM 21(2)), about ``2^(n/2)`` coalitions per half instead
of ``2^n``:

* equal member weights (the EU Council's qualified majority: 55 % of members, 65 % of population,
  blocking minority of four): all members at once (:func:`equal_split_swings`). The weight quota
  is a number of members, so every swing count follows from the coalitions below the population
  quota by size, ``C(r)``, and those among them holding member ``i``, ``M_i(r)``. The second half
  is sorted by population and the first half's coalitions ``a`` taken by falling population: the
  partners of ``a`` below the quota are a growing prefix, whose histogram by size is kept up
  chunk by chunk, and ``M_i`` sums it over the ``a`` holding ``i``, a matrix product
  (``n^2 2^(n/2)`` multiply-adds in BLAS, 48 members in about a minute on 2 cores).
* unequal weights: member by member (:func:`_member_split`): the other members' second half is
  sorted by ``(size, weight, population)``, and for each coalition of the first half and each
  ``(size, weight)`` group of the second the partners that make the union a swing form one
  population interval, found by two sorted searches.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError
from zopa.institutions.rules import DecisionRule

BIG = 1 << 40  # populations must stay below this (about 1.1e12 people)
Int64Array = NDArray[np.int64]
_PAIR_SECONDS = 150e-9  # one coalition of a half against one group, fitted on 2 cores


def split_cost(rule: DecisionRule) -> tuple[float, int]:
    """Estimated seconds and bytes of :func:`split_swings` (``inf`` beyond 52 members)."""
    n = rule.n
    if n > 52:
        return math.inf, 0
    if len(set(rule.weight.tolist())) == 1:
        return equal_split_cost(n - int(np.count_nonzero(rule.veto)))
    weights, _ = rule.integer_weights
    half = (n - 1) // 2
    rest = sorted(weights)[half:]  # the heavier others: a bound on the groups of the second half
    g = math.gcd(*rest) if rest else 1
    # coalitions of t members weigh between the t lightest and the t heaviest, in steps of g
    groups = sum(
        min(math.comb(len(rest), t), (sum(rest[len(rest) - t :]) - sum(rest[:t])) // g + 1)
        for t in range(len(rest) + 1)
    )
    seconds = n * groups * (1 << half) * _PAIR_SECONDS
    seconds += n * (1 << len(rest)) * len(rest) * 20e-9  # listing and sorting
    return seconds, 12 * 8 * (1 << len(rest)) + 16 * 8 * (1 << half)


def _half(weights: Int64Array, pops: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    h = len(pops)
    masks = np.arange(1 << h, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(h)) & 1
    return bits.sum(axis=1), bits @ weights, bits @ pops


def split_swings(rule: DecisionRule) -> list[list[int]]:
    """Swings by coalition size (``rows[i][s]``) of a rule with a population quota."""
    n = rule.n
    if n > 52:
        raise UsageError(f"body {rule.body_id}: the split method takes at most 52 members, not {n}")
    if len(set(rule.weight.tolist())) == 1:
        return equal_split_swings(rule)
    return _member_split(rule)


def _member_split(rule: DecisionRule) -> list[list[int]]:
    n = rule.n
    weight = np.array(rule.integer_weights[0], dtype=np.int64)
    quota = rule.integer_quota()
    pop = np.rint(rule.population if rule.population is not None else np.zeros(n)).astype(np.int64)
    if int(pop.sum()) >= BIG:
        raise UsageError("populations too large for exact power (total must stay below 1.1e12)")
    pop_need = rule.integer_population_quota() or 0
    block = rule.blocking_minority
    # yes population a coalition of each size (weight and veto holders permitting) needs to win
    need = np.array(
        [0 if block is not None and n - s < block else pop_need for s in range(n + 2)],
        dtype=np.int64,
    )
    veto = np.asarray(rule.veto, dtype=bool)
    rows = []
    for i in range(n):
        forced = veto.copy()
        forced[i] = False
        free = np.flatnonzero(~forced & (np.arange(n) != i))
        n_forced = int(forced.sum())
        w_forced, pop_forced = int(weight[forced].sum()), int(pop[forced].sum())
        half = len(free) // 2
        size_a, w_a, pop_a = _half(weight[free[:half]], pop[free[:half]])
        size_b, w_b, pop_b = _half(weight[free[half:]], pop[free[half:]])
        group = size_b * (int(w_b.max()) + 1) + w_b
        keys = np.sort(group * BIG + pop_b)
        s0 = size_a + n_forced
        row = np.zeros(n, dtype=np.int64)
        for g in np.unique(group).tolist():
            sb, wb = divmod(g, int(w_b.max()) + 1)
            s = s0 + sb  # size of S (i not in it)
            ws = w_a + wb + w_forced
            # S + i wins: weight and population of S + i; S loses: i holds a veto, or S is short
            lo = np.where(ws + weight[i] >= quota, need[s + 1] - pop[i] - pop_forced, BIG)
            hi = np.where(veto[i] | (ws < quota), BIG, need[s] - pop_forced)
            base = g * BIG
            found = np.searchsorted(keys, base + np.clip(hi - pop_a, 0, BIG)) - np.searchsorted(
                keys, base + np.clip(lo - pop_a, 0, BIG)
            )
            np.add.at(row, s, found)
        rows.append(row.tolist())
    return rows


# --- equal member weights: all members at once ------------------------------------------------


def _sums(pops: Int64Array) -> tuple[NDArray[np.uint8], Int64Array]:
    """Sizes and populations of the ``2^h`` coalitions of ``h`` members, coalition ``c`` holding
    member ``j`` iff bit ``j`` of ``c`` is set (by doubling: O(2^h) memory)."""
    size, total = np.zeros(1, dtype=np.uint8), np.zeros(1, dtype=np.int64)
    for p in pops.tolist():
        size, total = np.concatenate([size, size + 1]), np.concatenate([total, total + p])
    return size, total


def _listed(pops: Int64Array) -> tuple[NDArray[np.uint8], Int64Array, NDArray[np.intp]]:
    """Sizes and populations of a half's coalitions, and their order by population (ties in any
    order: a prefix below a bound holds all of them or none)."""
    size, pop = _sums(pops)
    return size, pop, np.argsort(pop)


def _one_side(
    own: tuple[NDArray[np.uint8], Int64Array, NDArray[np.intp]],
    other: tuple[NDArray[np.uint8], Int64Array, NDArray[np.intp]],
    below: int,
    m: int,
) -> tuple[Int64Array, Int64Array]:
    """For the members of one half (coalitions ``own`` from :func:`_listed`): ``M[i, r]``, the
    coalitions of all ``m`` members of ``r`` members holding ``i`` with population below
    ``below``, and ``C[r]`` without the condition on ``i``.

    The own coalitions ``a`` are taken by falling population, so that their partners in the other
    half (population below ``below - p_a``) are a growing prefix of it in population order, whose
    histogram by size is kept up chunk by chunk. Summing it over the ``a`` that hold member ``i``
    is a matrix product (exact in float64: below ``2^53``).
    """
    size_a, pop_a, order = own
    size_o, pop_o = other[0][other[2]], other[1][other[2]]
    h_own, h_other = int(size_a[-1]), int(size_o.max())
    order = order[::-1]
    reach = np.searchsorted(pop_o, below - pop_a[order])  # partners: pop_o[:reach], rising
    del pop_o
    # chunks of at most _CHUNK coalitions a and _CHUNK partners more
    progress = reach + np.arange(len(reach))
    cuts = np.searchsorted(progress, np.arange(_CHUNK, int(progress[-1]) + _CHUNK, _CHUNK))
    bounds = np.unique(np.concatenate([[0], cuts, [len(reach)]]))
    counts = np.zeros((h_own, m + 1), dtype=np.int64)
    totals = np.zeros(m + 1, dtype=np.int64)
    running = np.zeros(h_other + 1, dtype=np.int64)  # histogram of size_o[:seen]
    seen = 0
    for c0, c1 in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        r = reach[c0:c1]
        lo, hi = int(r[0]), int(r[-1])
        running += np.bincount(size_o[seen:lo], minlength=h_other + 1)
        seen = lo
        # partners of each coalition a by their size: running + histogram of size_o[lo:reach]
        local = np.zeros((h_other + 1, hi - lo + 1), dtype=np.int32)
        local[size_o[lo:hi], np.arange(1, hi - lo + 1)] = 1
        np.cumsum(local, axis=1, out=local)
        # the chunk's coalitions grouped by size (stable)
        idx = order[c0:c1]
        by_size = np.argsort(size_a[idx], kind="stable")
        idx = idx[by_size]
        edges = np.searchsorted(size_a[idx], np.arange(h_own + 2)).tolist()
        partners = local[:, r[by_size] - lo].astype(np.float64)
        partners += running[:, None]
        bits = np.unpackbits(idx.astype("<u4").view(np.uint8).reshape(-1, 4), axis=1,
                             bitorder="little")[:, :h_own].astype(np.float64)  # (a, members)
        for s in range(h_own + 1):
            e0, e1 = edges[s], edges[s + 1]
            if e1 > e0:  # (partner sizes, a) @ (a, members): the layout BLAS is fast on
                block = partners[:, e0:e1]
                counts[:, s : s + h_other + 1] += np.rint(block @ bits[e0:e1]).astype(np.int64).T
                totals[s : s + h_other + 1] += np.rint(block.sum(axis=1)).astype(np.int64)
    return counts, totals


_CHUNK = 1 << 19


def equal_split_cost(m: int) -> tuple[float, int]:
    """Estimated seconds and bytes of :func:`equal_split_swings` with ``m`` members without veto."""
    h = (m + 1) // 2
    return 2 * (1 << h) * (5e-7 + h * m * 1e-9), (1 << h) * 8 * 10 + _CHUNK * (m + h) * 8 * 4


def equal_split_swings(rule: DecisionRule) -> list[list[int]]:
    """Swings by size of a double majority with equal member weights, all members at once.

    With ``V`` the veto holders and ``U`` the others, a swing of ``i`` is counted through
    ``C(r)``, the coalitions ``R`` of ``r`` members of ``U`` whose population with ``V`` stays below
    the quota, and ``M_i(r)``, those holding ``i`` (:func:`_one_side`, one meet in the middle for
    every member): ``i`` swings ``S = V + R - i`` iff ``T = V + R`` wins and ``S`` does not.
    """
    n = rule.n
    weights, _ = rule.integer_weights
    k = -(-rule.integer_quota() // weights[0])  # members a coalition needs
    pop = np.rint(rule.population if rule.population is not None else np.zeros(n)).astype(np.int64)
    if int(pop.sum()) >= BIG:
        raise UsageError("populations too large for exact power (total must stay below 1.1e12)")
    big_p = rule.integer_population_quota() or 0
    block = rule.blocking_minority
    need = [0 if block is not None and n - t < block else big_p for t in range(n + 1)]
    veto = np.asarray(rule.veto, dtype=bool)
    u = np.flatnonzero(~veto)
    v, m, pop_v = n - len(u), len(u), int(pop[veto].sum())
    below = big_p - pop_v  # R (with V) misses the population quota iff p(R) < below
    counts = np.zeros((m, m + 1), dtype=np.int64)
    totals = np.zeros(m + 1, dtype=np.int64)
    if below > 0 and m > 0:
        h = m // 2
        first, second = _listed(pop[u[:h]]), _listed(pop[u[h:]])
        counts[:h], totals = _one_side(first, second, below, m)
        counts[h:], _ = _one_side(second, first, below, m)

    def short(r: int, t: int) -> int:
        """Coalitions R of r members of U whose T = V + R misses the population need of t."""
        return int(totals[r]) if 0 <= r <= m and need[t] - pop_v == below and below > 0 else 0

    def short_with(i: int, r: int, t: int) -> int:
        if not (1 <= r <= m and need[t] - pop_v == below and below > 0):
            return 0
        return int(counts[i, r])

    rows: list[list[int]] = []
    veto_row = [0] * n
    for t in range(max(k, v, 1), n + 1):
        veto_row[t - 1] = math.comb(m, t - v) - short(t - v, t)
    position = {int(x): j for j, x in enumerate(u)}
    for i in range(n):
        if veto[i]:
            rows.append(veto_row)
            continue
        j = position[i]
        row = [0] * n
        for t in range(max(k, v + 1), n + 1):
            r = t - v
            if t == k:
                row[t - 1] = math.comb(m - 1, r - 1) - short_with(j, r, t)
            else:
                row[t - 1] = (
                    short(r - 1, t - 1) - short_with(j, r - 1, t - 1) - short_with(j, r, t)
                )
        rows.append(row)
    return rows
