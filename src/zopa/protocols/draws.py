"""One negotiation on many Monte Carlo draws of a scenario: the agents' tables for all draws.

Draws of a scenario's uncertainty (:class:`zopa.timeline.state.State`) change ideal points,
saliences, red lines and BATNAs, never the issues: the outcome space is the same for every draw,
only each agent's utilities, red lines and reservation value differ. :func:`draw_problem` builds,
for ``D`` draws at once, what :func:`zopa.protocols.space.problem_from_arrays` followed by
:func:`zopa.protocols.strategies.agent_views` gives for each draw alone, and :class:`DrawView`
answers the strategies' questions for runs spread over those draws (:mod:`.on_draws` plays them).

Only the outcomes within an agent's red lines are ever offered or accepted (elsewhere its decision
utility is ``-inf``), so a table holds those outcomes alone. Red lines are intervals per issue,
and the violation of a package is a sum of non-negative per-issue terms, so an outcome within
tolerance has every term within tolerance: the candidates are the product of the values each
issue allows (found on ``(issues x values)`` per draw and agent, not on the whole space). A
candidate whose terms are all exactly 0 is within its red lines; the others (some term within
tolerance but not 0: rare) are checked with the very function the one-draw path uses. Links are
looked up in one table for all draws (the one-draw path's own blocks), and utilities computed by
:func:`zopa.utility.utility`. Tables are therefore bit for bit those of the one-draw path: same
utilities (same arithmetic per outcome), same outcomes in the same order, same tie order of
``argsort`` (each draw's utilities are sorted as the same 1-d array, rows of equal length
together).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from zopa import utility as u
from zopa.protocols.space import BoolArray, IndexArray, OutcomeSpace
from zopa.protocols.strategies import NEAR
from zopa.scenario.arrays import ScenarioArrays
from zopa.timeline.state import State as Draws
from zopa.utility import FloatArray

ACCEPT_TOL = 1e-9
"""Red-line violation still accepted (as :func:`zopa.protocols.space.problem_from_arrays`)."""

BLOCK = 1 << 16
"""Candidate outcomes evaluated together (bounds the temporaries of utilities and checks)."""

_SPACE_BLOCK = 1 << 16  # outcomes a block when checking the links, as problem_from_arrays does


@dataclass(frozen=True, eq=False)
class Limits:
    """Per draw, per agent and issue, the normalised interval its red lines accept, and the
    numbers its utility needs: ``(D, n, m)`` each (members only)."""

    ideal: FloatArray
    weights: FloatArray
    low: FloatArray
    high: FloatArray


def member_limits(draws: Draws, members: IndexArray) -> Limits:
    """The members' normalised ideal points, weights and acceptable intervals on every draw,
    computed as :class:`~zopa.scenario.arrays.ScenarioArrays` computes them for one draw."""
    base = draws.base
    ideal = np.nan_to_num(u.normalise(draws.ideal, base.lo, base.hi), nan=0.5)
    weights = u.salience_weights(draws.salience)
    low, high = u.acceptable_interval(ideal, u.normalise(draws.red_line, base.lo, base.hi))
    return Limits(ideal[:, members], weights[:, members], low[:, members], high[:, members])


def issue_terms(limits: Limits, space: OutcomeSpace) -> FloatArray:
    """``(D, n, m, K)``: each issue value's own term of the red-line violation (``inf`` beyond
    an issue's ``cardinality``), computed as :func:`zopa.utility.red_line_violation` computes
    it before summing over issues."""
    d, n, m = limits.low.shape
    out = np.full((d, n, m, max(space.cardinalities)), np.inf)
    for j, points in enumerate(space.points):  # m is small; each issue at once for all draws
        z = points[None, None, :]
        below = np.maximum(limits.low[:, :, j, None] - z, 0.0)
        above = np.maximum(z - limits.high[:, :, j, None], 0.0)
        out[:, :, j, : points.size] = below + above
    return out


def issue_candidates(terms: FloatArray) -> BoolArray:
    """``(D, n, m, K)``: values whose own term is within tolerance; every acceptable outcome is
    made of such values (a sum of non-negative terms is at least each of them)."""
    return np.asarray(terms <= ACCEPT_TOL)


def candidate_counts(candidates: BoolArray) -> IndexArray:
    """``(D, n)`` number of candidate outcomes: the product of each issue's candidate values."""
    return np.asarray(np.prod(candidates.sum(axis=-1), axis=-1, dtype=np.int64))


