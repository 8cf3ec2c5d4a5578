"""The discrete outcome space of a negotiation and the utility table every protocol runs on.

An outcome is one value per issue. Option issues keep their options; continuous issues are
discretised into ``resolution`` evenly spaced points of their range (both ends included). Outcomes
are numbered in the order of ``itertools.product`` over the issues (the first issue varies
slowest), which is also the order NegMAS enumerates a discrete outcome space in, and are handled as
integer indices (or ``(k, m)`` arrays of value indices), never as Python tuples in hot paths.

:class:`NegotiationProblem` is what the engines and the outcome analysis take: a plain
``utilities`` array ``(n_outcomes, n_agents)`` computed once, the agents' reservation values and,
optionally, which outcomes each agent may accept at all (zopa's red lines). It is built from a
zopa scenario (:func:`problem_from_arrays`, utilities from :mod:`zopa.utility`) or from a GENIUS
domain (:mod:`zopa.importers.genius`), so both feed the same engines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from zopa.errors import BudgetError, UsageError
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

IndexArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

MAX_OUTCOMES = 5_000_000
"""Largest outcome space the engines enumerate (utilities of 5e6 outcomes x 4 agents: 160 MB)."""

_BLOCK = 1 << 16  # outcomes per block when evaluating scenario utilities


@dataclass(frozen=True, eq=False)
class OutcomeSpace:
    """Issues with a finite list of values each.

    ``labels[j]`` names issue ``j``'s values for people (option names, or numbers in the issue's
    units); ``points[j]`` places them on zopa's normalised 0-1 scale (used for package distances).
    """

    issues: tuple[str, ...]
    labels: tuple[tuple[str | float, ...], ...]
    points: tuple[FloatArray, ...]

    def __post_init__(self) -> None:
        if not self.issues:
            raise UsageError("an outcome space needs at least one issue")
        for j, values in enumerate(self.labels):
            if len(values) < 1 or len(values) != len(self.points[j]):
                raise UsageError(f"issue {self.issues[j]!r} needs at least one value")

    @cached_property
    def cardinalities(self) -> tuple[int, ...]:
        """Number of values of each issue."""
        return tuple(len(v) for v in self.labels)

    @cached_property
    def n_outcomes(self) -> int:
        """Number of outcomes: the product of the issues' numbers of values."""
        return int(np.prod(np.array(self.cardinalities, dtype=np.int64)))

    @property
    def n_issues(self) -> int:
        """Number of issues."""
        return len(self.issues)

    def decode(self, outcomes: IndexArray | int) -> IndexArray:
        """Outcome indices ``(k,)`` -> value indices ``(k, m)`` (``(m,)`` for one outcome)."""
        flat = np.asarray(outcomes, dtype=np.int64)
        values = np.stack(np.unravel_index(flat.ravel(), self.cardinalities), axis=-1)
        return values[0] if flat.ndim == 0 else values.reshape(*flat.shape, self.n_issues)

    def encode(self, values: IndexArray | Sequence[int]) -> IndexArray:
        """Value indices ``(k, m)`` -> outcome indices ``(k,)``."""
        v = np.asarray(values, dtype=np.int64)
        return np.asarray(np.ravel_multi_index(tuple(np.moveaxis(v, -1, 0)), self.cardinalities))

    def normalised(self, outcomes: IndexArray) -> FloatArray:
        """Outcomes as packages on zopa's 0-1 scale: ``(k, m)``."""
        values = self.decode(np.atleast_1d(outcomes))
        return np.stack([self.points[j][values[:, j]] for j in range(self.n_issues)], axis=-1)

    def describe(self, outcome: int) -> dict[str, str | float]:
        """One outcome as issue -> value (option name or number)."""
        values = self.decode(int(outcome))
        return {issue: self.labels[j][int(values[j])] for j, issue in enumerate(self.issues)}


