"""Negotiations on Monte Carlo draws: the batched engines run over (draws x runs) at once.

``zopa negotiate FILE --samples N`` plays ``runs`` negotiations on each of ``N`` draws of the
scenario's declared uncertainty. :func:`negotiate_on_draws` builds the agents' tables for many
draws at once (:func:`zopa.protocols.draws.draw_problem`) and hands the engines of
:mod:`zopa.protocols.sao` and :mod:`zopa.protocols.mediated` one flat batch of runs spread over
the draws (:class:`~zopa.protocols.draws.DrawView` gives each run its own draw's utilities), so
there is no Python loop over draws or offers. The loops left run over agents and issues (building
tables), distinct table sizes (sorting), groups of draws within :data:`TABLE_BUDGET`, rounds, and
the runs' random streams (one generator a run, as the one-draw engines). Each run's result is the
one the one-draw engine gives on that draw's :class:`~zopa.protocols.space.NegotiationProblem`
with the same seed.

Strategies that play every run alike (:attr:`~zopa.protocols.strategies.Strategy.same_every_run`:
no random numbers, no per-run parameter; the SAO protocol, whose only randomness is the
strategies') are played once a draw and their result repeated for the draw's runs: the runs of
one draw would replay the same offers. Random numbers (stochastic strategies, the mediated
protocol) come from each run's own stream, drawn run by run as the one-draw engines draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.protocols.common import DEFAULT_CHUNK, Batch, Endings, check_steps
from zopa.protocols.draws import (
    DrawProblem,
    candidate_counts,
    draw_problem,
    issue_candidates,
    issue_terms,
    link_allowed,
    member_limits,
)
from zopa.protocols.mediated import mediated_rounds
from zopa.protocols.results import run_uniforms
from zopa.protocols.sao import sao_rounds
from zopa.protocols.space import BoolArray, IndexArray, space_from_arrays
from zopa.protocols.strategies import Strategy
from zopa.seeds import child_sequence
from zopa.timeline.state import State as Draws
from zopa.utility import FloatArray

TABLE_BUDGET = 1 << 21
"""Table entries (an agent's candidate outcomes, summed over agents and draws) built together:
about 200 MB at most. Draws are taken in groups within it (one draw at least)."""

RANDOM_BUDGET = 32 * 2**20
"""Bytes of random numbers a batch of runs holds (fewer runs a batch for long deadlines)."""

PROTOCOLS = ("sao", "mediated")
"""The protocols :func:`negotiate_on_draws` plays."""


@dataclass(frozen=True, eq=False)
class DrawResults:
    """What the runs on each of ``D`` draws gave.

    ``agreements[d]`` counts the runs that agreed on draw ``d``; ``rational[d]`` says whether some
    outcome is acceptable to every agent there. With ``keep_runs``, ``(D, runs)`` per run: agreed,
    agreed outcome (-1 if none), the round it ended in and who walked away (-1 if nobody), as
    :class:`~zopa.protocols.results.NegotiationResults` holds them.
    """

    runs: int
    agreements: IndexArray
    rational: BoolArray
    agreed: BoolArray | None = None
    outcome: IndexArray | None = None
    step: IndexArray | None = None
    walked_away: IndexArray | None = None

    @property
    def agreement_rate(self) -> FloatArray:
        """``(D,)`` share of runs that agreed on each draw."""
        return np.asarray(self.agreements / self.runs, dtype=float)


def draw_seed(seed: np.random.SeedSequence, draw: int) -> int:
    """The int seed of draw number ``draw``'s runs: run ``r`` draws from
    ``default_rng([draw_seed(seed, draw), r])``, as a one-draw engine given that seed."""
    return int(child_sequence(seed, draw).generate_state(1)[0])


def negotiate_on_draws(
    draws: Draws,
    strategies: Sequence[Strategy],
    *,
    protocol: str = "sao",
    agents: Sequence[str] | None = None,
    resolution: int = 7,
    n_steps: int = 100,
    runs: int = 1,
    seed: np.random.SeedSequence,
    first: int = 0,
    chunk: int = DEFAULT_CHUNK,
    keep_runs: bool = False,
    budget: int = TABLE_BUDGET,
) -> DrawResults:
    """Play ``runs`` negotiations on every draw of ``draws``.

    Args:
        draws: ``D`` draws of a scenario (the outcome space is the scenario's, shared).
        strategies: one per agent.
        protocol: ``sao`` or ``mediated``.
        agents: the negotiating actors (default: the scenario's parties).
        resolution: points per continuous issue.
        n_steps: deadline in rounds.
        runs: negotiations a draw.
        seed: draw ``d`` is number ``first + d``; its runs use the int seed
            :func:`draw_seed` of that number.
        first: the number of the first draw (draws are numbered across chunks).
        chunk: runs (over all draws) computed together; results do not depend on it.
        keep_runs: also return every run's result, ``(D, runs)`` arrays.
        budget: table entries built together (see :data:`TABLE_BUDGET`); results do not depend
            on it.

    Returns:
        Per draw, the agreements and whether an outcome is acceptable to all (per run with
        ``keep_runs``), the same as the one-draw engine on ``draws.arrays(d)``.
    """
    if protocol not in PROTOCOLS:
        raise UsageError(f"unknown protocol {protocol!r} on draws; known: {', '.join(PROTOCOLS)}")
    check_steps(n_steps)
    if runs < 1:
        raise UsageError("runs must be at least 1")
    base = draws.base
    members = base.members(list(agents) if agents else None)
    if members.size < 2:
        raise UsageError("a negotiation needs at least two agents (parties)")
    if len(strategies) != members.size:
        raise UsageError(f"{members.size} agents need {members.size} strategies, "
                         f"not {len(strategies)}")
    space = space_from_arrays(base, resolution)
    link_ok = link_allowed(base, space)
    terms = issue_terms(member_limits(draws, members), space)
    sizes = candidate_counts(issue_candidates(terms)).sum(axis=1)
    player = _Player(tuple(strategies), protocol, n_steps, runs, seed, chunk)
    rational, agreements, played = [], [], []
    for lo, hi in _groups(sizes, budget):
        problem = draw_problem(draws.take(slice(lo, hi)), members, space, link_ok)
        rational.append(problem.rational)
        count, endings = player.play(problem, first + lo, keep_runs)
        agreements.append(count)
        played.extend([endings] if endings is not None else [])
    found = DrawResults(runs, np.concatenate(agreements), np.concatenate(rational))
    if not keep_runs:
        return found

    def each(values: list[np.ndarray]) -> np.ndarray:  # a run played a draw stands for all
        out = np.concatenate(values)
        return np.repeat(out, runs // out.shape[1], axis=1)

    return DrawResults(runs, found.agreements, found.rational,
                       agreed=each([e.agreed for e in played]),
                       outcome=each([np.where(e.agreed, e.last_offer, -1) for e in played]),
                       step=each([e.step for e in played]),
                       walked_away=each([e.walked_away for e in played]))


def _groups(sizes: IndexArray, budget: int) -> list[tuple[int, int]]:
    """Consecutive draws ``[lo, hi)`` whose table sizes add up to at most ``budget`` (a draw
    over the budget alone)."""
    groups, lo, total = [], 0, 0
    for d, size in enumerate(sizes.tolist()):
        if d > lo and total + size > budget:
            groups.append((lo, d))
            lo, total = d, 0
        total += size
    groups.append((lo, sizes.size))
    return groups


@dataclass(frozen=True, eq=False)
class _Player:
    """Plays the runs of a :class:`DrawProblem` by flat batches of ``chunk`` runs."""

    strategies: tuple[Strategy, ...]
    protocol: str
    n_steps: int
    runs: int
    seed: np.random.SeedSequence
    chunk: int

    @property
    def alike(self) -> bool:
        """Whether every run of a draw plays the same (then one is played a draw)."""
        return self.protocol == "sao" and all(s.same_every_run for s in self.strategies)

    @property
    def random_shape(self) -> tuple[int, ...] | None:
        """Shape of a run's random numbers (``None``: the runs draw none)."""
        if self.protocol == "mediated":
            return (self.n_steps + 1, 2)
        if any(s.stochastic for s in self.strategies):
            return (self.n_steps, len(self.strategies))
        return None

    def play(self, problem: DrawProblem, first: int, keep: bool
             ) -> tuple[IndexArray, Endings | None]:
        """Per draw, the runs that agreed, and with ``keep`` every run's ending, ``(D, runs)``
        (``(D, 1)`` when runs play alike); draw ``d`` is number ``first + d`` for its seed.
        Memory: one batch of runs, plus the endings kept."""
        per_draw = 1 if self.alike else self.runs
        total = problem.draws * per_draw
        size = max(1, self.chunk)
        if self.random_shape is not None:
            size = max(1, min(size, RANDOM_BUDGET // (8 * int(np.prod(self.random_shape)))))
        agreements = np.zeros(problem.draws, dtype=np.int64)
        kept: list[Endings] = []
        for lo in range(0, total, size):
            flat = np.arange(lo, min(total, lo + size), dtype=np.int64)
            draw, run = flat // per_draw, flat % per_draw
            views = problem.views(draw)
            states = [s.start(v, run) for s, v in zip(self.strategies, views, strict=True)]
            batch = Batch(run, views, states, keep_trace=False)
            uniforms = self._uniforms(draw, run, first)
            if self.protocol == "mediated":
                assert uniforms is not None
                out = mediated_rounds(problem.space, self.strategies, batch, self.n_steps,
                                      uniforms, None)
            else:
                out = sao_rounds(self.strategies, batch, self.n_steps, uniforms, None, 0.0)
            agreements += np.bincount(draw[out.agreed], minlength=problem.draws)
            if keep:
                kept.append(out)
        agreements *= self.runs // per_draw  # a run played a draw stands for all its runs
        if not keep:
            return agreements, None
        shape = (problem.draws, per_draw)

        def joined(field: str) -> np.ndarray:
            return np.concatenate([getattr(e, field) for e in kept]).reshape(shape)

        return agreements, Endings(joined("agreed"), joined("last_offer"), joined("step"),
                                   joined("walked_away"))

    def _uniforms(self, draw: IndexArray, run: IndexArray, first: int) -> FloatArray | None:
        """The runs' random numbers, each run from its own stream (a generator a run, as the
        one-draw engines: the loop is over the runs' streams, not their arithmetic)."""
        shape = self.random_shape
        if shape is None:
            return None
        out = np.empty((draw.size, *shape))
        cuts = np.flatnonzero(np.diff(draw)) + 1  # draws are consecutive within a batch
        for part in np.split(np.arange(draw.size), cuts):
            number = first + int(draw[part[0]])
            out[part] = run_uniforms(draw_seed(self.seed, number), run[part], shape)
        return out