def link_allowed(arrays: ScenarioArrays, space: OutcomeSpace) -> BoolArray | None:
    """``(k,)`` outcomes that keep every link (``None`` without links), in the blocks
    :func:`~zopa.protocols.space.problem_from_arrays` uses (the matrix product of a block may
    round as the block's size has it: the same blocks give the same numbers).

    Links never vary over draws, so the table is kept for the scenario's arrays (immutable) and
    space: the chunks of a Monte Carlo run compute it once.
    """
    if not arrays.n_links:
        return None
    known = _LINK_TABLES.setdefault(arrays, {})
    if space.cardinalities not in known:
        k = space.n_outcomes
        ok = np.empty(k, dtype=bool)
        for start in range(0, k, _SPACE_BLOCK):
            block = np.arange(start, min(k, start + _SPACE_BLOCK))
            value = (block[:, None] // _strides(space)) % np.asarray(space.cardinalities)
            ok[block] = ~np.any(arrays.link_violation(_packages(space, value)) > 0, axis=1)
        known[space.cardinalities] = ok
    return known[space.cardinalities]


_LINK_TABLES: weakref.WeakKeyDictionary[ScenarioArrays, dict[tuple[int, ...], BoolArray]] = (
    weakref.WeakKeyDictionary())
"""Link tables by scenario arrays and cardinalities of the space (its points follow from them)."""


def _per_row(values: FloatArray, draw: IndexArray) -> FloatArray:
    """``values[draw][:, None]`` for increasing ``draw`` ``(B,)``: each draw's row repeated for
    its candidates (a copy by runs of rows, cheaper than a gather row by row)."""
    if draw.size == 0:
        return np.empty((0, 1, values.shape[-1]))
    first = int(draw[0])
    counts = np.bincount(draw - first)
    return np.repeat(values[first : first + counts.size], counts, axis=0)[:, None]


def _strides(space: OutcomeSpace) -> IndexArray:
    """``(m,)`` how far apart consecutive values of each issue are in outcome numbers."""
    return np.cumprod((1, *space.cardinalities[:0:-1]))[::-1].astype(np.int64)


def _packages(space: OutcomeSpace, value: IndexArray) -> FloatArray:
    """Normalised packages ``(k, m)`` of value indices ``(k, m)``, as
    :meth:`~zopa.protocols.space.OutcomeSpace.normalised` gives them."""
    z = np.empty(value.shape)
    for j, points in enumerate(space.points):
        z[:, j] = points[value[:, j]]
    return z


@dataclass(frozen=True, eq=False)
class AgentTable:
    """One agent's outcomes within its red lines on each of ``D`` draws, as flat arrays.

    Draw ``d`` owns positions ``start[d] .. start[d + 1] - 1``; there ``outcome`` and ``utility``
    list the outcomes by increasing index, ``order`` and ``sorted_utility`` by increasing
    utility (the one-draw :class:`~zopa.protocols.strategies.AgentView`'s ``order``).
    """

    n_outcomes: int
    start: IndexArray  # (D + 1,)
    outcome: IndexArray  # (T,)
    utility: FloatArray  # (T,)
    order: IndexArray  # (T,)
    sorted_utility: FloatArray  # (T,)

    @property
    def count(self) -> IndexArray:
        """``(D,)`` outcomes within the agent's red lines on each draw."""
        return np.diff(self.start)

    @cached_property
    def keys(self) -> IndexArray:
        """``(T,)`` increasing ``draw * n_outcomes + outcome``: where to look an outcome up."""
        return np.repeat(np.arange(self.count.size) * self.n_outcomes, self.count) + self.outcome

    @cached_property
    def sorted_keys(self) -> np.ndarray:
        """``(T,)`` complex ``draw + 1j * sorted_utility``, increasing (complex numbers compare
        by real part, then imaginary part): one search finds a level within a draw's values."""
        keys = np.empty(self.order.size, dtype=complex)
        keys.real = np.repeat(np.arange(self.count.size), self.count)
        keys.imag = self.sorted_utility
        return keys

    @cached_property
    def ends(self) -> tuple[FloatArray, FloatArray]:
        """``(D,)`` twice: the lowest and highest utility on each draw (``-inf`` for none)."""
        count, start = self.count, self.start[:-1]
        has = count > 0
        worst = np.full(count.size, -np.inf)
        best = np.full(count.size, -np.inf)
        worst[has] = self.sorted_utility[start[has]]
        best[has] = self.sorted_utility[start[has] + count[has] - 1]
        return worst, best


def agent_table(draws: Draws, limits: Limits, terms: FloatArray, space: OutcomeSpace,
                agent: int, member: int, link_ok: BoolArray | None) -> AgentTable:
    """The table of agent ``agent`` (scenario actor ``member``) on every draw of ``draws``
    (``terms`` from :func:`issue_terms`)."""
    base, k = draws.base, space.n_outcomes
    allowed = issue_candidates(terms[:, agent])  # (D, m, K)
    # where every allowed value's term is exactly 0, so is the sum: no check needed there
    inexact = np.any(allowed & (terms[:, agent] > 0.0), axis=(1, 2))
    draw, place, value = _product_sets(allowed, _strides(space), link_ok)
    kept_outcome, kept_utility, kept_draw = [], [], []
    valuation = u.member_valuation(base.valuation, np.array([member]))
    low, high = limits.low[:, agent], limits.high[:, agent]
    ideal, weights = limits.ideal[:, agent], limits.weights[:, agent]
    for lo in range(0, draw.size, BLOCK):  # bounds the (candidates x issues) temporaries
        d, o = draw[lo : lo + BLOCK], place[lo : lo + BLOCK]
        z = _packages(space, value[lo : lo + BLOCK])
        check = np.flatnonzero(inexact[d])
        if check.size:
            violation = u.red_line_violation(z[check, None, :], _per_row(low, d[check]),
                                             _per_row(high, d[check]))
            ok = np.ones(d.size, dtype=bool)
            ok[check] = violation[:, 0, 0] <= ACCEPT_TOL
            z, d, o = z[ok], d[ok], o[ok]
        utility = u.utility(z[:, None, :], _per_row(ideal, d), _per_row(weights, d),
                            base.prefers[member], valuation)
        kept_outcome.append(o)
        kept_utility.append(utility[:, 0, 0])
        kept_draw.append(d)
    outcome = np.concatenate([np.zeros(0, dtype=np.int64), *kept_outcome])
    utility = np.concatenate([np.zeros(0), *kept_utility])
    count = np.bincount(np.concatenate([np.zeros(0, dtype=np.int64), *kept_draw]),
                        minlength=draws.draws)
    start = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    order = _sort_within(utility, start)
    return AgentTable(k, start, outcome, utility, outcome[order], utility[order])


def _product_sets(allowed: BoolArray, strides: IndexArray, link_ok: BoolArray | None
                  ) -> tuple[IndexArray, IndexArray, IndexArray]:
    """The outcomes made of allowed values (``allowed``: ``(D, m, K)``) that keep the links,
    draw by draw in increasing order: each one's draw, outcome number and value indices
    ``(T, m)``. Built issue by issue (the first varies slowest), each partial outcome repeated
    once for each allowed value of the next; the links are looked up before the value indices
    are traced back (the cheapest filter first)."""
    d, m, width = allowed.shape
    values = np.argsort(~allowed, axis=-1, kind="stable")  # allowed value indices first
    count = allowed.sum(axis=-1)
    draw = np.arange(d, dtype=np.int64)
    place = np.zeros(d, dtype=np.int64)
    steps = []
    for j in range(m):
        c = np.take(count[:, j], draw)
        position = np.arange(int(c.sum()), dtype=np.int64) - np.repeat(np.cumsum(c) - c, c)
        draw = np.repeat(draw, c)
        value = np.take(values[:, j], draw * width + position)
        place = np.repeat(place, c) + value * strides[j]
        steps.append((c, value))
    at = np.flatnonzero(link_ok[place]) if link_ok is not None else np.arange(place.size)
    chosen = np.empty((at.size, m), dtype=np.int64)
    draw, place = draw[at], place[at]
    for j in range(m - 1, -1, -1):  # each candidate's value of issue j, back through the steps
        c, value = steps[j]
        chosen[:, j] = value[at]
        at = np.repeat(np.arange(c.size), c)[at]
    return draw, place, chosen


def _sort_within(values: FloatArray, start: IndexArray) -> IndexArray:
    """Positions sorting ``values`` within each segment ``start[d] .. start[d + 1] - 1`` as
    ``np.argsort`` sorts the segment alone (default kind: its tie order depends on the input, so
    each segment is sorted as a row of its own length; segments of equal length together)."""
    count = np.diff(start)
    out = np.arange(values.size, dtype=np.int64)
    for length in np.unique(count[count > 1]).tolist():
        rows = np.flatnonzero(count == length)
        at = start[rows][:, None] + np.arange(length)
        out[at] = np.take_along_axis(at, np.argsort(values[at], axis=-1), axis=-1)
    return out


@dataclass(frozen=True, eq=False)
class DrawProblem:
    """The negotiation among the same agents on ``D`` draws: one :class:`AgentTable` an agent,
    the reservation values ``(D, n)`` (BATNAs) and which draws have an outcome every agent
    accepts (``rational``, as :attr:`~zopa.protocols.space.NegotiationProblem.rational`)."""

    space: OutcomeSpace
    agents: tuple[str, ...]
    tables: tuple[AgentTable, ...]
    reservation: FloatArray

    @property
    def draws(self) -> int:
        """Number of draws ``D``."""
        return int(self.reservation.shape[0])

    @property
    def n_agents(self) -> int:
        """Number of agents."""
        return len(self.agents)

    @property
    def rational(self) -> BoolArray:
        """``(D,)``: does some outcome lie within every agent's red lines and reach every
        agent's reservation value?"""
        keys: IndexArray | None = None
        for a, table in enumerate(self.tables):
            per_draw = np.repeat(self.reservation[:, a], table.count)
            mine = table.keys[table.utility >= per_draw]
            keys = mine if keys is None else keys[np.isin(keys, mine, assume_unique=True)]
        assert keys is not None
        return np.bincount(keys // self.space.n_outcomes, minlength=self.draws) > 0

    def views(self, draw: IndexArray) -> list[DrawView]:
        """Each agent's view for runs on the draws ``draw`` (one entry a run)."""
        return [DrawView(table, draw, self.reservation[draw, a])
                for a, table in enumerate(self.tables)]


def draw_problem(draws: Draws, members: IndexArray, space: OutcomeSpace,
                 link_ok: BoolArray | None) -> DrawProblem:
    """The negotiation among the actors ``members`` on every draw of ``draws``: per draw, what
    :func:`~zopa.protocols.space.problem_from_arrays` gives for ``draws.arrays(d)`` (same
    ``space``; ``link_ok`` from :func:`link_allowed`)."""
    limits = member_limits(draws, members)
    terms = issue_terms(limits, space)
    tables = tuple(agent_table(draws, limits, terms, space, a, int(i), link_ok)
                   for a, i in enumerate(members.tolist()))
    agents = tuple(draws.base.actor_ids[i] for i in members.tolist())
    return DrawProblem(space, agents, tables, draws.batna[:, members].astype(float))


class DrawView:
    """One agent's view for runs on several draws (:class:`~zopa.protocols.strategies.View`):
    the same answers, run by run, as the one-draw
    :class:`~zopa.protocols.strategies.AgentView` of each run's draw."""

    def __init__(self, table: AgentTable, draw: IndexArray, reservation: FloatArray) -> None:
        self._table = table
        self._draw = np.asarray(draw, dtype=np.int64)
        self._reservation = np.asarray(reservation, dtype=float)
        self._start = table.start[self._draw]
        self._count = table.count[self._draw]
        worst, best = table.ends
        self._worst, self._best = worst[self._draw], best[self._draw]
        self._keys = table.keys
        self._sorted_keys = table.sorted_keys
        self._last = max(table.order.size - 1, 0)

    @property
    def reservation(self) -> FloatArray:
        """Per run, its reservation value on the run's draw."""
        return self._reservation

    @property
    def best(self) -> FloatArray:
        """Per run, its highest utility within its red lines (``-inf`` if none)."""
        return self._best

    @property
    def floor(self) -> FloatArray:
        """Per run, its reservation value or its worst outcome, whichever is higher."""
        return np.asarray(np.maximum(self._worst, self._reservation), dtype=float)

    @property
    def has_rational(self) -> BoolArray:
        """Per run: does any outcome within its red lines reach its reservation value?"""
        return self._best >= self._reservation

    def value(self, outcome: IndexArray) -> FloatArray:
        """Per run, the utility of ``outcome`` on its draw (``-inf`` for -1 or a red line)."""
        table = self._table
        if table.outcome.size == 0:
            return np.full(np.shape(outcome), -np.inf)
        key = self._draw * table.n_outcomes + np.maximum(outcome, 0)
        at = np.minimum(np.searchsorted(self._keys, key), self._last)
        found = (outcome >= 0) & (self._keys[at] == key)
        return np.where(found, table.utility[at], -np.inf)

    def _search(self, level: FloatArray) -> IndexArray:
        """Per run, ``searchsorted(side="left")`` of ``level`` in its draw's sorted values."""
        key = np.empty(self._draw.size, dtype=complex)
        key.real = self._draw
        key.imag = level
        return np.asarray(np.searchsorted(self._sorted_keys, key, side="left") - self._start)

    def position_at_least(self, level: FloatArray) -> IndexArray:
        """As :meth:`AgentView.position_at_least`, within each run's draw."""
        return np.minimum(self._search(level), np.maximum(self._count - 1, 0))

    def position_nearest_level(self, level: FloatArray) -> IndexArray:
        """As :meth:`AgentView.position_nearest_level`, within each run's draw."""
        s = self._table.sorted_utility
        pos = self.position_at_least(level)
        below = np.maximum(pos - 1, 0)
        value = s[np.minimum(self._start + below, self._last)]
        gap = level - value
        nearer = (pos > 0) & (gap <= NEAR) & (
            gap < np.abs(s[np.minimum(self._start + pos, self._last)] - level))
        return np.asarray(np.where(nearer, self._search(value), pos), dtype=np.int64)

    def lowest_at_least(self, level: FloatArray) -> IndexArray:
        """As :meth:`AgentView.lowest_at_least`, within each run's draw."""
        if self._table.order.size == 0:
            return np.full(np.shape(level), -1, dtype=np.int64)
        at = np.minimum(self._start + self.position_nearest_level(level), self._last)
        return np.where(self._count > 0, self._table.order[at], -1)

    def random_at_least(self, level: FloatArray, uniform: FloatArray) -> IndexArray:
        """As :meth:`AgentView.random_at_least`, within each run's draw."""
        if self._table.order.size == 0:
            return np.full(np.shape(level), -1, dtype=np.int64)
        lo = self.position_at_least(level)
        span = self._count - lo
        pos = lo + np.minimum((uniform * span).astype(np.int64), span - 1)
        at = np.clip(self._start + pos, 0, self._last)
        return np.where(self._count > 0, self._table.order[at], -1)
