"""Moves, gain and validity of an exchange during the realisation, and decide's outcome check.

decide recomputes every exchange a realisation touches (``calculate``): equal-gain moves,
validity, then each side's outcome check (``check_nbs``), which shortens a move that would carry
the outcome of the side's supply issue past the other side's position there. Here that runs in
binary64 on the round's lists (:class:`zopa.models.exchange_state.RoundState`), with the formulas
and order of operations of :func:`zopa.models.exchange_candidates.evaluate_candidates`, so both
agree bit for bit. In decimal precision an exchange goes to decide's own arithmetic
(:func:`zopa.models.exchange_exact.calculate`) when one of its decisions lies within ``tol`` of
its threshold -- binary64 cannot say which side decide's rounding takes -- and, when realised or
in a near tie, gets its decimal moves and gain (:func:`decimal_moves`).
"""

from __future__ import annotations

from collections.abc import Collection
from math import copysign

from zopa.models import exchange_exact as xx
from zopa.models.exchange_state import Number, RoundState

MIN_MOVE = xx.MIN_MOVE
"""Moves (absolute) and gains at or below this are no exchange (decide's threshold)."""

DecimalExchange = tuple[Number, Number, Number, bool]
"""Moves of sides ``i`` and ``j``, gain and validity, in the round's own arithmetic."""


def reevaluate(state: RoundState, exchanges: Collection[int]) -> None:
    """(Re)compute ``exchanges`` from the current positions, move histories and updates, as
    decide's ``calculate``: ``j`` moves ``min(gap_p, gap_q / A)`` and ``i`` ``A`` times that
    (equal gain), the moves are validated, then the outcome checks (:func:`_cap_at_outcome`).

    The loop is written out, locals bound once: it runs a dozen times per realised exchange
    and is the round's hot path (a function call per formula would double its cost).
    """
    if state.scalar_only:
        for e in exchanges:
            decimal_exchange(state, e)  # replaces its cached decimals
        return
    count, tol, neg_tol, min_move = state.count, state.tol, -state.tol, MIN_MOVE
    cur, constants, base = state.cur, state.constants, state.base
    room, sign, cache = state.room, state.sign, state.cache
    moves, gains, alive, capped = state.move, state.gain, state.alive, state.capped
    plain = state.plain
    handed: list[int] = []
    for e in exchanges:
        if e in cache:  # decimals of its previous state
            del cache[e]
        key_i, key_j, ti, tj, ratio, unit, wi, wj = constants[e]
        f = e + count
        pi, pj = cur[key_i], cur[key_j]
        di, dj = ti - pi, tj - pj
        gap_q, gap_p = abs(di), abs(dj)
        partial = gap_p * ratio  # i's move if j moves all the way ...
        over = partial > gap_q  # ... unless that passes j's position: i moves all the way
        mag_i = gap_q if over else partial
        mag_j = gap_q / ratio
        if gap_p < mag_j:
            mag_j = gap_p
        move_i, move_j = copysign(mag_i, di), copysign(mag_j, dj)
        gain = mag_j * unit
        is_capped = hand = False
        # decide's is_move_valid for both sides, and its minimum gain; a side's history of moves
        # in this round may not exceed 100 (``room``) nor change sign
        if (
            mag_i > min_move and mag_j > min_move and gain >= min_move
            and move_i <= room[e] and move_j <= room[f]
            and sign[e] * move_i >= 0.0 and sign[f] * move_j >= 0.0
        ):
            # Only the side that moves part of the way can leave [0, 100]: the other lands on
            # the other side's position, which lies in [0, 100], and so it does in decide's
            # decimals too (``P + |t - P|`` rounds to within half a unit of ``t``'s last digit,
            # never past 0 or 100), where binary64 may overshoot 100 by an ulp.
            off = abs((pj + move_j if over else pi + move_i) - 50.0)
            ok = off <= 50.0
            hand = tol > 0.0 and abs(off - 50.0) < tol
        else:
            ok = False
        plain[e] = (move_i, move_j, gain) if ok and not hand else None
        if ok and not hand:
            # each side's outcome before and after its move, measured from the other side's
            # position there: clear of a crossing if both lie on one side of it (positions are
            # finite, so ``min(a, b) >= t`` is ``a >= t and b >= t``)
            before_i = ti - base[e] - wi * pi
            after_i = before_i - wi * move_i
            before_j = tj - base[f] - wj * pj
            after_j = before_j - wj * move_j
            if not (
                (
                    (before_i >= tol and after_i >= tol)
                    or (before_i <= neg_tol and after_i <= neg_tol)
                ) and (
                    (before_j >= tol and after_j >= tol)
                    or (before_j <= neg_tol and after_j <= neg_tol)
                )
            ):
                hand, is_capped, ok, move_i, move_j = _cap_at_outcome(
                    state, e, pi, pj, di, dj, before_i, before_j, move_i, move_j
                )
                gain = abs(move_j) * unit
        moves[e], moves[f], gains[e] = move_i, move_j, gain
        alive[e], capped[e] = ok, is_capped
        if hand:
            handed.append(e)
    state.fresh.update(exchanges)
    for e in handed:  # each reads only its own exchange's entries: order does not matter
        decimal_exchange(state, e)


