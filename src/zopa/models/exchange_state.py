"""The state of one round of Stokman's exchange model while its exchanges are realised.

A round's candidates (:mod:`zopa.models.exchange_candidates`) are evaluated once as arrays; the
realisation that follows is sequential -- one step per realised exchange, each recomputing the
dozen or so exchanges it touches -- and walks the plain Python lists of :class:`RoundState`: for
that many numbers the fixed cost of a NumPy call (~1 us) exceeds the arithmetic by far.

Indexing: exchange ``e`` in ``[0, E)`` has two sides, ``f = e`` (side ``i``, supplies ``q``) and
``f = E + e`` (side ``j``, supplies ``p``). Per-side lists have ``2 E`` entries, per-exchange
lists ``E``. An actor-issue ``(a, k)`` has the key ``a m + k``.

Numbers are binary64 in the lists; ``tables`` holds the round in its own arithmetic (decide's
28-digit decimals in decimal precision, binary64 in float precision), which the decisions near
their thresholds and every realised exchange use (:mod:`zopa.models.exchange_exact`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np

from zopa.models import exchange_exact as xx
from zopa.models.exchange_candidates import (
    Candidates,
    FirstEvaluation,
    IntArray,
    candidate_pairs,
    evaluate_candidates,
    exchange_constants,
    left_of_outcome,
)
from zopa.utility import FloatArray

Number = Any
"""A number in the round's own arithmetic: :class:`decimal.Decimal` or ``float``."""
ExactTable = tuple[tuple[Decimal | None, ...], ...]
"""Positions in decide's decimals, per actor and issue (``None``: no position)."""

TOL = 1e-9
"""A binary64 decision closer than this to its threshold is taken in decide's decimals (its
binary64 error is below 1e-12 on the 0-100 scale)."""


@dataclass(slots=True, eq=False)
class RoundState:
    """Everything the realisation reads and updates, as flat lists (see the module docstring
    for the indexing). Filled by :func:`open_round`."""

    count: int
    """``E``, the number of candidate exchanges."""
    issues: int
    """``m``, for the actor-issue keys ``a m + k``."""
    exact: bool
    """Decimal precision: decisions near a threshold and realised exchanges in decimals."""
    tol: float
    """:data:`TOL` in decimal precision, 0 in float precision (no hand-over)."""
    scalar_only: bool
    """Every exchange through :func:`zopa.models.exchange_exact.calculate` (the reference)."""
    tables: xx.Tables[Any]
    """The round in its own arithmetic; ``tables.cur`` follows the realised exchanges."""
    cur: list[float]
    """Current position per actor-issue key (binary64; NaN positions as 0, never used)."""
    supply_key: list[int]
    """Per side: the key of the actor-issue it supplies (moves)."""
    target: list[float]
    """Per side: the other side's position on the issue this side supplies (its demand)."""
    weight_share: list[float]
    """Per side: ``w / D`` of its actor on its supply issue (the outcome's slope in it)."""
    ratio: list[float]
    """Per exchange: ``i``'s move per unit of ``j``'s move (equal gain)."""
    unit_gain: list[float]
    """Per exchange: the gain per unit of ``j``'s move."""
    base: list[float]
    """Per side: its supply issue's outcome without its own actor (outcome = base + share x),
    with the updates the side has learnt."""
    room: list[float]
    """Per side: 100 less the sum of its move history (decide: that sum may not exceed 100)."""
    sign: list[float]
    """Per side: the sign of its move history (0: none yet)."""
    held: list[float | None]
    """Per side: its update of its own actor, if it learnt one (only the cap uses it)."""
    move: list[float]
    """Per side: its current move."""
    gain: list[float]
    """Per exchange: its current gain (binary64; the decimal one rounded once known)."""
    alive: list[bool]
    """Per exchange: valid and not yet realised."""
    capped: list[bool]
    """Per exchange: shortened by an outcome check in binary64 (decimals needed to realise)."""
    plain: list[tuple[float, float, float] | None]
    """Per exchange: the equal-gain moves and gain of its last evaluation if they passed the
    move checks (before the outcome check), else None."""
    constants: list[tuple[int, int, float, float, float, float, float, float]]
    """Per exchange, for the hot loop: both sides' supply keys, targets and weight shares
    (``i`` then ``j`` each), ratio and unit gain, as one tuple."""
    pairs: list[tuple[int, int, int, int]]
    """Per exchange: ``(actor i, actor j, q, p)``."""
    own: list[int]
    """Per side: its actor."""
    exchange_of: list[int]
    """Per side: its exchange."""
    supplying: list[list[int]]
    """Per actor-issue key: the sides that supply that issue by that actor."""
    demanding: list[list[int]]
    """Per actor-issue key: the sides whose actor demands that issue."""
    share_of: list[list[float]]
    """``w / D`` per actor and issue (0 without a position)."""
    start_of: list[list[float]]
    """Positions at the round's start per actor and issue, binary64 (``round_start``)."""
    round_start: FloatArray
    """Positions at the round's start (n, m), binary64."""
    fresh: set[int] = field(default_factory=set)
    """Exchanges (re)computed since the last sort (decimal precision orders their near ties)."""
    updates: dict[int, dict[int, Number]] = field(default_factory=dict)
    """Per side: what it has learnt of other actors' voting positions (decide's ``updates``)."""
    cache: dict[int, tuple[Number, Number, Number, bool]] = field(default_factory=dict)
    """Per exchange: its decimal moves, gain and validity, until it is touched."""
    equal_gain: dict[int, tuple[Number, Number, Number, Number, Number, float]] = field(
        default_factory=dict
    )
    """Per exchange: the last result of decide's equal-gain formula, with the two positions it
    was computed from (``pi, pj, move_i, move_j, gain, float(gain)``)."""


