"""Exact swing counts of weighted games ``[quota; w_1, ..., w_n]``, from generating functions.

The coalitions of a set of members, by size ``t`` and weight ``z``, are counted by the
coefficients of ``F(x, y) = prod_j (1 + y x^{w_j})`` (Brams & Affuso 1976; Bilbao, Fernandez,
Jimenez Losada & Lopez 2000, *Generating functions for computing power indices efficiently*,
TOP 8(2)). Member ``i`` of weight ``v`` swings the coalitions of the others whose weight lies in
``[q - v, q)``: the coefficients of ``H_v = F / (1 + y x^v)`` there, the game's polynomial with
one member of weight ``v`` divided out again ("deconvolution"; the same for every member of that
weight).

The counts reach ``2^n``, so they are exact Python integers, packed many to one integer by
*Kronecker substitution*: a polynomial whose coefficients lie below ``2^K`` is stored as its value
at ``2^K``, so that adding, shifting or multiplying one such integer by a small integer works on
every coefficient at once in CPython's C loops over machine words (no moduli, no Chinese
remainder theorem). Two ways to fill the coefficients, chosen by :func:`estimate`:

* ``table``: one integer holds the whole truncated table ``F mod x^q`` (slots of ``(n+1) K`` bits
  per weight ``z``, one ``K``-bit slot per size ``t`` in each); each member multiplies it by
  ``1 + y x^w`` with one shift, one addition and one mask. Suits few members with large weights.
* ``recurrence``: for many members with small weights. With ``m_j`` members of each distinct
  weight ``v_j``, ``x F' = sum_j m_j v_j y x^{v_j} H_j`` and ``H_j = F - y x^{v_j} H_j``, so
  ``z F_z = y sum_j m_j v_j H_{j, z - v_j}`` and ``H_{j,z} = F_z - y H_{j, z - v_j}``: each weight
  ``z`` costs a few operations per distinct weight instead of one per member, and each ``F_z``
  (a polynomial in ``y``: the counts by size) is one integer at ``y = 2^K``.

The window sums of ``H_v`` are taken from ``F`` alone ("alternating block sums"): since
``H_v[z] = sum_e (-y)^e F[z - e v]``, ``sum_{q-v <= z < q} H_v[z] = sum_{z < q} (-y)^{e(z)} F[z]``
with ``e(z) = (q - 1 - z) // v``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError

Counts = list[int]
"""Exact counts by coalition size (``[total]`` when not by size)."""

# Cost model, fitted on the 2-core benchmark machine (python benchmarks/bench_power.py):
_OP_SECONDS = 0.08e-6  # one big-integer operation, fixed part
_WORD_SECONDS = 1.0e-9  # one big-integer operation, per 64-bit word of its operands
_CELL_SECONDS = 12e-9  # one int64 element of a numpy pass


@dataclass(frozen=True)
class Plan:
    """How the counts of one weighted game will be computed, and at what cost."""

    way: str  # "table" or "recurrence"
    seconds: float
    bytes: int


@dataclass(frozen=True)
class _Game:
    """The free members' weights (in units of their gcd) and the free weight a coalition needs."""

    weights: tuple[int, ...]
    cap: int
    by_size: bool

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def classes(self) -> list[tuple[int, int]]:
        """``(weight, members)`` for each distinct weight below ``cap`` (heavier members win
        alone and never enter the counts below ``cap``)."""
        return sorted((v, m) for v, m in Counter(self.weights).items() if v < self.cap)

    @property
    def slot_bits(self) -> int:
        """Bits per count: a multiple of 32 above every count (at most ``C(n, n // 2)``)."""
        top = math.comb(self.n, self.n // 2) if self.by_size else 1 << self.n
        return 32 * (top.bit_length() // 32 + 1)


def _table_plan(game: _Game) -> Plan:
    k = game.slot_bits
    sizes = game.n + 1 if game.by_size else 1
    words = game.cap * sizes * k // 64 + 1
    cells = game.cap * sizes * k // 32
    seconds = 3 * game.n * (_OP_SECONDS + words * _WORD_SECONDS) + 6 * cells * _CELL_SECONDS
    seconds += sum(min(game.cap // v + 1, sizes) * sizes for v, _ in game.classes) * _CELL_SECONDS
    return Plan("table", seconds, 4 * words * 8 + 3 * cells * 8)


def _recurrence_plan(game: _Game) -> Plan:
    words = game.n * game.slot_bits // 64 + 1
    classes = game.classes
    seconds = game.cap * len(classes) * (5 * _OP_SECONDS + 4 * words * _WORD_SECONDS)
    ring = sum(v for v, _ in classes) + 4
    return Plan("recurrence", seconds, ring * words * 8)


def estimate(weights: Sequence[int], cap: int, by_size: bool = True) -> Plan:
    """The cheaper way to count the coalitions of members of these weights (in units of their
    gcd) below weight ``cap``, with its estimated time and memory."""
    total = sum(weights)
    cap = min(cap, total - cap + 1) if 0 < cap <= total else 0
    game = _Game(tuple(weights), cap, by_size)
    table = _table_plan(game)
    if not by_size:
        return table
    recurrence = _recurrence_plan(game)
    return recurrence if recurrence.seconds < table.seconds else table


def window_counts(
    weights: Sequence[int], cap: int, by_size: bool = True, way: str | None = None
) -> tuple[Counts, dict[int, Counts]]:
    """Coalitions of members of these positive integer ``weights`` below weight ``cap``.

    Returns:
        ``(losing, swung)``: ``losing[t]``, the coalitions of ``t`` members (of all ``n``) weighing
        less than ``cap``; ``swung[v][t]``, for each distinct weight ``v``, the coalitions of ``t``
        of the other ``n - 1`` members when one member of weight ``v`` is left out, weighing at
        least ``cap - v`` and less than ``cap``. Not ``by_size``: one total each.
    """
    weights = tuple(int(w) for w in weights)
    n, total = len(weights), sum(weights)
    if cap <= 0 or cap > total:  # every coalition wins, or none
        counts = [math.comb(n, t) for t in range(n + 1)] if by_size else [2**n]
        losing = [0] * len(counts) if cap <= 0 else counts
        return losing, {v: [0] * (n if by_size else 1) for v in set(weights)}
    mirror = total - cap + 1 < cap
    if mirror:
        # S is below cap iff its complement weighs at least total - cap + 1: count those instead,
        # with the window [cap - v, cap) of the others mapped to [total - cap + 1 - v, ...) as well
        cap = total - cap + 1
    game = _Game(weights, int(cap), by_size)
    if way is None or not by_size:  # the recurrence counts by size
        way = estimate(game.weights, game.cap, by_size).way
    losing, swung = _recurrence(game) if way == "recurrence" else _table(game)
    for v in set(game.weights) - set(swung):  # members who win alone: the others below cap
        swung[v] = losing[:n] if by_size else list(losing)
    if not mirror:
        return losing, swung
    if not by_size:
        return [2**n - losing[0]], swung
    return (
        [math.comb(n, t) - losing[n - t] for t in range(n + 1)],
        {v: c[::-1] for v, c in swung.items()},
    )


# --- table: one integer for F mod x^cap ---------------------------------------------------------


def _table(game: _Game) -> tuple[Counts, dict[int, Counts]]:
    k = game.slot_bits
    sizes = game.n + 1 if game.by_size else 1
    slot = sizes * k  # bits per weight z
    y_shift = k if game.by_size else 0
    mask = (1 << (game.cap * slot)) - 1
    f = 1
    for w in sorted(game.weights):
        if w < game.cap:
            f = (f + (f << (w * slot + y_shift))) & mask
    limbs = k // 32
    raw = np.frombuffer(f.to_bytes(game.cap * slot // 8, "little"), dtype="<u4")
    table = raw.reshape(game.cap, sizes, limbs).astype(np.int64)
    prefix = np.zeros((game.cap + 1, sizes, limbs), dtype=np.int64)
    np.cumsum(table, axis=0, out=prefix[1:])  # below cap * 2^32 < 2^63
    losing = _join(prefix[game.cap])
    swung = {}
    for v, _ in game.classes:
        swung[v] = _join(_alternating(prefix, v, game.cap, game.n if game.by_size else 0))
    return losing, swung


def _alternating(prefix: NDArray[np.int64], v: int, cap: int, n: int) -> NDArray[np.int64]:
    """``sum_{z < cap} (-y)^{e(z)} F[z]`` from the prefix sums of ``F`` over ``z``, block by block
    of ``v`` weights with equal ``e = (cap - 1 - z) // v``; ``n`` sizes (0: totals, ``y = 1``)."""
    last = (cap - 1) // v if n == 0 else min((cap - 1) // v, n - 1)
    e = np.arange(last + 1)
    hi = cap - e * v
    blocks = prefix[hi] - prefix[np.maximum(hi - v, 0)]  # (e, sizes, limbs)
    blocks[1::2] *= -1
    if n == 0:
        out: NDArray[np.int64] = blocks.sum(axis=0)
        return out
    # out[t] = sum_e blocks[e, t - e]: write row e shifted right by e, then add the rows up
    limbs = blocks.shape[2]
    sheared = np.zeros((last + 1, n + last + 1, limbs), dtype=np.int64)
    rows = e[:, None]
    sheared[rows, rows + np.arange(n + 1)[None, :]] = blocks[:, : n + 1]
    total: NDArray[np.int64] = sheared.sum(axis=0)[:n]
    return total


def _join(limbs: NDArray[np.int64]) -> Counts:
    """Python integers from 32-bit limbs (``(..., limbs)``, least significant first; limb sums
    may exceed 32 bits or be negative)."""
    scale = np.array([1 << (32 * j) for j in range(limbs.shape[-1])], dtype=object)
    return [int(x) for x in np.atleast_1d(limbs.astype(object) @ scale)]


# --- recurrence over weights, one integer per F_z ----------------------------------------------


def _recurrence(game: _Game) -> tuple[Counts, dict[int, Counts]]:
    k = game.slot_bits
    classes = game.classes
    cap = game.cap
    step = [v for v, _ in classes]
    coef = [v * m for v, m in classes]
    first = [cap - v for v in step]  # the window of H_j: [cap - v_j, cap)
    rings: list[list[int]] = [[0] * v for v in step]  # y H_{j, z - v_j}, ..., y H_{j, z - 1}
    swung = [0] * len(classes)
    losing = 0
    for z in range(cap):
        if z == 0:
            f = 1
        else:
            acc = 0
            for c, v, ring in zip(coef, step, rings, strict=True):
                if z >= v:
                    acc += c * ring[z % v]
            f = acc // z  # exact: z F_z = y sum_j m_j v_j H_{j, z - v_j}
        losing += f
        for j, (v, ring) in enumerate(zip(step, rings, strict=True)):
            h = f - ring[z % v] if z >= v else f  # H_{j,z} = F_z - y H_{j, z - v_j}
            ring[z % v] = h << k
            if z >= first[j]:
                swung[j] += h
    width = k // 8
    return _unpack(losing, width, game.n + 1), {
        v: _unpack(s, width, game.n) for v, s in zip(step, swung, strict=True)
    }


def _unpack(packed: int, width: int, count: int) -> Counts:
    """The ``count`` coefficients of a polynomial packed ``width`` bytes each."""
    data = packed.to_bytes(width * count, "little")
    return [int.from_bytes(data[t * width : (t + 1) * width], "little") for t in range(count)]


def check_weights(weights: Sequence[int]) -> None:
    """Refuse weights that are not positive integers (the generating functions index by them)."""
    if any(int(w) <= 0 for w in weights):
        raise UsageError("weights must be positive integers")
