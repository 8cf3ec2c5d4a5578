"""One round of Stokman's exchange model with equal-gain exchange rates.

Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented model of policy
networks", in Bueno de Mesquita & Stokman (eds.) *European Community Decision Making*, ch. 5;
the equal-gain rate and the realisation procedure as implemented in decide
(github.com/foarsitter/decide-exchange-model, ``equalgain.py``, ``base.py``, ``calculations.py``),
whose results this module reproduces (docs/models.md lists its rules and quirks one by one).

Positions are on 0-100 (the issue's scale mapped linearly). ``w = c s`` is an actor's weight on an
issue, ``D_k = sum_a w_ak`` and ``O_k = sum_a w_ak x_ak / D_k`` the outcome (NBS) of issue ``k``.

An exchange pairs two actors on two issues ``p, q`` where they lie on opposite sides of both
outcomes (groups A-D, B-C). Side ``i`` supplies ``q`` and demands ``p``; side ``j`` the reverse.
The candidates of a round and their first evaluation are array operations; the realisation, one
step per realised exchange, recomputes the exchanges each step touches with plain floats. The
equal-gain algebra makes an exchange cheap: ``j`` moves ``min(gap_p, gap_q / A)`` and ``i`` ``A``
times that, with ``A = (w_jp / D_p) r / (w_iq / D_q)`` and ``r = (s_jp + s_ip) / (s_jq + s_iq)``
fixed per exchange, and the gain is ``j``'s move times a fixed factor.

Exactness (``precision="decimal"``, the default): decide computes in 28-digit decimals, and some of
its decisions are exact ties in real arithmetic that its rounding settles (an outcome left exactly
at a demander's position; a voting position moved exactly onto 0 or 100; equal gains). An exchange
is therefore recomputed with decide's own arithmetic (:mod:`zopa.models.exchange_exact`) when
any such decision lies within ``TOL`` of its threshold in binary64, when its gain is within
``NEAR_TIE`` of another's, and when it is realised (a capped one with all its checks): realised
voting positions are decide's decimals, so the state of the round is decide's state.
``precision="float"`` keeps everything in binary64 (gains within ``NEAR_TIE`` are then ties).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import pairwise
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from zopa.models import exchange_exact as xx
from zopa.utility import FloatArray

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]
Precision = Literal["decimal", "float"]

TOL = 1e-9
"""A binary64 decision closer than this to its threshold is taken in decide's decimals (its
binary64 error is below 1e-12 on the 0-100 scale)."""
NEAR_TIE = 1e-9
"""Gains closer than this are ordered by their decimal values (decimal precision) or are ties
kept in list order (float precision)."""
MIN_MOVE = xx.MIN_MOVE



@dataclass(frozen=True)
class Start:
    """Round-start positions on 0-100: binary64 ``x`` (n, m; NaN: no position) and, in decimal
    precision, the decimal values decide holds (``None``: no position)."""

    x: FloatArray
    exact: tuple[tuple[Decimal | None, ...], ...] | None = None

    @classmethod
    def of(
        cls, ideal: FloatArray, lo: FloatArray, hi: FloatArray, precision: Precision = "decimal"
    ) -> Start:
        """Issue units -> 0-100 as decide maps them: ``(x - lo) * (100 / (hi - lo))``."""
        if precision == "float":
            return cls(np.asarray((ideal - lo) * (100.0 / (hi - lo)), dtype=float))
        with localcontext(xx.CONTEXT):
            exact = tuple(
                tuple(
                    None if np.isnan(v) else xx.to_percent_exact(v, lo[k], hi[k])
                    for k, v in enumerate(row)
                )
                for row in ideal
            )
        return cls(_floats(exact), exact)


@dataclass(frozen=True)
class RoundResult:
    """Voting positions after the round's exchanges, the next round's start, and the realised
    exchanges in order (``gain``, ``actor``/``supply``/``start``/``round_start``/``y``/``move``
    as pairs: side ``i``, side ``j``)."""

    voting: FloatArray
    next: Start
    exchanges: list[dict[str, Any]]


def _floats(table: tuple[tuple[Decimal | None, ...], ...]) -> FloatArray:
    return np.array([[np.nan if v is None else float(v) for v in row] for row in table])


def outcome(x: FloatArray, w: FloatArray) -> FloatArray:
    """``O_k = sum_a w_ak x_ak / sum_a w_ak`` per issue (0 if nobody weighs it, as decide)."""
    total = w.sum(axis=0)
    num = (w * np.nan_to_num(x)).sum(axis=0)
    return np.asarray(np.divide(num, total, out=np.zeros_like(total), where=total > 0), dtype=float)


def run_round(
    start: Start, s: FloatArray, c: FloatArray, *, scalar_only: bool = False
) -> RoundResult:
    """One round from ``start`` with salience ``s`` and power ``c`` (n, m): candidates,
    realisation highest gain first, voting positions and the next round's start.

    ``scalar_only`` computes every exchange with :func:`zopa.models.exchange_exact.calculate`
    (slow; the reference the array path is tested against).
    """
    with localcontext(xx.CONTEXT):
        return _Round(start, s, c, scalar_only).run()


class _Round:
    """The candidate exchanges of one round, and their realisation.

    The candidates and their first evaluation are array operations over all of them
    (:meth:`_evaluate_all`). The realisation is sequential -- one step per realised exchange,
    each recomputing the few exchanges it touches -- and walks plain Python lists of floats
    (:meth:`_evaluate`), which for the dozen or so exchanges a step touches costs a fraction
    of the NumPy calls' fixed overhead. Both evaluate the same formulas in the same order, so
    they agree bit for bit. Exchange ``e`` has sides ``f = e`` (``i``) and ``f = E + e`` (``j``).
    """

    def __init__(
        self, start: Start, s: FloatArray, c: FloatArray, scalar_only: bool = False
    ) -> None:
        x = start.x
        n, m = x.shape
        self.n, self.m = n, m
        self.exact = start.exact is not None
        self.tol = TOL if self.exact else 0.0
        self.scalar_only = scalar_only
        w = np.where(np.isnan(x), 0.0, c * s)
        self.tables = self._tables(start, s, c)
        denom = w.sum(axis=0)
        self.wd_issue = np.divide(w, denom, out=np.zeros_like(w), where=w > 0)
        # left of the outcome: ``x <= O`` in the round's arithmetic (exact ties occur)
        t = self.tables
        left = np.zeros((n, m), dtype=bool)
        for k in range(m):
            o = t.outcome(k)
            for a in t.members[k]:
                left[a, k] = t.x0[a][k] <= o
        actor, supply = self._pairs(left, ~np.isnan(x) & (w > 0), s)  # (2, E) each
        e = self.e = actor.shape[1]
        demand = supply[::-1]
        skey = actor * m + supply
        s_sup, s_dem = s[actor, supply], s[actor, demand]
        wd = self.wd_issue[actor, supply]
        rate = (s_sup[1] + s_dem[0]) / (s_dem[1] + s_sup[0])
        static = np.empty((6, e))
        static[0:2] = x[actor[::-1], supply]  # target: the other side's demand position
        static[2:4] = wd
        static[4] = wd[1] * rate / wd[0]  # i's move per unit of j's move
        static[5] = wd[1] * np.abs(rate * s_sup[0] - s_dem[0])  # gain per unit of j's move
        # ``base``: the outcome of the side's supply issue without its own actor, over D (the
        # outcome is base + wd x_own); ``room``: 100 less the sum of the side's move history
        # (decide: that sum may not exceed 100); ``sign``: the history's sign (0: none yet)
        total = (w * np.nan_to_num(x)).sum(axis=0)
        base = (total[supply] - w[actor, supply] * x[actor, supply]) / denom[supply]
        cur = np.nan_to_num(x).ravel()
        move, gain, alive, again = self._evaluate_all(cur, skey, static, base)
        # the sequential part's state, as lists (f = side E + e for per-side lists)
        self.cur: list[float] = cur.tolist()
        self.skey: list[int] = skey.ravel().tolist()
        self.target, self.wd = static[0:2].ravel().tolist(), static[2:4].ravel().tolist()
        self.ratio, self.unit = static[4].tolist(), static[5].tolist()
        self.base: list[float] = base.ravel().tolist()
        self.room = [100.0] * (2 * e)
        self.sign = [0.0] * (2 * e)
        self.held: list[float | None] = [None] * (2 * e)  # a side's update of its own actor
        self.move: list[float] = move.ravel().tolist()
        self.gain: list[float] = gain.tolist()
        self.alive: list[bool] = alive.tolist()
        self.capped: list[bool] = [False] * e
        self.fresh: set[int] = set(range(e))  # exchanges (re)computed since the last sort
        self.voting0 = x.copy()
        self.pairs: list[tuple[int, int, int, int]] = list(
            zip(*actor.tolist(), *supply.tolist(), strict=True)
        )
        self.own: list[int] = actor.ravel().tolist()
        self.updates: dict[int, dict[int, Any]] = {}  # side f -> {actor: voting position}
        self.cache: dict[int, tuple[Any, Any, Any, bool]] = {}  # decimal moves, gain, valid
        self.supplying = _groups(self.skey, n * m)  # key a m + k -> sides supplying k by a
        self.demanding = _groups((actor * m + demand).ravel().tolist(), n * m)
        for k in again:
            self._evaluate(k)

    def _tables(self, start: Start, s: FloatArray, c: FloatArray) -> xx.Tables[Any]:
        if start.exact is not None:
            memo: dict[float, Decimal] = {}

            def exact(v: float) -> Decimal:
                d = memo.get(v)
                if d is None:
                    d = memo[v] = xx.exact(v)
                return d

            sd = [[exact(v) for v in row] for row in s.tolist()]
            cd = [[exact(v) for v in row] for row in c.tolist()]
            return xx.Tables([list(row) for row in start.exact], sd, cd, Decimal(1))
        x0 = [[None if np.isnan(v) else v for v in row] for row in start.x.tolist()]
        return xx.Tables(x0, s.tolist(), c.tolist(), 1.0)

    def _pairs(
        self, left: BoolArray, usable: BoolArray, s: FloatArray
    ) -> tuple[IntArray, IntArray]:
        """decide's candidates, in its order: issue pairs ``p < q``, then group A-D before B-C,
        then actors. Side ``i`` (supplies ``q``) is the actor with the larger ``s_p / s_q``."""
        p_of, q_of = np.triu_indices(self.m, 1)
        both = usable[:, p_of] & usable[:, q_of]
        code = np.where(both, left[:, p_of] + 2 * left[:, q_of].astype(int), -1).T  # (C, n)
        ad = (code[:, :, None] == 0) & (code[:, None, :] == 3)
        bc = (code[:, :, None] == 1) & (code[:, None, :] == 2)
        combo, _, ii, jj = np.nonzero(np.stack((ad, bc), axis=1))
        pp, qq = p_of[combo], q_of[combo]
        with np.errstate(divide="ignore", invalid="ignore"):
            ri, rj = s[ii, pp] / s[ii, qq], s[jj, pp] / s[jj, qq]
        swap = ri < rj
        if self.exact:  # ratios equal in decimals may differ in binary (and vice versa)
            same = (s[ii, pp] == s[jj, pp]) & (s[ii, qq] == s[jj, qq])  # equal: no swap
            close = np.flatnonzero(
                (np.abs(ri - rj) <= 1e-12 * np.maximum(np.abs(ri), 1.0)) & ~same
            )
            sd = self.tables.s
            for k, (a, b, p, q) in zip(
                close.tolist(), zip(ii[close].tolist(), jj[close].tolist(), pp[close].tolist(),
                                    qq[close].tolist(), strict=True), strict=True,
            ):
                swap[k] = sd[a][p] / sd[a][q] < sd[b][p] / sd[b][q]
        actor = np.stack((np.where(swap, jj, ii), np.where(swap, ii, jj)))
        supply = np.stack((qq, pp))
        return actor.astype(np.intp), supply.astype(np.intp)

    # -- evaluation -----------------------------------------------------------------------

    def _evaluate_all(
        self, cur: FloatArray, skey: IntArray, static: FloatArray, base: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray, list[int]]:
        """Every candidate at the round's start, as array operations: :meth:`_evaluate`'s
        formulas (no history or updates yet). Returns moves (2, E), gains, validity, and the
        exchanges to evaluate one by one."""
        tol = self.tol
        pos = cur[skey]
        target, wd, ratio = static[0:2], static[2:4], static[4]
        diff = target - pos
        gap = np.abs(diff)
        gap_q, gap_p = gap
        partial = gap_p * ratio
        mag = np.stack((np.minimum(partial, gap_q), np.minimum(gap_p, gap_q / ratio)))
        move = np.copysign(mag, diff)
        y = pos + move
        gain = mag[1] * static[5]
        off = np.abs(np.where(partial > gap_q, y[1], y[0]) - 50.0)
        ok_move = (mag > MIN_MOVE).all(axis=0) & (gain >= MIN_MOVE)
        ok = ok_move & (off <= 50.0)
        d0 = target - base - wd * pos
        d1 = d0 - wd * move
        clear = (np.minimum(d0, d1) >= tol) | (np.maximum(d0, d1) <= -tol)
        # the few that an outcome check may shorten, or with a decision near its threshold,
        # are evaluated one by one (``_evaluate``) once the lists exist
        again = ok & ~clear.all(axis=0)
        if tol:
            again |= ok_move & (np.abs(off - 50.0) < tol)
        if self.scalar_only:
            again[:] = True
        return move, gain, ok & ~again, np.flatnonzero(again).tolist()

    def _evaluate(self, e: int) -> None:
        """(Re)compute exchange ``e`` from the current positions in binary64, as decide's
        ``calculate``: equal-gain moves (``j``'s ``min(gap_p, gap_q / A)``, ``i``'s ``A`` times
        it), validity, then the outcome checks (:meth:`_caps`); decisions within ``TOL`` of
        their thresholds go to :meth:`_scalar` (decimal precision)."""
        if self.scalar_only:
            self._scalar(e)
            return
        f = e + self.e
        pi, pj = self.cur[self.skey[e]], self.cur[self.skey[f]]
        ti, tj = self.target[e], self.target[f]
        di, dj = ti - pi, tj - pj
        gap_q, gap_p = abs(di), abs(dj)
        ratio = self.ratio[e]
        partial = gap_p * ratio  # i's move if j moves all the way ...
        over = partial > gap_q  # ... unless that passes j's position: i moves all the way
        mag_i = gap_q if over else partial
        mag_j = gap_q / ratio
        if gap_p < mag_j:
            mag_j = gap_p
        move_i, move_j = math.copysign(mag_i, di), math.copysign(mag_j, dj)
        gain = mag_j * self.unit[e]
        room, sign = self.room, self.sign
        ok_move = (
            mag_i > MIN_MOVE and mag_j > MIN_MOVE and gain >= MIN_MOVE
            and move_i <= room[e] and move_j <= room[f]
            and sign[e] * move_i >= 0.0 and sign[f] * move_j >= 0.0
        )
        # Only the side that moves part of the way can leave [0, 100]: the other lands on the
        # other side's position, which lies in [0, 100], and so it does in decide's decimals
        # too (``P + |t - P|`` rounds to within half a unit of ``t``'s last digit, never past
        # 0 or 100), where binary64 may overshoot 100 by an ulp.
        off = abs((pj + move_j if over else pi + move_i) - 50.0)
        ok = ok_move and off <= 50.0
        tol = self.tol
        hand = tol > 0.0 and ok_move and abs(off - 50.0) < tol
        capped = False
        if ok and not hand:
            # each side's outcome before (d0) and after (d1) its move, measured from the other
            # side's position there: clear of a crossing if both lie on one side of it
            wi, wj = self.wd[e], self.wd[f]
            d0i = ti - self.base[e] - wi * pi
            d1i = d0i - wi * move_i
            d0j = tj - self.base[f] - wj * pj
            d1j = d0j - wj * move_j
            if not (
                (min(d0i, d1i) >= tol or max(d0i, d1i) <= -tol)
                and (min(d0j, d1j) >= tol or max(d0j, d1j) <= -tol)
            ):
                hand, capped, ok, move_i, move_j = self._caps(
                    e, pi, pj, di, dj, d0i, d0j, move_i, move_j
                )
                gain = abs(move_j) * self.unit[e]
        self.move[e], self.move[f], self.gain[e] = move_i, move_j, gain
        self.alive[e], self.capped[e] = ok, capped
        self.fresh.add(e)
        if hand:
            self._scalar(e)

    def _caps(
        self, e: int, pi: float, pj: float, di: float, dj: float, d0i: float, d0j: float,
        move_i: float, move_j: float,
    ) -> tuple[bool, bool, bool, float, float]:
        """decide's ``check_nbs``, side ``i`` then side ``j``: a side whose move carries the
        outcome of its supply issue past the other side's position there moves instead the
        distance decide computes (``adjusted_nbs_by_position``: its own actor at the side's
        update of itself if it has one, else at its position; ``|target - outcome| / (w/D)``),
        and the other side ``A`` times less or more (equal gain). Returns (needs decide's
        arithmetic, capped, valid, move_i, move_j); validity is of the moves only (decide
        checks the gain before the caps)."""
        tol, f = self.tol, e + self.e
        ratio = self.ratio[e]
        capped = False
        for side, d0 in ((e, d0i), (f, d0j)):
            w = self.wd[side]
            after = d0 - w * (move_i if side == e else move_j)
            lo, hi = min(d0, after), max(d0, after)
            if lo >= tol or hi <= -tol:
                continue
            if not (lo <= -tol and hi >= tol):  # within tol of touching it
                return True, False, False, move_i, move_j
            held = self.held[side]
            own_pos = pi if side == e else pj
            own = abs((self.target[side] - self.base[side] - w * (
                own_pos if held is None else held)) / w)
            if side == e:
                move_i, move_j = math.copysign(own, di), math.copysign(own / ratio, dj)
            else:
                move_i, move_j = math.copysign(own * ratio, di), math.copysign(own, dj)
            capped = True
        room, sign = self.room, self.sign
        y_i, y_j = pi + move_i, pj + move_j
        ok = (
            abs(move_i) > MIN_MOVE and abs(move_j) > MIN_MOVE
            and abs(y_i - 50.0) <= 50.0 and abs(y_j - 50.0) <= 50.0
            and move_i <= room[e] and move_j <= room[f]
            and sign[e] * move_i >= 0.0 and sign[f] * move_j >= 0.0
        )
        if tol and capped:
            # a capped move is ill-conditioned by D / w: widen the margin accordingly
            margin = tol * (1.0 + 1.0 / min(self.wd[e], self.wd[f]))
            for v in (abs(y_i - 50.0) - 50.0, abs(y_j - 50.0) - 50.0,
                      abs(move_i) - MIN_MOVE, abs(move_j) - MIN_MOVE):
                if abs(v) < margin:
                    return True, False, ok, move_i, move_j
        return False, capped, ok, move_i, move_j

    def _pair(self, e: int) -> xx.Pair[Any]:
        ai, aj, q, p = self.pairs[e]
        f = e + self.e
        return xx.Pair(
            ai, q, aj, p, (self.updates.get(e), self.updates.get(f)),
            ((100.0 - self.room[e], int(self.sign[e])), (100.0 - self.room[f], int(self.sign[f]))),
        )

    def _scalar(self, e: int) -> tuple[Any, Any, Any, bool]:
        """Exchange ``e`` with every check, in the round's own arithmetic (decide's decimals in
        decimal precision)."""
        res = xx.calculate(self.tables, self._pair(e))
        self.move[e], self.move[e + self.e] = float(res.move[0]), float(res.move[1])
        self.gain[e] = float(res.gain)
        self.alive[e] = res.valid
        self.capped[e] = False
        self.fresh.add(e)
        known = self.cache[e] = (res.move[0], res.move[1], res.gain, res.valid)
        return known

    def _exact(self, e: int) -> tuple[Any, Any, Any, bool]:
        """Exchange ``e`` in decimals: moves, gain, validity. One not capped and not handed over
        by :meth:`_evaluate` has all its decisions clear of their thresholds, so decide's
        equal-gain formula gives its moves and gain without the checks."""
        known = self.cache.get(e)
        if known is None:
            if self.capped[e]:
                return self._scalar(e)
            ai, aj, q, p = self.pairs[e]
            move_i, move_j, gain = xx.equal_gain(self.tables, ai, q, aj, p)
            known = self.cache[e] = (move_i, move_j, gain, True)
            # rounding the decimal gain keeps the binary order consistent with decide's
            self.gain[e] = float(gain)
        return known

    # -- realisation ----------------------------------------------------------------------

    def run(self) -> RoundResult:
        """Realise exchanges, highest gain first, until none is left.

        decide sorts its list of exchanges by gain, stably, before each pick; the list starts in
        creation order. ``order`` is that list (live exchanges only: decide drops invalid ones
        after each realisation, and they never change the relative order of the others).
        """
        alive, gain = self.alive, self.gain
        order = [k for k in range(self.e) if alive[k]]
        done: list[tuple[Any, ...]] = []
        while order:
            before = order[:]
            order.sort(key=gain.__getitem__, reverse=True)  # stable, as decide's sort
            self._order_ties(order, before)
            self.fresh.clear()
            r = order[0]
            if self.exact:
                move_i, move_j, g, valid = self._exact(r)
                if not valid:  # binary64 misjudged it (never seen): decide drops it
                    order = [k for k in order if alive[k]]
                    continue
            else:
                move_i, move_j, g = self.move[r], self.move[r + self.e], gain[r]
            alive[r] = False
            done.append(self._realise(r, move_i, move_j, g))
            order = [k for k in order if alive[k]]
        return self._finish(done)

    def _order_ties(self, order: list[int], before: list[int]) -> None:
        """Runs of gains closer than ``NEAR_TIE`` put in decide's order, in place: by decimal
        gain, equal ones in their previous list order (decimal precision), or in list order
        (float precision). In decimal precision a run none of whose members was recomputed
        since the last sort is in that order already: its binary gains are its decimal gains
        rounded (``_exact``), whose order agrees with the decimals', and the stable sort kept
        its ties in list order."""
        gains = list(map(self.gain.__getitem__, order))
        near = [i for i, (a, b) in enumerate(pairwise(gains)) if a - b <= NEAR_TIE]
        fresh = self.fresh
        place: dict[int, int] = {}
        at = 0
        while at < len(near):
            lo = hi = near[at]
            while at < len(near) and near[at] == hi:
                hi, at = hi + 1, at + 1
            run = order[lo:hi + 1]
            if self.exact and fresh.isdisjoint(run):
                continue
            place = place or {k: n for n, k in enumerate(before)}
            if self.exact:
                exact = self._exact
                order[lo:hi + 1] = sorted(run, key=lambda k: (-exact(k)[2], place[k]))
            else:
                order[lo:hi + 1] = sorted(run, key=place.__getitem__)

    def _realise(self, r: int, move_i: Any, move_j: Any, gain: Any) -> tuple[Any, ...]:
        """Carry out exchange ``r`` and recompute the exchanges it touches (decide's
        ``recalculate``): a side supplying what a side of ``r`` supplied starts from ``r``'s
        voting position and keeps its current move in its history; a side demanding what a side
        of ``r`` demands learns the partner's new voting position (decide's ``updates``)."""
        cur = self.tables.cur
        ai, aj, q, p = self.pairs[r]
        start_i, start_j = cur[ai][q], cur[aj][p]
        assert start_i is not None and start_j is not None
        y_i, y_j = start_i + move_i, start_j + move_j  # decide's y = position + move
        cur[ai][q], cur[aj][p] = y_i, y_j
        m, e = self.m, self.e
        ka, kb = ai * m + q, aj * m + p
        record = (ai, aj, q, p, self.cur[ka], self.cur[kb], float(y_i), float(y_j), float(gain),
                  y_i, y_j)
        self.cur[ka], self.cur[kb] = record[6], record[7]
        alive, move, room, sign = self.alive, self.move, self.room, self.sign
        touched: set[int] = set()
        for f in self.supplying[ka] + self.supplying[kb]:
            k = f if f < e else f - e
            if alive[k]:
                mv = move[f]
                room[f] -= mv
                sign[f] = 1.0 if mv > 0 else -1.0
                touched.add(k)
        # r's j demands q: sides of other exchanges with j's actor demanding q learn i's new
        # position on q (and likewise for r's i, demanding p)
        for key, actor, issue, voting in ((aj * m + q, ai, q, y_i), (ai * m + p, aj, p, y_j)):
            sides = [f for f in self.demanding[key] if alive[f if f < e else f - e]]
            if sides:
                self._learn(sides, actor, issue, voting)
                touched.update(f if f < e else f - e for f in sides)
        cache = self.cache
        for k in touched:
            cache.pop(k, None)
            self._evaluate(k)
        return record

    def _learn(self, sides: list[int], actor: int, issue: int, voting: Any) -> None:
        """The other sides of ``sides`` (each supplying ``issue``) note ``actor``'s voting
        position there (decide's ``update_updates``); it shifts their outcome (``base``)."""
        start = self.tables.x0[actor][issue]
        assert start is not None
        fallback = float(start)
        wd = float(self.wd_issue[actor, issue])
        updates, own, e, base = self.updates, self.own, self.e, self.base
        for f in sides:
            f = f + e if f < e else f - e
            known = updates.get(f)
            if known is None:
                known = updates[f] = {}
            previous = known.get(actor)
            value = xx.merge_update(previous, start, voting)
            known[actor] = value
            if own[f] != actor:
                base[f] += wd * (float(value) - (fallback if previous is None else float(previous)))
            else:  # decide's outcome checks use the own position; only the cap uses this
                self.held[f] = float(value)

    def _finish(self, done: list[tuple[Any, ...]]) -> RoundResult:
        """Voting positions (the last realised one per actor-issue), the next start (decide's
        ``new_start_position`` from the round start and the voting position), the records."""
        t = self.tables
        last: dict[tuple[int, int], Any] = {}
        records = []
        x0 = self.voting0
        for ai, aj, q, p, start_i, start_j, y_i, y_j, gain, exact_i, exact_j in done:
            last[(ai, q)], last[(aj, p)] = exact_i, exact_j
            records.append({
                "gain": gain,
                "actor": (ai, aj),
                "supply": (q, p),
                "start": (start_i, start_j),
                "round_start": (float(x0[ai, q]), float(x0[aj, p])),
                "y": (y_i, y_j),
                "move": (y_i - start_i, y_j - start_j),
            })
        voting = self.voting0.copy()
        table = [row[:] for row in t.x0]
        nxt = voting.copy()
        for (a, k), y in last.items():
            table[a][k] = value = xx.next_start(t.s[a][k], t.x0[a][k], y)
            voting[a, k] = float(y)
            nxt[a, k] = float(value)
        exact = tuple(tuple(row) for row in table) if self.exact else None
        return RoundResult(voting, Start(nxt, exact), records)


def _groups(keys: list[int], size: int) -> list[list[int]]:
    """Sides grouped by key: ``groups[k]`` lists the sides ``f`` with ``keys[f] == k``."""
    array = np.asarray(keys, dtype=np.intp)
    order = np.argsort(array, kind="stable")
    bounds = np.searchsorted(array[order], np.arange(1, size))
    return [part.tolist() for part in np.split(order, bounds)]

