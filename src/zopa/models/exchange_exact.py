"""One exchange of Stokman's equal-gain model, step by step in decide's order of operations.

decide (github.com/foarsitter/decide-exchange-model: ``equalgain.py``, ``calculate``;
``base.py``, ``check_nbs`` / ``is_move_valid`` / ``update_updates``; ``calculations.py``) computes
in Python's :mod:`decimal` with the default context (28 significant digits, half-even). Several
of its decisions are exact ties in real arithmetic — an outcome left *exactly* at a demander's
position by an earlier exchange, a voting position moved exactly onto 0 or 100 — and decide settles
them by the sign of its 28-digit rounding, which binary floating point cannot reproduce. This
module repeats decide's arithmetic for one exchange, operation for operation (same operands, same
association, same summation order over the actors), in a number type chosen by the caller:
:class:`decimal.Decimal` (exact reproduction) or ``float`` (binary64). The vectorised round in
:mod:`zopa.models.exchange_round` uses it for the few exchanges whose decisions lie within
rounding distance of a threshold, for exchanges capped at an outcome, and for every realised
exchange, whose voting positions become the state of the rest of the round.

Notation: side ``i`` supplies issue ``q`` and demands ``p``; side ``j`` supplies ``p`` and demands
``q``. ``w = c s``; ``D_k = sum_a s_ak c_ak`` over the actors with a position on ``k``.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Generic, TypeVar

N = TypeVar("N", Decimal, float)

CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
"""decide's arithmetic: Python's default decimal context (28 digits, round half even)."""
MIN_MOVE = 1e-10
"""Moves (absolute) and gains at or below this are no exchange (decide's threshold)."""
SALIENCE_WEIGHT, FIXED_WEIGHT = 0.4, 0.1
"""Next round's start ``x' = (1 - (1-s) 0.4 - 0.1) x + ((1-s) 0.4 + 0.1) y`` (decide; its
``Decimal(0.4)`` is the binary value of the float 0.4, kept here)."""


def exact(value: float) -> Decimal:
    """A number of the scenario as decide reads it from text: the shortest decimal that
    round-trips the binary value (``0.95`` -> ``Decimal('0.95')``)."""
    return Decimal(repr(float(value)))


def to_percent_exact(value: float, lo: float, hi: float) -> Decimal:
    """decide's ``Issue.normalize``: ``(x - lower) * (100 / (upper - lower))`` in decimals."""
    low = exact(lo)
    return (exact(value) - low) * (Decimal(100) / (exact(hi) - low))


@dataclass(slots=True)
class Result(Generic[N]):
    """One computed exchange: validity, both moves and voting positions, the (equal) gain."""

    valid: bool
    move: tuple[N, N]
    y: tuple[N, N]
    gain: N


class Weights(Generic[N]):
    """Salience and power in one arithmetic, and what follows from them alone, the same in every
    round: per issue the actors holding a position, in the order decide sums them (the actors'
    order), and decide's denominator ``D_k = sum_a s_ak c_ak`` over them."""

    def __init__(
        self, s: Sequence[Sequence[N]], c: Sequence[Sequence[N]],
        has_position: Sequence[Sequence[bool]], one: N,
    ) -> None:
        self.s: Sequence[Sequence[N]] = s
        self.c: Sequence[Sequence[N]] = c
        self.one: N = one
        self.zero: N = one - one
        n, m = len(s), len(s[0]) if s else 0
        self.members = [[a for a in range(n) if has_position[a][k]] for k in range(m)]
        self.slot = [{a: i for i, a in enumerate(members)} for members in self.members]
        self.denom: list[N] = []
        for k, members in enumerate(self.members):
            total = self.zero
            for a in members:
                total = total + s[a][k] * c[a][k]  # calc_nbs_denominator
            self.denom.append(total)


class Tables(Generic[N]):
    """A round's numbers in one arithmetic: round-start positions ``x0[a][k]`` (``None``: no
    position; the same actors as ``weights`` was made for), salience, power, the current
    positions ``cur`` (moved by realised exchanges) and per issue the actors holding a position,
    in the order decide sums them (the actors' order)."""

    def __init__(self, x0: list[list[N | None]], weights: Weights[N]) -> None:
        self.x0: list[list[N | None]] = x0
        self.s: Sequence[Sequence[N]] = weights.s
        self.c: Sequence[Sequence[N]] = weights.c
        self.cur: list[list[N | None]] = [row[:] for row in x0]
        one = weights.one
        self.one: N = one
        self.zero: N = weights.zero
        self.hundred: N = one * 100
        self.min_move: N = type(one)(MIN_MOVE)
        self.members: list[list[int]] = weights.members
        self.slot: list[dict[int, int]] = weights.slot
        self.denom: list[N] = weights.denom
        self.terms: list[list[N]] = []  # x s c per member at the round's start
        for k, members in enumerate(self.members):
            terms = []
            for a in members:
                terms.append(self._term(a, k, self._x0(a, k)))
            self.terms.append(terms)

    def _x0(self, a: int, k: int) -> N:
        value = self.x0[a][k]
        assert value is not None
        return value

    def _term(self, a: int, k: int, position: N) -> N:
        return position * self.s[a][k] * self.c[a][k]

    def outcome(self, k: int) -> N:
        """decide's ``nash_bargaining_solution`` of issue ``k`` at the round's start."""
        if self.denom[k] == 0:
            return self.zero
        return self._sum(k, {}) / self.denom[k]

    def _sum(self, k: int, positions: Mapping[int, N]) -> N:
        """``sum_a x_a s_a c_a`` over issue ``k``'s actors in decide's order (left to right,
        each addition rounded), with ``positions`` replacing some actors' round-start ones."""
        terms = self.terms[k]
        if positions:
            terms = terms.copy()
            slot = self.slot[k]
            for a, pos in positions.items():
                i = slot.get(a)
                if i is not None:
                    terms[i] = self._term(a, k, pos)
        return reduce(operator.add, terms, self.zero)

    def adjusted_outcome(self, k: int, own: int, at: N, updates: Mapping[int, N] | None) -> N:
        """decide's ``adjusted_nbs``: the outcome of ``k`` with this exchange's known updates of
        others and the own actor at ``at`` (set last, so it overrides an update of itself)."""
        if self.denom[k] == 0:
            return self.zero
        positions = dict(updates) if updates else {}
        positions[own] = at
        return self._sum(k, positions) / self.denom[k]

    def position_for(
        self, k: int, own: int, at: N, updates: Mapping[int, N] | None, outcome: N
    ) -> N:
        """decide's ``adjusted_nbs_by_position``, literally: the own actor at ``at`` unless the
        updates hold it (they are applied after it), everyone summed, then
        ``(outcome D - sum) / (s c)`` -- the move that brings the outcome to ``outcome``."""
        positions = {own: at}
        if updates:
            positions.update(updates)
        left = outcome * self.denom[k] - self._sum(k, positions)
        return left / (self.s[own][k] * self.c[own][k])

    def valid_move(self, pos: N, move: N, history: tuple[float, int]) -> bool:
        """decide's ``is_move_valid``: ``|move|`` in (1e-10, 100], the voting position in
        [0, 100], the side's move history (earlier moves of this exchange, then this one) summing
        to at most 100 and keeping one sign. The history's sum is carried in binary64 (it only
        decides when it exceeds 100 by less than 1e-13)."""
        size = abs(move)
        if size > self.hundred or size <= self.min_move:
            return False
        y = pos + move
        if y < self.zero or y > self.hundred:
            return False
        total, sign = history
        if type(self.one)(total) + move > self.hundred:
            return False
        return not (sign > 0 > move or sign < 0 < move)


@dataclass(slots=True)
class Pair(Generic[N]):
    """The two sides of an exchange: actors ``ai`` (supplies ``q``) and ``aj`` (supplies ``p``),
    the updates each side's supply issue has learnt (actor -> voting position) and each side's
    move history ``(sum, sign)``."""

    ai: int
    q: int
    aj: int
    p: int
    updates: tuple[Mapping[int, N] | None, Mapping[int, N] | None]
    history: tuple[tuple[float, int], tuple[float, int]]


def calculate(t: Tables[N], e: Pair[N]) -> Result[N]:
    """decide's ``EqualGainExchange.calculate`` for one exchange, in ``t``'s arithmetic: the
    moves and gain of :func:`equal_gain`, validated, then each side's outcome check
    (:func:`_check_outcome`) may shorten them, and they are validated again."""
    ai, q, aj, p = e.ai, e.q, e.aj, e.p
    pi, pj = t.cur[ai][q], t.cur[aj][p]
    assert pi is not None and pj is not None
    move_i, move_j, gain = equal_gain(t, ai, q, aj, p)
    moves = [move_i, move_j]
    valid = (
        t.valid_move(pi, move_i, e.history[0]) and t.valid_move(pj, move_j, e.history[1])
        and not gain < t.min_move
    )
    if valid:
        for side in (0, 1):
            capped = _check_outcome(t, e, side, moves)
            if capped is not None:
                gain = capped
        valid = t.valid_move(pi, moves[0], e.history[0]) and t.valid_move(
            pj, moves[1], e.history[1]
        )
    return Result(valid, (moves[0], moves[1]), (pi + moves[0], pj + moves[1]), gain)


def equal_gain(t: Tables[N], ai: int, q: int, aj: int, p: int) -> tuple[N, N, N]:
    """The equal-gain moves of ``i`` and ``j`` and their gain, before any check.

    ``j`` moves all the way to ``i``'s position on ``p``: ``dp = |x_ip - x_jp| s_jp c_jp / D_p``,
    ``dq = ((s_jp + s_ip) / (s_jq + s_iq)) dp`` and ``i`` moves ``dq D_q / (c_iq s_iq)``; if that
    exceeds ``|x_jq - x_iq|``, ``i`` moves all the way instead and ``j`` by the reverse rate
    (Stokman & Van Oosten 1994, equal gain). Gain ``|dq s_iq - dp s_ip|``.
    """
    s, c, d = t.s, t.c, t.denom
    pi, pj = t.cur[ai][q], t.cur[aj][p]
    x_ip, x_jq = t.x0[ai][p], t.x0[aj][q]
    assert pi is not None and pj is not None and x_ip is not None and x_jq is not None
    s_iq, s_ip, s_jp, s_jq = s[ai][q], s[ai][p], s[aj][p], s[aj][q]
    # decide computes each gap twice; one rounded value serves both (same operands, same result)
    gap_p, gap_q = abs(x_ip - pj), abs(x_jq - pi)
    dp = gap_p * s_jp * c[aj][p] / d[p]
    dq = (s_jp + s_ip) / (s_jq + s_iq) * dp
    move_i = dq * d[q] / (c[ai][q] * s_iq)
    move_j = gap_p
    if abs(move_i) > gap_q:
        dq = gap_q * s_iq * c[ai][q] / d[q]
        dp = (s_iq + s_jq) / (s_ip + s_jp) * dq
        move_i = gap_q
        move_j = dp * d[p] / (c[aj][p] * s_jp)
    if pi > x_jq:
        move_i = -move_i
    if pj > x_ip:
        move_j = -move_j
    return move_i, move_j, abs(dq * s_iq - dp * s_ip)


def _check_outcome(t: Tables[N], e: Pair[N], side: int, moves: list[N]) -> N | None:
    """decide's ``check_nbs`` for ``side``: if its move carries the outcome of its supply issue
    strictly past the other side's position there, the move becomes decide's
    ``adjusted_nbs_by_position`` (taken as a distance) and the other move is rescaled at the
    equal-gain rate. Updates ``moves`` in place; returns the new gain, or None if not capped."""
    actors, supplies = (e.ai, e.aj), (e.q, e.p)
    a, k = actors[side], supplies[side]
    b, h = actors[1 - side], supplies[1 - side]
    own, other = t.cur[a][k], t.cur[b][h]
    target, demand = t.x0[b][k], t.x0[a][h]  # the other side's / this side's demand positions
    assert own is not None and other is not None and target is not None and demand is not None
    updates = e.updates[side]
    before = t.adjusted_outcome(k, a, own, updates)
    after = t.adjusted_outcome(k, a, own + moves[side], updates)
    if (target - before >= 0 and target - after >= 0) or (
        target - before <= 0 and target - after <= 0
    ):
        return None
    s, c, d = t.s, t.c, t.denom
    delta = abs(t.position_for(k, a, own, updates, target))
    ratio = delta * s[a][k] * c[a][k] / d[k]
    other_ratio = (s[a][k] + s[b][k]) / (s[a][h] + s[b][h]) * ratio
    other_move = abs(other_ratio * d[h] / (c[b][h] * s[b][h]))
    own_move = delta
    if other > demand:
        other_move = -other_move
    if own > target:
        own_move = -own_move
    moves[side], moves[1 - side] = own_move, other_move
    return abs(other_ratio * s[b][h] - ratio * s[b][k])


def merge_update(previous: N | None, start: N, voting: N) -> N:
    """decide's ``update_updates``: what an exchange keeps as another actor's voting position
    when it learns ``voting`` (that actor's round start ``start``) having known ``previous``."""
    if previous is None:
        return voting
    if start <= previous:
        return previous if previous < voting else voting
    return previous if previous > voting else voting


def next_start(salience: N, start: N, voting: N) -> N:
    """decide's ``new_start_position``: ``(1-s) 0.4 y + 0.1 y + (1 - (1-s) 0.4 - 0.1) x``,
    with decide's association and its ``Decimal(0.4)``, ``Decimal(0.1)``."""
    sw, fw = _DECIMAL_WEIGHTS if isinstance(salience, Decimal) else _FLOAT_WEIGHTS
    # (1 - s) 0.4 is one rounded value wherever decide's expression computes it
    moved = (1 - salience) * sw
    return moved * voting + fw * voting + (1 - moved - fw) * start


_DECIMAL_WEIGHTS = (Decimal(SALIENCE_WEIGHT), Decimal(FIXED_WEIGHT))
_FLOAT_WEIGHTS = (SALIENCE_WEIGHT, FIXED_WEIGHT)
