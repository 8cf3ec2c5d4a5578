"""Exact voting power: Shapley-Shubik, Banzhaf (absolute and normalised) and swing counts.

Power is defined on the *simple game* of a body's rule: a coalition wins if the draft is adopted
when its members vote yes and all others vote no (:func:`zopa.institutions.rules.coalition_wins`).
Member ``i`` *swings* coalition ``S`` (``i`` not in ``S``) if ``S + i`` wins and ``S`` does not.

* Banzhaf (1965), absolute: ``swings_i / 2^(n-1)``; normalised: ``swings_i / sum_j swings_j``.
* Shapley & Shubik (1954): ``sum over swung S of |S|! (n - |S| - 1)! / n!``, the share of the
  ``n!`` voting orders in which ``i`` is pivotal.

Every index is an exact :class:`~fractions.Fraction`, from exact integer counts of swings by
coalition size, found in one of three ways:

* ``enumerate``: all ``2^n`` coalitions (any rule; up to :data:`ENUMERATION_LIMIT` members).
* ``generating``: weighted games (any veto holders, no population quota) of hundreds of members.
  The coefficients of ``prod_j (1 + y x^{w_j})`` count coalitions by size and weight
  (Brams & Affuso 1976; Bilbao, Fernandez, Jimenez Losada & Lopez 2000, *Generating functions
  for computing power indices efficiently*, TOP 8(2)); each member's own factor is divided out
  again. Counts exceed 64 bits, so the polynomial is computed modulo several primes below
  ``2^62`` with numpy and the counts are rebuilt exactly by the Chinese remainder theorem.
* ``split``: double majorities (population quota, equal member weights, e.g. EU QMV), by
  meet-in-the-middle: the coalitions of each half of the members are listed and counted against
  each other by sorted search (Horowitz & Sahni 1974), ``O(2^(n/2) n^2 log)`` instead of ``2^n``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError
from zopa.institutions.rules import DecisionRule, coalition_wins

Method = Literal["auto", "enumerate", "generating", "split"]
ENUMERATION_LIMIT = 20
"""Largest body whose power is computed by listing every coalition."""
_CELL_LIMIT = 60_000_000  # int64 cells of the generating-function table (~480 MB) at most
_BIG = 1 << 40  # populations must stay below this (about 1.1e12 people)
Int64Array = NDArray[np.int64]


@dataclass(frozen=True)
class PowerIndices:
    """Voting power of a body's members, exact."""

    member_ids: tuple[str, ...]
    swings_by_size: tuple[tuple[int, ...], ...]
    """``[i][s]``: coalitions of ``s`` other members that member ``i`` swings."""
    method: str

    @property
    def n(self) -> int:
        return len(self.member_ids)

    @property
    def swings(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.swings_by_size)

    @property
    def banzhaf_absolute(self) -> tuple[Fraction, ...]:
        return tuple(Fraction(s, 2 ** (self.n - 1)) for s in self.swings)

    @property
    def banzhaf(self) -> tuple[Fraction, ...]:
        """Normalised Banzhaf index (all zero if no member ever swings)."""
        total = sum(self.swings)
        return tuple(Fraction(s, total) if total else Fraction(0) for s in self.swings)

    @property
    def shapley_shubik(self) -> tuple[Fraction, ...]:
        n = self.n
        orders = math.factorial(n)
        coef = [math.factorial(s) * math.factorial(n - 1 - s) for s in range(n)]
        return tuple(
            Fraction(sum(c * k for c, k in zip(coef, row, strict=True)), orders)
            for row in self.swings_by_size
        )

    def to_dict(self) -> dict[str, Any]:
        ss, bz, ba, sw = self.shapley_shubik, self.banzhaf, self.banzhaf_absolute, self.swings
        return {
            "method": self.method,
            "members": {
                m: {
                    "shapley_shubik": float(ss[i]),
                    "shapley_shubik_exact": str(ss[i]),
                    "banzhaf": float(bz[i]),
                    "banzhaf_exact": str(bz[i]),
                    "banzhaf_absolute": float(ba[i]),
                    "banzhaf_absolute_exact": str(ba[i]),
                    "swings": sw[i],
                }
                for i, m in enumerate(self.member_ids)
            },
        }