def recheck_outcome(state: RoundState, exchanges: Collection[int]) -> None:
    """:func:`reevaluate` for exchanges whose positions and move histories are as at their last
    evaluation -- only the updates they have learnt changed since -- so their equal-gain moves,
    gain and move validity are those kept in ``plain``: only the outcome checks are redone.
    The others (no such moves: handed over to decimals) are evaluated in full."""
    if state.scalar_only:
        reevaluate(state, exchanges)
        return
    count, tol, neg_tol = state.count, state.tol, -state.tol
    cur, constants, base, cache, plain = (
        state.cur, state.constants, state.base, state.cache, state.plain
    )
    moves, gains, alive, capped = state.move, state.gain, state.alive, state.capped
    full: list[int] = []
    handed: list[int] = []
    for e in exchanges:
        known = plain[e]
        if known is None:
            full.append(e)
            continue
        if e in cache:  # decimals of its previous state
            del cache[e]
        move_i, move_j, gain = known
        key_i, key_j, ti, tj, _, unit, wi, wj = constants[e]
        f = e + count
        pi, pj = cur[key_i], cur[key_j]
        before_i = ti - base[e] - wi * pi
        after_i = before_i - wi * move_i
        before_j = tj - base[f] - wj * pj
        after_j = before_j - wj * move_j
        hand = is_capped = False
        ok = True
        if not (
            ((before_i >= tol and after_i >= tol) or (before_i <= neg_tol and after_i <= neg_tol))
            and (
                (before_j >= tol and after_j >= tol) or (before_j <= neg_tol and after_j <= neg_tol)
            )
        ):
            hand, is_capped, ok, move_i, move_j = _cap_at_outcome(
                state, e, pi, pj, ti - pi, tj - pj, before_i, before_j, move_i, move_j
            )
            gain = abs(move_j) * unit
        moves[e], moves[f], gains[e] = move_i, move_j, gain
        alive[e], capped[e] = ok, is_capped
        if hand:
            handed.append(e)
    state.fresh.update(exchanges)
    for e in handed:
        decimal_exchange(state, e)
    if full:
        reevaluate(state, full)


def distance_to_target(target: float, base: float, share: float, position: float) -> float:
    """How far the own actor must move from ``position`` for its issue's outcome
    (``base + share x``) to reach ``target`` (decide's ``adjusted_nbs_by_position``)."""
    return abs((target - base - share * position) / share)


