"""Negotiation strategies: what an agent offers, what it accepts, when it walks away.

A strategy is a small class whose methods work on *arrays of runs* (one entry per negotiation in a
batch), so that the batched engine calls each method once per agent and turn for all runs at once;
the step-by-step reference engine calls the very same methods with arrays of length one. A
strategy sees only its own utilities (:class:`AgentView`) and the public state of the negotiation
(:class:`Turn`); per-run memory lives in the ``state`` dict it returns from :meth:`Strategy.start`.

Built-in strategies (Faratin, Sierra & Jennings 1998, "Negotiation decision functions for
autonomous agents", Robotics and Autonomous Systems 24(3-4)):

- :class:`TimeBased`: the polynomial aspiration curve ``a(t) = a0 (1 - t**e)`` (relative time
  ``t`` in ``(0, 1)``); ``e > 1`` concedes late (Boulware), ``e = 1`` linearly, ``e < 1`` early
  (Conceder); ``e = inf`` never concedes (hardliner). The aspiration is scaled to the agent's own
  utility range above its reservation value, ``level = f + (b - f) a(t) - tol`` with ``b`` the best
  and ``f = max(worst, reservation)`` the floor, exactly as NegMAS's ``AspirationNegotiator`` and
  ``TimeBasedConcedingNegotiator`` do (negmas 0.16, ``gb/components/inverter.py``). It offers the
  outcome with the lowest utility not below ``level`` (or, with ``stochastic=True``, a uniformly
  random outcome not below it: "random within aspiration").
- :class:`TitForTat`: naive imitative tit-for-tat (Faratin et al. 1998, section 4.2): concede, in
  one's own utility, as much as the offers on the table have improved for oneself since the first
  one.

Acceptance (both): accept an offer worth at least what one would offer next (AC_next; Baarslag
et al. 2014, "Effective acceptance conditions in multilateral negotiation"); optionally, in the
last ``deadline_accept`` share of the time, anything worth at least the reservation value.
Walk-away (default for every strategy): end the negotiation when no outcome within one's red lines
reaches one's reservation value, i.e. when continuing cannot beat it.

Ties between outcomes of equal utility are broken by numpy's default ``argsort`` of the agent's
utilities, as NegMAS's presorting inverter does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError
from zopa.protocols.space import BoolArray, IndexArray, NegotiationProblem
from zopa.utility import FloatArray

State = dict[str, NDArray[Any]]

NEAR = 1e-6
"""Tolerance below the aspiration level when choosing an offer (NegMAS's inverter ``EPS``)."""

NAMED_EXPONENTS = {"boulware": 4.0, "linear": 1.0, "conceder": 0.25, "hardliner": math.inf}
"""Named aspiration exponents, as NegMAS's ``POLY_ASPIRATION_EXPONENTS``."""


class View(Protocol):
    """What a strategy may ask about its agent's utilities, per run of a batch.

    :class:`AgentView` answers for the runs of one problem; :class:`zopa.protocols.draws.DrawView`
    for runs spread over Monte Carlo draws, each with its own utilities (``best`` is then one
    value per run).
    """

    @property
    def reservation(self) -> FloatArray:
        """Per run, the utility of no agreement."""
        ...

    @property
    def best(self) -> float | FloatArray:
        """Its highest utility within its red lines (``-inf`` if none)."""
        ...

    @property
    def floor(self) -> FloatArray:
        """Per run, the lowest utility it ever aims for."""
        ...

    @property
    def has_rational(self) -> BoolArray:
        """Per run: does any outcome within its red lines reach its reservation value?"""
        ...

    def value(self, outcome: IndexArray) -> FloatArray:
        """Per run, the utility of ``outcome`` (``-inf`` for -1 or behind a red line)."""
        ...

    def lowest_at_least(self, level: FloatArray) -> IndexArray:
        """Per run, the least-valued outcome worth at least ``level``."""
        ...

    def random_at_least(self, level: FloatArray, uniform: FloatArray) -> IndexArray:
        """Per run, an outcome drawn uniformly among those worth at least ``level``."""
        ...


@dataclass(frozen=True, eq=False)
class AgentView:
    """What one agent knows about the problem: its own utilities only.

    ``order`` lists the outcomes within its red lines by increasing utility; ``reservation`` holds
    one value per run covered by this view.
    """

    index: int
    utility: FloatArray  # (k,) -inf behind a red line
    order: IndexArray  # (k_allowed,)
    sorted_utility: FloatArray  # (k_allowed,)
    reservation: FloatArray  # (runs,)
    n_steps: int

    @property
    def best(self) -> float:
        """Its highest utility among the outcomes within its red lines (``-inf`` if none)."""
        return float(self.sorted_utility[-1]) if self.sorted_utility.size else -math.inf

    @property
    def worst(self) -> float:
        """Its lowest utility among the outcomes within its red lines (``-inf`` if none)."""
        return float(self.sorted_utility[0]) if self.sorted_utility.size else -math.inf

    @property
    def floor(self) -> FloatArray:
        """The lowest utility it ever aims for: its reservation value or its worst outcome."""
        return np.maximum(self.worst, self.reservation)

    @property
    def has_rational(self) -> BoolArray:
        """Per run: does any outcome within its red lines reach its reservation value?"""
        return np.full(self.reservation.shape, self.best) >= self.reservation

    def for_runs(self, reservation: FloatArray) -> AgentView:
        """The same view for other runs, with their reservation values ``(runs,)``."""
        return replace(self, reservation=np.asarray(reservation, dtype=float))

    def position_at_least(self, level: FloatArray) -> IndexArray:
        """Per run, the position in ``order`` of the least-valued outcome worth ``>= level``."""
        pos = np.searchsorted(self.sorted_utility, level, side="left")
        return np.minimum(pos, max(self.order.size - 1, 0)).astype(np.int64)

    def position_nearest_level(self, level: FloatArray) -> IndexArray:
        """Like :meth:`position_at_least`, but an outcome at most ``NEAR`` below ``level`` wins if
        it is strictly nearer to it: NegMAS's presorting inverter (``worst_in`` via
        ``_nearest_around``, negmas 0.16) searches ``[level - 1e-6, ...]`` for the value nearest
        the level. Among equal values the first in sorted order is taken, as there."""
        s = self.sorted_utility
        pos = self.position_at_least(level)
        below = np.maximum(pos - 1, 0)
        value = s[below]
        gap = level - value
        nearer = (pos > 0) & (gap <= NEAR) & (gap < np.abs(s[pos] - level))
        first = np.searchsorted(s, value, side="left").astype(np.int64)
        return np.where(nearer, first, pos)

    def lowest_at_least(self, level: FloatArray) -> IndexArray:
        """Per run, the outcome worth at least ``level`` to this agent with the lowest utility
        (up to NegMAS's ``NEAR`` tolerance, see :meth:`position_nearest_level`)."""
        if self.order.size == 0:
            return np.full(np.shape(level), -1, dtype=np.int64)
        return self.order[self.position_nearest_level(level)]

    def random_at_least(self, level: FloatArray, uniform: FloatArray) -> IndexArray:
        """Per run, a uniformly drawn outcome worth at least ``level`` (``uniform`` in [0, 1))."""
        if self.order.size == 0:
            return np.full(np.shape(level), -1, dtype=np.int64)
        lo = self.position_at_least(level)
        span = self.order.size - lo
        pos = lo + np.minimum((uniform * span).astype(np.int64), span - 1)
        return self.order[pos]

    def value(self, outcome: IndexArray) -> FloatArray:
        """Utility of outcomes (``-inf`` for ``-1``, "no offer")."""
        safe = np.maximum(outcome, 0)
        return np.where(outcome >= 0, self.utility[safe], -np.inf)


def agent_views(problem: NegotiationProblem, n_steps: int) -> list[AgentView]:
    """One view per agent, reservation values as in the problem (one run)."""
    u = problem.decision_utilities
    views = []
    for a in range(problem.n_agents):
        col = np.ascontiguousarray(u[:, a])
        allowed = np.flatnonzero(np.isfinite(col))
        # numpy's default argsort, as NegMAS's presorting inverter: same tie order on equal input.
        order = allowed[np.argsort(col[allowed])]
        views.append(
            AgentView(
                index=a,
                utility=col,
                order=order.astype(np.int64),
                sorted_utility=col[order],
                reservation=problem.reservation[a : a + 1].astype(float),
                n_steps=n_steps,
            )
        )
    return views


@dataclass(frozen=True, eq=False)
class Turn:
    """The public state when an agent is asked to act, for each run of the batch.

    ``active`` marks the runs where the answer counts (others are finished or not concerned);
    strategies update their state only there. ``uniform`` is this agent's random number for this
    turn in each run (drawn from the run's own stream), or ``None`` if no strategy is stochastic.
    """

    step: int
    time: float
    offer: IndexArray
    active: BoolArray
    uniform: FloatArray | None = None


def per_run(value: float | FloatArray, runs: IndexArray) -> FloatArray:
    """A strategy parameter as one value per run: a scalar, or an array indexed by run number."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return np.full(runs.shape, float(a))
    if a.ndim != 1:
        raise UsageError("a per-run strategy parameter must be a number or a 1-d array")
    if runs.size and int(runs.max()) >= a.size:
        raise UsageError(f"per-run parameter has {a.size} values but run {int(runs.max())} exists")
    return a[runs]


class Strategy:
    """Base class of strategies; subclasses implement :meth:`accepts` and :meth:`propose`.

    Every method receives arrays over the runs of a batch and must be a pure function of its
    arguments and ``state`` (updated in place only where ``turn.active``), so that batched and
    step-by-step runs agree.
    """

    name: ClassVar[str] = "strategy"
    deadline_accept: float = 0.0

    @property
    def stochastic(self) -> bool:
        """Whether :meth:`propose` uses ``turn.uniform`` (the engine then draws random numbers)."""
        return False

    @property
    def same_every_run(self) -> bool:
        """Whether runs with the same view play alike: no random numbers, no parameter with one
        value per run (:mod:`zopa.protocols.on_draws` then plays one run a draw). False unless a
        strategy says so."""
        return False

    def start(self, view: View, runs: IndexArray) -> State:
        """Per-run memory at the start of the negotiation (``runs``: run numbers in the batch)."""
        return {}

    def walks_away(self, view: View, state: State, turn: Turn) -> BoolArray:
        """End the negotiation where continuing cannot beat the reservation value."""
        return ~view.has_rational

    def accepts(self, view: View, state: State, turn: Turn) -> BoolArray:
        """Per run, whether the agent accepts the offer on the table, ``turn.offer``."""
        raise NotImplementedError

    def propose(self, view: View, state: State, turn: Turn) -> IndexArray:
        """Per run, the outcome the agent offers (an outcome index; -1 if it has none)."""
        raise NotImplementedError

    def prefers(
        self, view: View, state: State, turn: Turn, current: IndexArray, candidate: IndexArray
    ) -> BoolArray:
        """Mediated protocol: does the agent prefer ``candidate`` to the ``current`` text?"""
        return view.value(candidate) >= view.value(current)

    def _deadline(self, view: View, turn: Turn, worth: FloatArray) -> BoolArray:
        if self.deadline_accept <= 0.0 or turn.time < 1.0 - self.deadline_accept:
            return np.zeros(worth.shape, dtype=bool)
        return worth >= view.reservation


@dataclass(eq=False)
class TimeBased(Strategy):
    """Time-dependent concession on a polynomial aspiration curve (see the module docstring).

    ``exponent`` and ``max_aspiration`` may be arrays with one value per run of a batch.
    """

    exponent: float | FloatArray = 4.0
    max_aspiration: float | FloatArray = 1.0
    tolerance: float = 0.001
    random_offers: bool = False
    deadline_accept: float = 0.0
    name: ClassVar[str] = "time-based"

    @property
    def stochastic(self) -> bool:
        """True with ``random_offers``: offers are drawn at random above the aspiration level."""
        return self.random_offers

    @property
    def same_every_run(self) -> bool:
        """True without random offers and with one exponent and maximum aspiration for all."""
        return (not self.random_offers and np.ndim(self.exponent) == 0
                and np.ndim(self.max_aspiration) == 0)

    def start(self, view: View, runs: IndexArray) -> State:
        """Per run, the aspiration exponent and the maximum aspiration (a parameter's one value,
        or its value for that run)."""
        return {
            "exponent": per_run(self.exponent, runs),
            "max_aspiration": per_run(self.max_aspiration, runs),
        }

    def level(self, view: View, state: State, time: float) -> FloatArray:
        """The utility the agent aims for at relative time ``time``, per run."""
        with np.errstate(invalid="ignore", over="ignore"):
            aspiration = state["max_aspiration"] * (1.0 - np.power(time, state["exponent"]))
            floor = view.floor
            best = view.best
            return np.clip(floor + (best - floor) * aspiration - self.tolerance, floor, best)

    def accepts(self, view: View, state: State, turn: Turn) -> BoolArray:
        """Accept an offer worth at least the current :meth:`level`, or, in the last
        ``deadline_accept`` share of the time, at least the reservation value."""
        worth = view.value(turn.offer)
        return (worth >= self.level(view, state, turn.time)) | self._deadline(view, turn, worth)

    def propose(self, view: View, state: State, turn: Turn) -> IndexArray:
        """Offer the least-valued outcome worth at least the current :meth:`level` (or, with
        ``random_offers``, one drawn uniformly from those worth at least it)."""
        level = self.level(view, state, turn.time)
        if self.random_offers:
            if turn.uniform is None:
                raise UsageError("a stochastic strategy needs random numbers from the engine")
            return view.random_at_least(level, turn.uniform)
        return view.lowest_at_least(level)


@dataclass(eq=False)
class TitForTat(Strategy):
    """Naive tit-for-tat: the target utility starts at the best outcome and drops by ``kindness``
    times the gain (for oneself) of the latest offer on the table over the first one received."""

    kindness: float | FloatArray = 1.0
    deadline_accept: float = 0.0
    name: ClassVar[str] = "tit-for-tat"

    @property
    def same_every_run(self) -> bool:
        """True with one ``kindness`` for all runs."""
        return np.ndim(self.kindness) == 0

    def start(self, view: View, runs: IndexArray) -> State:
        """Per run: ``kindness``, the utility of the first offer received (NaN until one
        arrives) and the target utility, which starts at the agent's best."""
        return {
            "kindness": per_run(self.kindness, runs),
            "first": np.full(runs.shape, np.nan),
            "target": np.full(runs.shape, view.best),
        }

    def accepts(self, view: View, state: State, turn: Turn) -> BoolArray:
        """Set the target to ``best - kindness * gain`` (the offer's gain over the first one
        received, clipped to ``[floor, best]``) and accept an offer worth at least what the agent
        would offer at that target, or, in the last ``deadline_accept`` share of the time, at
        least the reservation value."""
        worth = view.value(turn.offer)
        first = state["first"]
        fresh = turn.active & np.isnan(first)
        first[fresh] = worth[fresh]
        with np.errstate(invalid="ignore"):
            gain = np.maximum(np.nan_to_num(worth - first, nan=0.0, posinf=0.0, neginf=0.0), 0.0)
            target = np.clip(view.best - state["kindness"] * gain, view.floor, view.best)
        state["target"] = np.where(turn.active, target, state["target"])
        next_offer = view.value(view.lowest_at_least(state["target"]))
        return (worth >= next_offer) | self._deadline(view, turn, worth)

    def propose(self, view: View, state: State, turn: Turn) -> IndexArray:
        """Offer the least-valued outcome worth at least the current target utility."""
        return view.lowest_at_least(state["target"])


def make_strategy(name: str, **params: Any) -> Strategy:
    """A registered strategy by name (see :mod:`zopa.protocols.catalog`), with ``params``."""
    from zopa import registry  # the catalog imports this module

    spec = registry.get("strategy", name)
    return spec.make(params)  # type: ignore[no-any-return]
