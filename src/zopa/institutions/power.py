"""Exact voting power: Shapley-Shubik, Banzhaf (absolute and normalised) and swing counts.

Power is defined on the *simple game* of a body's rule: a coalition wins if the draft is adopted
when its members vote yes and all others vote no (:func:`zopa.institutions.rules.coalition_wins`).
Member ``i`` *swings* coalition ``S`` (``i`` not in ``S``) if ``S + i`` wins and ``S`` does not.

* Banzhaf (1965), absolute: ``swings_i / 2^(n-1)``; normalised: ``swings_i / sum_j swings_j``.
* Shapley & Shubik (1954): ``sum over swung S of |S|! (n - |S| - 1)! / n!``, the share of the
  ``n!`` voting orders in which ``i`` is pivotal.

Every index is an exact :class:`~fractions.Fraction`, from exact integer counts of swings by
coalition size, found in one of three ways:

* ``enumerate``: all ``2^n`` coalitions (any rule; ``auto`` takes it for a double majority when
  its estimate is below that of ``split``).
* ``generating``: weighted games (any veto holders, no population quota), by generating functions
  with big integers (:mod:`zopa.institutions.power_generating`); thousands of members with small
  weights.
* ``split``: double majorities (population quotas; EU QMV), by meet in the middle
  (:mod:`zopa.institutions.power_split`).

Before it starts, each method estimates its time and memory; past :class:`PowerLimits` it raises
:class:`~zopa.errors.UsageError` at once, naming the limit and how to raise it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError
from zopa.institutions.power_generating import check_weights, estimate, window_counts
from zopa.institutions.power_split import split_cost, split_swings
from zopa.institutions.rules import DecisionRule, coalition_wins

Method = Literal["auto", "enumerate", "generating", "split"]
_ENUM_SECONDS = 75e-9  # per coalition and member, fitted on the 2-core benchmark machine
_ENUM_CHUNK = 1 << 16
T = TypeVar("T")


@dataclass(frozen=True)
class PowerLimits:
    """Largest estimated time and memory that :func:`voting_power` starts on."""

    seconds: float = 60.0
    memory_gb: float = 4.0

    @classmethod
    def from_environment(cls) -> PowerLimits:
        """Defaults, or ``ZOPA_POWER_MAX_SECONDS`` and ``ZOPA_POWER_MAX_GB`` where set."""
        try:
            return cls(
                float(os.environ.get("ZOPA_POWER_MAX_SECONDS", cls.seconds)),
                float(os.environ.get("ZOPA_POWER_MAX_GB", cls.memory_gb)),
            )
        except ValueError:
            message = "ZOPA_POWER_MAX_SECONDS and ZOPA_POWER_MAX_GB must be numbers"
            raise UsageError(message) from None

    def check(self, what: str, seconds: float, memory: float) -> None:
        """Raise :class:`UsageError` if ``what`` would take longer or more memory than allowed."""
        gb = memory / 2**30
        if seconds > self.seconds or gb > self.memory_gb:
            raise UsageError(
                f"{what} would take about {seconds:.3g} s and {gb:.3g} GB, over the limit of "
                f"{self.seconds:g} s and {self.memory_gb:g} GB: raise it with "
                "ZOPA_POWER_MAX_SECONDS / ZOPA_POWER_MAX_GB (or limits=PowerLimits(...))"
            )


def _per_row(rows: Sequence[Sequence[int]], func: Callable[[Sequence[int]], T]) -> tuple[T, ...]:
    """``func`` of every row, computed once per distinct row object (members of equal weight in a
    weighted game share one)."""
    done: dict[int, T] = {}
    for row in rows:
        if id(row) not in done:
            done[id(row)] = func(row)
    return tuple(done[id(row)] for row in rows)


@dataclass(frozen=True)
class PowerIndices:
    """Voting power of a body's members, exact."""

    member_ids: tuple[str, ...]
    swings_by_size: tuple[tuple[int, ...], ...]
    """``[i][s]``: coalitions of ``s`` other members that member ``i`` swings."""
    method: str

    @property
    def n(self) -> int:
        """The number of members."""
        return len(self.member_ids)

    @cached_property
    def swings(self) -> tuple[int, ...]:
        """Per member, the winning coalitions that its leaving turns into losing ones."""
        return _per_row(self.swings_by_size, sum)

    @cached_property
    def banzhaf_absolute(self) -> tuple[Fraction, ...]:
        """Per member, swings / 2^(n-1): the chance of being decisive if all others vote at
        random (Penrose 1946)."""
        scale = 2 ** (self.n - 1)
        return _per_row(self.swings_by_size, lambda row: Fraction(sum(row), scale))

    @cached_property
    def banzhaf(self) -> tuple[Fraction, ...]:
        """Normalised Banzhaf index (all zero if no member ever swings)."""
        total = sum(self.swings)
        return _per_row(
            self.swings_by_size, lambda row: Fraction(sum(row), total) if total else Fraction(0)
        )

    @cached_property
    def shapley_shubik(self) -> tuple[Fraction, ...]:
        """Per member, the share of the n! voting orders in which it is pivotal (sums to 1)."""
        n = self.n
        orders = math.factorial(n)
        coef = [math.factorial(s) * math.factorial(n - 1 - s) for s in range(n)]
        return _per_row(
            self.swings_by_size,
            lambda row: Fraction(sum(c * k for c, k in zip(coef, row, strict=True) if k), orders),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per member each index as a float and as an exact fraction, and swings."""
        ss, bz, ba, sw = self.shapley_shubik, self.banzhaf, self.banzhaf_absolute, self.swings
        text: dict[int, str] = {}

        def exact(x: Fraction) -> str:
            if id(x) not in text:
                text[id(x)] = fraction_text(x)
            return text[id(x)]

        return {
            "method": self.method,
            "members": {
                m: {
                    "shapley_shubik": float(ss[i]),
                    "shapley_shubik_exact": exact(ss[i]),
                    "banzhaf": float(bz[i]),
                    "banzhaf_exact": exact(bz[i]),
                    "banzhaf_absolute": float(ba[i]),
                    "banzhaf_absolute_exact": exact(ba[i]),
                    "swings": sw[i],
                }
                for i, m in enumerate(self.member_ids)
            },
        }


def fraction_text(x: Fraction) -> str:
    """``str(x)`` (``"421/2145"``), also for integers beyond Python's 4,300-digit limit on
    printing them."""
    if x.denominator == 1:
        return _decimal(x.numerator)
    return f"{_decimal(x.numerator)}/{_decimal(x.denominator)}"


def _decimal(value: int) -> str:
    if value < 0:
        return "-" + _decimal(-value)
    if value.bit_length() < 10_000:
        return str(value)
    digits = int(value.bit_length() * 0.30103) // 2  # split in halves: 10^digits
    high, low = divmod(value, 10**digits)
    return _decimal(high) + _decimal(low).rjust(digits, "0")


def voting_power(
    rule: DecisionRule, method: Method = "auto", *, limits: PowerLimits | None = None
) -> PowerIndices:
    """Exact power indices of a body's members (see the module docstring for the methods).

    Raises:
        UsageError: the method does not apply to the rule, or its estimated time or memory is over
            ``limits`` (default: :meth:`PowerLimits.from_environment`).
    """
    limits = limits or PowerLimits.from_environment()
    if method == "auto":
        method = _choose(rule)
    if method == "enumerate":
        rows = _enumerate(rule, limits)
    elif method == "generating":
        if rule.population_quota is not None:
            raise UsageError("the generating-function method has no population quota")
        weights, _ = rule.integer_weights
        rows = weighted_swings(
            weights, rule.integer_quota(), rule.veto, limits=limits, body=rule.body_id
        )
    elif method == "split":
        if rule.population_quota is None:
            raise UsageError("the split method is for rules with a population quota")
        limits.check(f"body {rule.body_id}: the split method for {rule.n} members",
                     *split_cost(rule))
        rows = split_swings(rule)
    else:
        raise UsageError(f"unknown method {method!r}")
    shared: dict[int, tuple[int, ...]] = {}
    for row in rows:
        shared.setdefault(id(row), tuple(row))
    return PowerIndices(rule.member_ids, tuple(shared[id(r)] for r in rows), method)


def _choose(rule: DecisionRule) -> Method:
    if rule.population_quota is None:
        return "generating"
    return "split" if split_cost(rule)[0] < enumeration_cost(rule.n)[0] else "enumerate"


# --- enumeration -------------------------------------------------------------------------------


def enumeration_cost(n: int) -> tuple[float, int]:
    """Estimated seconds and bytes of listing the ``2^n`` coalitions of ``n`` members."""
    return (1 << n) * n * _ENUM_SECONDS, (1 << n) * 6 + _ENUM_CHUNK * max(n, 1) * 40


def _enumerate(rule: DecisionRule, limits: PowerLimits) -> list[list[int]]:
    n = rule.n
    if n > 40:
        raise UsageError(f"body {rule.body_id}: enumeration of 2^{n} coalitions is too large")
    limits.check(f"body {rule.body_id}: enumeration of 2^{n} coalitions", *enumeration_cost(n))
    wins = np.empty(1 << n, dtype=bool)
    shifts = np.arange(n, dtype=np.uint64)
    chunk = min(_ENUM_CHUNK, 1 << n)
    for start in range(0, 1 << n, chunk):
        masks = np.arange(start, start + chunk, dtype=np.uint64)
        wins[start : start + chunk] = coalition_wins(rule, ((masks[:, None] >> shifts) & 1) == 1)
    size = np.zeros(1, dtype=np.uint8)
    for _ in range(n):  # popcounts: the masks with bit i set follow those without it
        size = np.concatenate([size, size + 1])
    rows = []
    for i in range(n):
        # axis 1 of the reshape is bit i: [:, 0] lacks member i, [:, 1] adds it
        w = wins.reshape(-1, 2, 1 << i)
        swung = w[:, 1] & ~w[:, 0]
        found = size.reshape(-1, 2, 1 << i)[:, 0][swung]
        rows.append(np.bincount(found, minlength=n)[:n].tolist())
    return rows


# --- weighted games ----------------------------------------------------------------------------


def weighted_swings(
    weights: Sequence[int],
    quota: int,
    veto: Sequence[bool] | NDArray[np.bool_] | None = None,
    *,
    by_size: bool = True,
    limits: PowerLimits | None = None,
    body: str | None = None,
) -> list[list[int]]:
    """Swings by coalition size in the weighted game ``[quota; weights]`` with veto holders.

    A coalition wins iff it holds every veto holder and its weight is at least ``quota``.

    Args:
        weights: each member's positive integer weight.
        quota: the weight a winning coalition needs.
        veto: which members hold a veto (none if ``None``).
        by_size: count by coalition size (what Shapley-Shubik needs); ``False`` counts only the
            totals (Banzhaf), which is cheaper.
        limits: largest estimated time and memory (default: from the environment).
        body: the body's id, for the message when over the limits.

    Returns:
        ``rows[i][s]``: coalitions of ``s`` other members that member ``i`` swings, exactly
        (``rows[i] == [total]`` if not ``by_size``). Members of equal weight (and veto status)
        share one list object.
    """
    n = len(weights)
    w = [int(x) for x in weights]
    check_weights(w)
    is_veto = [bool(v) for v in veto] if veto is not None else [False] * n
    free = [i for i in range(n) if not is_veto[i]]
    forced_weight = sum(w[i] for i in range(n) if is_veto[i])
    n_forced = n - len(free)
    g = math.gcd(*(w[i] for i in free)) if free else 1
    # weights of free members, and the weight the free part of a coalition must reach, in units of g
    fw = [w[i] // g for i in free]
    cap = max(0, -(-(quota - forced_weight) // g))
    nf = len(fw)
    plan = estimate(fw, cap, by_size)
    what = (
        f"exact power of a weighted game of {n} members (quota {cap} in units of the weights' "
        f"gcd, by the {plan.way})"
    )
    (limits or PowerLimits.from_environment()).check(
        f"body {body}: {what}" if body else what, plan.seconds, plan.bytes
    )
    losing, swung = window_counts(fw, cap, by_size, plan.way)
    rows: list[list[int]] = []
    free_rows = {v: ([0] * n_forced + c if by_size else c) for v, c in swung.items()}
    veto_row = [0] * (n if by_size else 1)
    if n_forced:
        # S + i wins iff S holds the other veto holders and free weight >= cap; S never wins
        if by_size:
            for t in range(nf + 1):
                veto_row[t + n_forced - 1] = math.comb(nf, t) - losing[t]
        else:
            veto_row[0] = 2**nf - losing[0]
    pos = 0
    for i in range(n):
        if is_veto[i]:
            rows.append(veto_row)
        else:
            rows.append(free_rows[fw[pos]])
            pos += 1
    return rows