def _cap_at_outcome(
    state: RoundState, e: int, pi: float, pj: float, di: float, dj: float,
    before_i: float, before_j: float, move_i: float, move_j: float,
) -> tuple[bool, bool, bool, float, float]:
    """decide's ``check_nbs``, side ``i`` then side ``j``: a side whose move carries the outcome
    of its supply issue past the other side's position there moves instead the distance decide
    computes (``adjusted_nbs_by_position``: its own actor at the side's update of itself if it
    has one, else at its position), and the other side ``A`` times less or more (equal gain).

    Returns (needs decide's arithmetic, capped, valid, move_i, move_j); validity is of the moves
    only (decide checks the gain before the caps).
    """
    tol, f = state.tol, e + state.count
    share, ratio = state.weight_share, state.ratio[e]
    capped = False
    for side, before in ((e, before_i), (f, before_j)):
        w = share[side]
        after = before - w * (move_i if side == e else move_j)
        lo, hi = min(before, after), max(before, after)
        if lo >= tol or hi <= -tol:
            continue
        if not (lo <= -tol and hi >= tol):  # within tol of touching it: decide's rounding says
            return True, False, False, move_i, move_j
        held = state.held[side]
        at = (pi if side == e else pj) if held is None else held
        own = distance_to_target(state.target[side], state.base[side], w, at)
        if side == e:
            move_i, move_j = copysign(own, di), copysign(own / ratio, dj)
        else:
            move_i, move_j = copysign(own * ratio, di), copysign(own, dj)
        capped = True
    room, sign = state.room, state.sign
    y_i, y_j = pi + move_i, pj + move_j
    ok = (
        abs(move_i) > MIN_MOVE and abs(move_j) > MIN_MOVE
        and abs(y_i - 50.0) <= 50.0 and abs(y_j - 50.0) <= 50.0
        and move_i <= room[e] and move_j <= room[f]
        and sign[e] * move_i >= 0.0 and sign[f] * move_j >= 0.0
    )
    if tol and capped:
        # a capped move is ill-conditioned by D / w: widen the margin accordingly
        margin = tol * (1.0 + 1.0 / min(share[e], share[f]))
        for v in (abs(y_i - 50.0) - 50.0, abs(y_j - 50.0) - 50.0,
                  abs(move_i) - MIN_MOVE, abs(move_j) - MIN_MOVE):
            if abs(v) < margin:
                return True, False, ok, move_i, move_j
    return False, capped, ok, move_i, move_j


def decimal_exchange(state: RoundState, e: int) -> DecimalExchange:
    """Exchange ``e`` with every check, in the round's own arithmetic (decide's decimals in
    decimal precision); its binary64 entries become these values rounded."""
    result = xx.calculate(state.tables, _pair(state, e))
    state.move[e], state.move[e + state.count] = float(result.move[0]), float(result.move[1])
    state.gain[e] = float(result.gain)
    state.alive[e] = result.valid
    state.capped[e] = False
    state.fresh.add(e)
    known = state.cache[e] = (result.move[0], result.move[1], result.gain, result.valid)
    return known


def decimal_moves(state: RoundState, e: int) -> DecimalExchange:
    """Exchange ``e`` in decimals: moves, gain, validity. One neither capped nor handed over by
    :func:`reevaluate` has all its decisions clear of their thresholds, so decide's equal-gain
    formula gives its moves and gain without the checks."""
    known = state.cache.get(e)
    if known is None:
        if state.capped[e]:
            return decimal_exchange(state, e)
        ai, aj, q, p = state.pairs[e]
        cur = state.tables.cur
        pi, pj = cur[ai][q], cur[aj][p]
        # the equal-gain formula reads only the two positions (and constants of the round): an
        # exchange touched through its demand keeps them, and its last result
        last = state.equal_gain.get(e)
        if last is not None and last[0] is pi and last[1] is pj:
            move_i, move_j, gain, rounded = last[2:]
        else:
            move_i, move_j, gain = xx.equal_gain(state.tables, ai, q, aj, p)
            rounded = float(gain)
            state.equal_gain[e] = (pi, pj, move_i, move_j, gain, rounded)
        known = state.cache[e] = (move_i, move_j, gain, True)
        # rounding the decimal gain keeps the binary order consistent with decide's
        state.gain[e] = rounded
    return known


def _pair(state: RoundState, e: int) -> xx.Pair[Number]:
    ai, aj, q, p = state.pairs[e]
    f = e + state.count
    room, sign = state.room, state.sign
    return xx.Pair(
        ai, q, aj, p, (state.updates.get(e), state.updates.get(f)),
        ((100.0 - room[e], int(sign[e])), (100.0 - room[f], int(sign[f]))),
    )