def voting_power(rule: DecisionRule, method: Method = "auto") -> PowerIndices:
    """Exact power indices of a body's members (see the module docstring for the methods)."""
    if method == "auto":
        method = _choose(rule)
    if method == "enumerate":
        if rule.n > ENUMERATION_LIMIT + 4:
            raise UsageError(f"enumeration of 2^{rule.n} coalitions is too large")
        rows = _enumerate(rule)
    elif method == "generating":
        if rule.population_quota is not None:
            raise UsageError("the generating-function method has no population quota")
        weights, _ = rule.integer_weights
        rows = weighted_swings(weights, rule.integer_quota(), rule.veto)
    elif method == "split":
        rows = _split(rule)
    else:
        raise UsageError(f"unknown method {method!r}")
    return PowerIndices(rule.member_ids, tuple(tuple(r) for r in rows), method)


def _choose(rule: DecisionRule) -> Method:
    if rule.n <= ENUMERATION_LIMIT:
        return "enumerate"
    if rule.population_quota is None:
        return "generating"
    if len(set(rule.weight.tolist())) == 1:
        return "split"
    if rule.n <= ENUMERATION_LIMIT + 4:
        return "enumerate"
    raise UsageError(
        f"body {rule.body_id}: exact power of a double majority with unequal member weights is "
        f"supported up to {ENUMERATION_LIMIT + 4} members, not {rule.n}"
    )


# --- enumeration -------------------------------------------------------------------------------


