"""One round of Stokman's exchange model with equal-gain exchange rates.

Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented model of policy
networks", in Bueno de Mesquita & Stokman (eds.) *European Community Decision Making*, ch. 5;
the equal-gain rate and the realisation procedure as implemented in decide
(github.com/foarsitter/decide-exchange-model, ``equalgain.py``, ``base.py``, ``calculations.py``),
whose results this module reproduces (docs/models.md lists its rules and quirks one by one).

Positions are on 0-100 (the issue's scale mapped linearly). ``w = c s`` is an actor's weight on an
issue, ``D_k = sum_a w_ak`` and ``O_k = sum_a w_ak x_ak / D_k`` the outcome (NBS) of issue ``k``.
A round, module by module:

1. :mod:`~zopa.models.exchange_candidates`: who can exchange with whom (opposite sides of both
   outcomes), each exchange's constants, and every candidate evaluated at once as arrays;
2. :mod:`~zopa.models.exchange_state`: the lists the sequential realisation walks;
3. :mod:`~zopa.models.exchange_selection`: decide's order of realisation, highest gain first,
   near ties included;
4. :mod:`~zopa.models.exchange_apply`: carrying out an exchange, what it tells the others, and
   the voting positions and next start the round ends with;
5. :mod:`~zopa.models.exchange_gains`: recomputing the exchanges a realisation touches, with
   decide's outcome check.

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

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, Literal

import numpy as np

from zopa.models import exchange_exact as xx
from zopa.models.exchange_apply import close_round, describe
from zopa.models.exchange_gains import MIN_MOVE, reevaluate
from zopa.models.exchange_selection import NEAR_TIE, realise_in_order
from zopa.models.exchange_state import TOL, ExactTable, open_round
from zopa.utility import FloatArray

__all__ = [
    "MIN_MOVE", "NEAR_TIE", "TOL", "Precision", "RoundResult", "Start", "outcome", "run_round",
]

Precision = Literal["decimal", "float"]


@dataclass(frozen=True)
class Start:
    """Round-start positions on 0-100: binary64 ``x`` (n, m; NaN: no position) and, in decimal
    precision, the decimal values decide holds (``None``: no position)."""

    x: FloatArray
    exact: ExactTable | None = None

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
        state, again = open_round(start.x, start.exact, s, c, scalar_only)
        reevaluate(state, again)
        done = realise_in_order(state)
        voting, following, exact = close_round(state, done)
    return RoundResult(voting, Start(following, exact), describe(done, state.round_start))