@dataclass(frozen=True, eq=False)
class NegotiationProblem:
    """Everything a protocol needs: ``utilities[o, a]`` of outcome ``o`` for agent ``a``.

    ``acceptable[o, a]`` is False where agent ``a`` may never accept outcome ``o`` whatever its
    utility (a red line); ``None`` means every outcome is allowed. ``reservation[a]`` is the
    utility of no agreement (zopa's BATNA, GENIUS's reservation value).
    """

    space: OutcomeSpace
    agents: tuple[str, ...]
    utilities: FloatArray
    reservation: FloatArray
    acceptable: BoolArray | None = None
    name: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        k, n = self.space.n_outcomes, len(self.agents)
        if self.utilities.shape != (k, n):
            raise UsageError(f"utilities must have shape {(k, n)}, not {self.utilities.shape}")
        if self.reservation.shape != (n,):
            raise UsageError(f"reservation must have shape {(n,)}")
        if self.acceptable is not None and self.acceptable.shape != (k, n):
            raise UsageError(f"acceptable must have shape {(k, n)}")
        if n < 2:
            raise UsageError("a negotiation needs at least two agents")

    @property
    def n_agents(self) -> int:
        """Number of agents (columns of ``utilities``)."""
        return len(self.agents)

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes (rows of ``utilities``)."""
        return self.space.n_outcomes

    @cached_property
    def decision_utilities(self) -> FloatArray:
        """Utilities with ``-inf`` where an agent's red line forbids the outcome: what agents
        decide on (an outcome behind a red line is never offered nor accepted)."""
        if self.acceptable is None:
            return self.utilities
        return np.where(self.acceptable, self.utilities, -np.inf)

    @cached_property
    def rational(self) -> BoolArray:
        """``(k,)``: outcomes every agent accepts (within red lines, at least its reservation)."""
        mask: BoolArray = np.all(self.decision_utilities >= self.reservation, axis=1)
        return mask

    def agent_index(self, agent: str) -> int:
        """Column of ``agent`` in ``utilities``; a :class:`UsageError` lists the agents."""
        if agent not in self.agents:
            raise UsageError(f"unknown agent {agent!r}; known: {', '.join(self.agents)}")
        return self.agents.index(agent)

    def with_reservation(self, reservation: FloatArray) -> NegotiationProblem:
        """A copy with other reservation values ``(n_agents,)`` (utilities are shared)."""
        return replace(self, reservation=np.asarray(reservation, dtype=float))


def check_outcome_count(total: int, advice: str) -> None:
    """Refuse at once an outcome space beyond :data:`MAX_OUTCOMES` (its utility table alone would
    take ``8 x agents x outcomes`` bytes), saying how to make it smaller."""
    if total > MAX_OUTCOMES:
        shown = f"{total:,}" if total < 10**15 else f"about 10^{len(str(total)) - 1}"
        raise BudgetError(f"{shown} outcomes exceed the limit of {MAX_OUTCOMES:,}; {advice}")


def space_from_arrays(arrays: ScenarioArrays, resolution: int = 11) -> OutcomeSpace:
    """The outcome space of a scenario: options as they are, ranges in ``resolution`` points."""
    if resolution < 2:
        raise UsageError("resolution must be at least 2 (the two ends of each range)")
    counts = [len(o) if o is not None else resolution for o in arrays.options]
    check_outcome_count(math.prod(counts), "use a lower resolution (points per continuous "
                        "issue) or fewer issues")
    labels: list[tuple[str | float, ...]] = []
    points: list[FloatArray] = []
    for j in range(arrays.n_issues):
        options = arrays.options[j]
        if options is not None:
            count = len(options)
            labels.append(tuple(options))
        else:
            count = resolution
            natural = np.linspace(arrays.lo[j], arrays.hi[j], count)
            labels.append(tuple(float(f"{v:.12g}") for v in natural))
        points.append(np.linspace(0.0, 1.0, count))
    return OutcomeSpace(tuple(arrays.issue_ids), tuple(labels), tuple(points))


def problem_from_arrays(
    arrays: ScenarioArrays,
    agents: Sequence[str] | None = None,
    resolution: int = 11,
    name: str = "",
) -> NegotiationProblem:
    """The negotiation among ``agents`` (default: the scenario's parties) on the discretised space.

    Utilities are :func:`zopa.utility.utility` of each outcome's normalised package; an outcome
    that crosses an agent's red line (:func:`zopa.utility.red_line_violation` > 0) is not
    acceptable to it; an outcome that breaks one of the scenario's links is acceptable to no
    one; the BATNA is the reservation value (docs/utility.md).
    """
    members = arrays.members(list(agents) if agents else None)
    if members.size < 2:
        raise UsageError("a negotiation needs at least two agents (parties)")
    space = space_from_arrays(arrays, resolution)
    k = space.n_outcomes
    utilities = np.empty((k, members.size))
    acceptable = np.empty((k, members.size), dtype=bool)
    for start in range(0, k, _BLOCK):
        block = np.arange(start, min(k, start + _BLOCK))
        z = space.normalised(block)
        utilities[block] = arrays.utility(z, members)
        acceptable[block] = arrays.violation(z, members) <= 1e-9
        if arrays.n_links:
            acceptable[block] &= ~np.any(arrays.link_violation(z) > 0, axis=1)[:, None]
    return NegotiationProblem(
        space=space,
        agents=tuple(arrays.actor_ids[i] for i in members),
        utilities=utilities,
        reservation=arrays.batna[members].astype(float),
        acceptable=None if acceptable.all() else acceptable,
        name=name,
    )