def _enumerate(rule: DecisionRule) -> list[list[int]]:
    n = rule.n
    masks = np.arange(1 << n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    wins = coalition_wins(rule, bits)
    size = bits.sum(axis=1)
    rows = []
    for i in range(n):
        without = masks[~bits[:, i]]
        swung = wins[without | (1 << i)] & ~wins[without]
        rows.append(np.bincount(size[without][swung], minlength=n)[:n].tolist())
    return rows


# --- generating functions modulo primes --------------------------------------------------------


def _is_prime(n: int) -> bool:
    """Deterministic Miller-Rabin for ``n < 3.3e24`` (bases: the first twelve primes)."""
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n < 2:
        return False
    for p in bases:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


@cache
def moduli(count: int) -> tuple[int, ...]:
    """The ``count`` largest primes below ``2^62``: sums of two residues stay below ``2^63``."""
    found: list[int] = []
    candidate = (1 << 62) - 1
    while len(found) < count:
        if _is_prime(candidate):
            found.append(candidate)
        candidate -= 2
    return tuple(found)


def _crt(residues: Sequence[Sequence[int]], mods: Sequence[int]) -> list[int]:
    """Integers from their residues modulo pairwise coprime ``mods`` (Chinese remainder theorem)."""
    product = math.prod(mods)
    out = [0] * len(residues[0])
    for r, m in zip(residues, mods, strict=True):
        rest = product // m
        factor = rest * pow(rest, -1, m)
        for idx, value in enumerate(r):
            out[idx] += int(value) * factor
    return [v % product for v in out]


def _mod_sum(block: Int64Array, mods: Sequence[int]) -> list[list[int]]:
    """Sums over the last axis of ``block[k, ...]`` modulo ``mods[k]``, as Python integers.

    Each residue is below ``2^62``; summing the 31-bit halves separately keeps int64 from
    overflowing for up to ``2^32`` terms.
    """
    hi = (block >> 31).sum(axis=-1).tolist()
    lo = (block & ((1 << 31) - 1)).sum(axis=-1).tolist()
    return [
        [((h << 31) + low) % m for h, low in zip(hs, ls, strict=True)]
        for hs, ls, m in zip(hi, lo, mods, strict=True)
    ]


def _reduce(table: Int64Array, mods: Int64Array) -> None:
    """Entries in ``[0, 2m)`` -> ``[0, m)`` in place. Read as unsigned, ``x - m`` wraps to a huge
    number where ``x < m``, so ``min(x, x - m)`` is the residue: two passes, no mask."""
    m = mods.astype(np.uint64).reshape((-1,) + (1,) * (table.ndim - 1))
    unsigned = table.view(np.uint64)
    np.minimum(unsigned, unsigned - m, out=unsigned)


def _grow(table: Int64Array, weight: int, mods: Int64Array, added: int) -> None:
    """Multiply the polynomial ``table[k, size, weight]`` by ``(1 + y x^weight)`` in place; with
    a single size row (Banzhaf only) by ``(1 + x^weight)``. ``added`` members so far: sizes
    above it are still zero and are skipped."""
    cap = table.shape[2]
    if weight < cap:
        # numpy buffers overlapping operands, so the right side is the table before this member
        if table.shape[1] == 1:
            table[:, :, weight:] += table[:, :, : cap - weight]
            _reduce(table[:, :, weight:], mods)
        else:
            top = min(added + 2, table.shape[1])
            table[:, 1:top, weight:] += table[:, : top - 1, : cap - weight]
            _reduce(table[:, 1:top, weight:], mods)


def _shrink(table: Int64Array, weight: int, mods: Int64Array) -> Int64Array:
    """Divide ``(1 + y x^weight)`` (or ``(1 + x^weight)``) out again: the coalitions without one
    member of this weight."""
    m = mods.reshape(-1, 1)
    cap = table.shape[2]
    if table.shape[1] == 1:  # Q[x] = P[x] - Q[x - w], in blocks of w coefficients
        out = table.copy()
        for start in range(weight, cap, weight):
            block = out[:, 0, start : start + weight]
            block -= out[:, 0, start - weight : start - weight + block.shape[1]]
            block += m  # now in [1, 2m)
            _reduce(block, mods)
        return out
    out = table[:, :-1, :].copy()
    if weight >= cap:
        return out
    for s in range(1, out.shape[1]):  # Q[s][x] = P[s][x] - Q[s-1][x-w], sequential in size only
        row = out[:, s, weight:]
        row -= out[:, s - 1, : cap - weight]
        row += m  # now in [1, 2m)
        _reduce(row, mods)
    return out


def weighted_swings(
    weights: Sequence[int],
    quota: int,
    veto: Sequence[bool] | NDArray[np.bool_] | None = None,
    *,
    by_size: bool = True,
) -> list[list[int]]:
    """Swings by coalition size in the weighted game ``[quota; weights]`` with veto holders.

    A coalition wins iff it holds every veto holder and its weight is at least ``quota``.

    Args:
        by_size: count by coalition size (what Shapley-Shubik needs); ``False`` counts only the
            totals (Banzhaf), with a table ``n`` times smaller.

    Returns:
        ``rows[i][s]``: coalitions of ``s`` other members that member ``i`` swings, exactly
        (``rows[i] == [total]`` if not ``by_size``).
    """
    n = len(weights)
    w = [int(x) for x in weights]
    if any(x <= 0 for x in w):
        raise UsageError("weights must be positive integers")
    is_veto = [bool(v) for v in veto] if veto is not None else [False] * n
    free = [i for i in range(n) if not is_veto[i]]
    forced_weight = sum(w[i] for i in range(n) if is_veto[i])
    n_forced = n - len(free)
    g = math.gcd(*(w[i] for i in free)) if free else 1
    # weights of free members, and the quota the free part of a coalition must reach, in units of g
    fw = [w[i] // g for i in free]
    cap = max(0, -(-(quota - forced_weight) // g))  # free weight needed: ceil((q - w_F) / g)
    nf = len(free)
    sizes = nf + 1 if by_size else 1
    if cap * sizes * (nf // 60 + 1) > _CELL_LIMIT:
        raise UsageError(
            f"weighted game too large for exact power: {nf} members, quota {cap} in weight units"
        )
    mods_t = moduli(nf // 60 + 1)  # counts are below 2^nf
    mods = np.array(mods_t, dtype=np.int64)
    table = np.zeros((len(mods_t), sizes, max(cap, 1)), dtype=np.int64)
    table[:, 0, 0] = 1
    for added, x in enumerate(fw):
        _grow(table, x, mods, added)
    width = n if by_size else 1
    rows = [[0] * width for _ in range(n)]
    losing = _crt(_mod_sum(table[:, :, :cap], mods_t), mods_t) if cap else [0] * sizes
    for i in range(n):
        if is_veto[i]:
            # S + i wins iff S holds the other veto holders and free weight >= cap; S never wins
            if by_size:
                for t in range(nf + 1):
                    rows[i][t + n_forced - 1] = math.comb(nf, t) - losing[t]
            else:
                rows[i][0] = 2**nf - losing[0]
    by_weight: dict[int, list[int]] = {}
    for pos, i in enumerate(free):
        by_weight.setdefault(fw[pos], []).append(i)
    for x, members in by_weight.items():
        lo = max(0, cap - x)
        if lo >= cap:
            counts = [0] * (nf if by_size else 1)
        else:
            rest = _shrink(table, x, mods)  # same counts for every member of this weight
            counts = _crt(_mod_sum(rest[:, :, lo:cap], mods_t), mods_t)
        for i in members:
            for t, c in enumerate(counts):
                rows[i][t + n_forced if by_size else 0] = c
    return rows


# --- meet in the middle for double majorities --------------------------------------------------


def _half(pops: NDArray[np.int64]) -> tuple[Int64Array, Int64Array]:
    h = len(pops)
    masks = np.arange(1 << h, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(h)) & 1
    return bits.sum(axis=1), bits @ pops


def _split(rule: DecisionRule) -> list[list[int]]:
    n = rule.n
    if len(set(rule.weight.tolist())) != 1:
        raise UsageError("the split method needs equal member weights")
    if rule.n > 48:
        raise UsageError(f"the split method lists 2^(n/2) coalitions; {n} members is too many")
    weights, _ = rule.integer_weights
    min_size = -(-rule.integer_quota() // weights[0])
    pop = np.rint(rule.population if rule.population is not None else np.zeros(n)).astype(np.int64)
    if int(pop.sum()) >= _BIG:
        raise UsageError("populations too large for exact power (total must stay below 1.1e12)")
    pop_need = rule.integer_population_quota() or 0
    block = rule.blocking_minority

    def threshold(size: int) -> int:
        """Yes population a coalition of ``size`` (holding the veto holders) needs to win."""
        if size < min_size:
            return _BIG
        if block is not None and n - size < block:
            return 0
        return pop_need

    veto = np.asarray(rule.veto, dtype=bool)
    rows = []
    for i in range(n):
        forced = veto.copy()
        forced[i] = False
        free = np.flatnonzero(~forced & (np.arange(n) != i))
        n_forced, pop_forced = int(forced.sum()), int(pop[forced].sum())
        half = len(free) // 2
        size_a, pop_a = _half(pop[free[:half]])
        size_b, pop_b = _half(pop[free[half:]])
        keys = np.sort(size_b * _BIG + pop_b)
        row = [0] * n
        for t in range(len(free) + 1):
            s = t + n_forced
            lo = threshold(s + 1) - pop[i] - pop_forced
            hi = _BIG if veto[i] else threshold(s) - pop_forced
            if hi <= lo:
                continue
            sb = t - size_a
            ok = (sb >= 0) & (sb <= len(free) - half)
            start = sb * _BIG + np.clip(lo - pop_a, 0, _BIG)
            stop = sb * _BIG + np.clip(hi - pop_a, 0, _BIG)
            found = np.searchsorted(keys, stop[ok]) - np.searchsorted(keys, start[ok])
            row[s] = int(found.sum())
        rows.append(row)
    return rows