def open_round(
    x: FloatArray, exact: ExactTable | None, s: FloatArray, c: FloatArray, scalar_only: bool
) -> tuple[RoundState, list[int]]:
    """A round's state from its start positions ``x`` on 0-100 (``exact``: their decimals, or
    None in float precision), salience and power (n, m): every candidate exchange evaluated as
    arrays. Returns the state and the exchanges still to evaluate one by one (those an outcome
    check may shorten, or with a decision near its threshold)."""
    n, m = x.shape
    tol = TOL if exact is not None else 0.0
    tables = round_tables(x, exact, s, c)
    has_position = ~np.isnan(x)
    w = np.where(has_position, c * s, 0.0)
    denom = w.sum(axis=0)
    weighs = w > 0
    share_of = np.divide(w, denom, out=np.zeros_like(w), where=weighs)
    usable = has_position & weighs
    decimal_salience = tables.s if exact is not None else None
    actor, supply = candidate_pairs(left_of_outcome(tables, n, m), usable, s, decimal_salience)
    known = np.where(has_position, x, 0.0)  # positions are finite: as nan_to_num
    cand = exchange_constants(actor, supply, x, known, s, w, share_of, denom)
    first = evaluate_candidates(cand, known.ravel(), tol, scalar_only)
    count = cand.count
    supply_key = cand.supply_key.ravel()
    demand_key = (actor * m + supply[::-1]).ravel()
    supply_keys = supply_key.tolist()
    targets = cand.target.ravel().tolist()
    shares = cand.weight_share.ravel().tolist()
    ratios, unit_gains = cand.ratio.tolist(), cand.unit_gain.tolist()
    state = RoundState(
        count=count,
        issues=m,
        exact=exact is not None,
        tol=tol,
        scalar_only=scalar_only,
        tables=tables,
        cur=known.ravel().tolist(),
        supply_key=supply_keys,
        target=targets,
        weight_share=shares,
        ratio=ratios,
        unit_gain=unit_gains,
        base=cand.base.ravel().tolist(),
        room=[100.0] * (2 * count),
        sign=[0.0] * (2 * count),
        held=[None] * (2 * count),
        move=first.move.ravel().tolist(),
        gain=first.gain.tolist(),
        alive=first.alive.tolist(),
        capped=[False] * count,
        plain=_plain(first),
        constants=list(zip(
            supply_keys[:count], supply_keys[count:], targets[:count], targets[count:],
            ratios, unit_gains, shares[:count], shares[count:], strict=True,
        )),
        pairs=_pairs(cand),
        own=actor.ravel().tolist(),
        exchange_of=[*range(count), *range(count)],
        supplying=sides_by_key(supply_key, n * m),
        demanding=sides_by_key(demand_key, n * m),
        share_of=share_of.tolist(),
        start_of=x.tolist(),
        round_start=x.copy(),
        fresh=set(range(count)),
    )
    return state, first.again


