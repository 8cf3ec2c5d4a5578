"""What the engines share: argument checks, per-run settings, relative time, and the one loop that
hands batches of runs to an engine and assembles their :class:`NegotiationResults`.

Every engine (batched or step-by-step, SAO or mediated) is a function from a :class:`Batch` (the
runs it plays, their agents' views and strategy states) to the :class:`Endings` of those runs;
:meth:`RunSettings.play` does the rest. The batched engines play chunks of runs, the reference
engines one run at a time (``chunk=1``), so both see the same views, states and random streams.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.protocols.results import (
    NegotiationResults,
    Progress,
    RunSeed,
    build_results,
    run_seed,
    run_uniforms,
)
from zopa.protocols.space import BoolArray, IndexArray, NegotiationProblem
from zopa.protocols.strategies import AgentView, State, Strategy, View, agent_views
from zopa.seeds import SeedLike
from zopa.utility import FloatArray

DEFAULT_CHUNK = 8192
"""Runs computed together by the batched engines (bounds memory; results do not depend on it)."""


def relative_time(step: int, n_steps: int) -> float:
    """Relative time of round ``step`` (0-based) of ``n_steps``: ``(step + 1) / (n_steps + 1)``,
    NegMAS's ``relative_time`` for a step-limited mechanism (negmas 0.16, ``mechanisms.py``)."""
    return (step + 1) / (n_steps + 1)


def check_strategies(problem: NegotiationProblem, strategies: Sequence[Strategy]) -> list[Strategy]:
    """The strategies as a list; a :class:`UsageError` unless there is exactly one per agent."""
    if len(strategies) != problem.n_agents:
        raise UsageError(
            f"{problem.n_agents} agents ({', '.join(problem.agents)}) need {problem.n_agents} "
            f"strategies, not {len(strategies)}"
        )
    return list(strategies)


def reservation_matrix(
    problem: NegotiationProblem, runs: int, reservation: FloatArray | None
) -> FloatArray:
    """Reservation values ``(runs, n_agents)``: the problem's, one per agent, or one row per run."""
    if runs < 1:
        raise UsageError("runs must be at least 1")
    if reservation is None:
        return np.tile(problem.reservation, (runs, 1))
    r = np.asarray(reservation, dtype=float)
    if r.shape == (problem.n_agents,):
        return np.tile(r, (runs, 1))
    if r.shape != (runs, problem.n_agents):
        raise UsageError(f"reservation must have shape ({problem.n_agents},) or "
                         f"({runs}, {problem.n_agents}), not {r.shape}")
    if not np.all(np.isfinite(r)):
        raise UsageError("reservation values must be finite")
    return r


def check_steps(n_steps: int) -> None:
    """A :class:`UsageError` unless the deadline ``n_steps`` is at least one round."""
    if n_steps < 1:
        raise UsageError("the deadline must be at least one round")


@dataclass(frozen=True, eq=False)
class Batch:
    """Runs an engine plays together: their numbers, each agent's view (with the runs'
    reservation values) and strategy state, and whether to record the offers (``trace``).
    On Monte Carlo draws (:mod:`zopa.protocols.draws`) ``runs`` holds each run's number within
    its draw."""

    runs: IndexArray
    views: Sequence[View]
    states: list[State]
    keep_trace: bool

    @property
    def size(self) -> int:
        """Number of runs in the batch."""
        return int(self.runs.size)


@dataclass(frozen=True, eq=False)
class Endings:
    """How each run of a batch ended (fields as in :class:`NegotiationResults`); ``trace`` is
    ``(runs, n_steps, slots)`` when the batch asked for it."""

    agreed: BoolArray
    last_offer: IndexArray
    step: IndexArray
    walked_away: IndexArray
    trace: IndexArray | None = None


Engine = Callable[[Batch], Endings]


@dataclass(frozen=True, eq=False)
class RunSettings:
    """What every engine needs, checked once: the problem, one strategy per agent, the deadline,
    the runs, their seed and reservation values ``(runs, n_agents)``."""

    problem: NegotiationProblem
    strategies: tuple[Strategy, ...]
    n_steps: int
    runs: int
    seed: RunSeed
    reservation: FloatArray
    views: tuple[AgentView, ...]  # per agent, the problem's reservation values
    first: int = 0
    """The number of the first run, for the runs' random streams (a part of a larger batch)."""

    @property
    def n_agents(self) -> int:
        """Number of agents (one strategy each)."""
        return self.problem.n_agents

    @property
    def stochastic(self) -> bool:
        """Whether some strategy draws random numbers when it proposes."""
        return any(s.stochastic for s in self.strategies)

    def uniforms(self, runs: IndexArray, shape: tuple[int, ...]) -> FloatArray:
        """The runs' random numbers, from their own streams (:func:`run_uniforms`), run ``r``
        of these settings being run ``first + r`` of the whole batch."""
        return run_uniforms(self.seed, runs + self.first if self.first else runs, shape)

    def batch(self, runs: IndexArray, keep_trace: bool = False) -> Batch:
        """A batch of the runs numbered ``runs``: each agent's view with those runs' reservation
        values, and each strategy's fresh state for them."""
        views = [v.for_runs(self.reservation[runs, a]) for a, v in enumerate(self.views)]
        states = [s.start(views[a], runs) for a, s in enumerate(self.strategies)]
        return Batch(runs, views, states, keep_trace)

    def play(
        self,
        protocol: str,
        engine: Engine,
        *,
        chunk: int = 1,
        trace_runs: int = 0,
        slots: int = 1,
        progress: Progress | None = None,
    ) -> NegotiationResults:
        """Play all runs, ``chunk`` at a time, and assemble the results; the offers of the first
        ``trace_runs`` runs are kept (``slots`` per round)."""
        runs, n_steps, size = self.runs, self.n_steps, max(1, chunk)
        agreed = np.zeros(runs, dtype=bool)
        last_offer = np.full(runs, -1, dtype=np.int64)
        step = np.full(runs, n_steps - 1, dtype=np.int64)
        walker = np.full(runs, -1, dtype=np.int64)
        n_trace = min(max(trace_runs, 0), runs)
        trace = np.full((n_trace, n_steps, slots), -1, dtype=np.int64) if n_trace else None
        for lo in range(0, runs, size):
            idx = np.arange(lo, min(runs, lo + size), dtype=np.int64)
            out = engine(self.batch(idx, keep_trace=lo < n_trace))
            agreed[idx], last_offer[idx], step[idx], walker[idx] = (
                out.agreed, out.last_offer, out.step, out.walked_away)
            if trace is not None and out.trace is not None and lo < n_trace:
                take = min(n_trace - lo, idx.size)
                trace[lo : lo + take] = out.trace[:take]
            if progress is not None:
                progress(idx.size)
        return build_results(self.problem, protocol, n_steps, self.seed, agreed=agreed,
                             last_offer=last_offer, step=step, walked_away=walker,
                             reservation=self.reservation, trace=trace)


def prepare(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    n_steps: int,
    runs: int,
    seed: SeedLike,
    reservation: FloatArray | None,
    first: int = 0,
) -> RunSettings:
    """Check the arguments of an engine (:class:`~zopa.errors.UsageError` if wrong), set up runs
    (numbered from ``first`` for their random streams: a part of a larger batch)."""
    check_steps(n_steps)
    checked = check_strategies(problem, strategies)
    res = reservation_matrix(problem, runs, reservation)
    return RunSettings(problem, tuple(checked), n_steps, runs, run_seed(seed), res,
                       tuple(agent_views(problem, n_steps)), first)