def round_tables(
    x: FloatArray, exact: ExactTable | None, s: FloatArray, c: FloatArray
) -> xx.Tables[Any]:
    """The round's numbers in its own arithmetic: decide's decimals (inputs as the shortest
    decimal of each number, as decide reads its text file) or binary64."""
    s, c = np.ascontiguousarray(s, dtype=float), np.ascontiguousarray(c, dtype=float)
    has_position = ~np.isnan(x)
    weights = _weights(
        exact is not None, x.shape, s.tobytes(), c.tobytes(), has_position.tobytes()
    )
    if exact is not None:
        return xx.Tables([list(row) for row in exact], weights)
    x0 = [[None if v != v else v for v in row] for row in x.tolist()]  # v != v: NaN
    return xx.Tables(x0, weights)


@lru_cache(maxsize=8)
def _weights(
    decimal: bool, shape: tuple[int, ...], s: bytes, c: bytes, has_position: bytes
) -> xx.Weights[Any]:
    """Salience and power in the round's arithmetic, and decide's denominators. They are the
    same in every round of a run, so they are kept (by value) rather than converted again:
    this pure function of its arguments is memoised."""
    s_rows = np.frombuffer(s).reshape(shape).tolist()
    c_rows = np.frombuffer(c).reshape(shape).tolist()
    mask = np.frombuffer(has_position, dtype=bool).reshape(shape).tolist()
    if not decimal:
        return xx.Weights(s_rows, c_rows, mask, 1.0)
    memo: dict[float, Decimal] = {}

    def exact(v: float) -> Decimal:
        d = memo.get(v)
        if d is None:
            d = memo[v] = xx.exact(v)
        return d

    sd = [[exact(v) for v in row] for row in s_rows]
    cd = [[exact(v) for v in row] for row in c_rows]
    return xx.Weights(sd, cd, mask, Decimal(1))


def sides_by_key(keys: IntArray, size: int) -> list[list[int]]:
    """``groups[k]`` lists the sides ``f`` with ``keys[f] == k``, in increasing ``f``."""
    order: list[int] = np.argsort(keys, kind="stable").tolist()
    bounds = [0, *np.cumsum(np.bincount(keys, minlength=size)).tolist()]
    return [order[lo:hi] for lo, hi in pairwise(bounds)]


def _plain(first: FirstEvaluation) -> list[tuple[float, float, float] | None]:
    """The moves and gain of the exchanges valid at the first evaluation (the others are
    evaluated again one by one, which sets theirs)."""
    move_i, move_j = first.move.tolist()
    return [
        (mi, mj, g) if ok else None
        for mi, mj, g, ok in zip(move_i, move_j, first.gain.tolist(), first.alive.tolist(),
                                 strict=True)
    ]


def _pairs(cand: Candidates) -> list[tuple[int, int, int, int]]:
    actor_i, actor_j = cand.actor.tolist()
    supply_q, supply_p = cand.supply.tolist()
    return list(zip(actor_i, actor_j, supply_q, supply_p, strict=True))
