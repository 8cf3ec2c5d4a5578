"""Step-by-step reference engines: one negotiation at a time, one agent at a time, plain Python.

They implement the protocols of :mod:`zopa.protocols.sao` and :mod:`zopa.protocols.mediated` in
the most direct way, for clarity and as the yardstick the batched engines are tested against: for
the same problem, strategies and seed both give identical results. Strategies are called with
arrays of length one (a batch of one run), and each run draws from its own random stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.protocols.common import Batch, Endings, RunSettings, prepare, relative_time
from zopa.protocols.mediated import mutate, start_texts
from zopa.protocols.results import NegotiationResults
from zopa.protocols.space import NegotiationProblem
from zopa.protocols.strategies import Strategy, Turn
from zopa.seeds import SeedLike
from zopa.utility import FloatArray

_YES = np.ones(1, dtype=bool)


def _one(value: int) -> np.ndarray:
    return np.array([value], dtype=np.int64)


def _ended(deal: bool, offer: int, step: int, walker: int) -> Endings:
    return Endings(np.array([deal]), _one(offer), _one(step), _one(walker))


def reference_sao(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    *,
    n_steps: int = 100,
    runs: int = 1,
    seed: SeedLike = 0,
    reservation: FloatArray | None = None,
) -> NegotiationResults:
    """SAO negotiations run one by one (see :func:`zopa.protocols.sao.run_sao`)."""
    settings = prepare(problem, strategies, n_steps, runs, seed, reservation)
    return settings.play("sao", lambda batch: _sao_run(settings, batch))


def _sao_run(settings: RunSettings, batch: Batch) -> Endings:
    n, n_steps, strategies = settings.n_agents, settings.n_steps, settings.strategies
    views, states = batch.views, batch.states
    draws = settings.uniforms(batch.runs, (n_steps, n))[0] if settings.stochastic else None
    offer, accepted_by, walker, ended, deal = -1, 0, -1, n_steps - 1, False
    for step in range(n_steps):
        t = relative_time(step, n_steps)
        for a in range(n):
            uniform = draws[step, a : a + 1] if draws is not None else None
            turn = Turn(step, t, _one(offer), _YES, uniform)
            if strategies[a].walks_away(views[a], states[a], turn)[0]:
                walker, ended = a, step
                break
            if offer >= 0 and strategies[a].accepts(views[a], states[a], turn)[0]:
                accepted_by += 1
                if accepted_by == n:
                    deal, ended = True, step
                    break
                continue
            offer = int(strategies[a].propose(views[a], states[a], turn)[0])
            accepted_by = 1  # offering is accepting
        if deal or walker >= 0:
            break
    return _ended(deal, offer, ended, walker)


def reference_mediated(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    *,
    n_steps: int = 100,
    runs: int = 1,
    seed: SeedLike = 0,
    reservation: FloatArray | None = None,
    start: int | None = None,
) -> NegotiationResults:
    """Mediated single-text negotiations run one by one (see
    :func:`zopa.protocols.mediated.run_mediated`)."""
    settings = prepare(problem, strategies, n_steps, runs, seed, reservation)
    return settings.play("mediated", lambda batch: _mediated_run(settings, batch, start))


def _mediated_run(settings: RunSettings, batch: Batch, start: int | None) -> Endings:
    n, n_steps, strategies = settings.n_agents, settings.n_steps, settings.strategies
    views, states, space = batch.views, batch.states, settings.problem.space
    draws = settings.uniforms(batch.runs, (n_steps + 1, 2))[0]
    text = int(start_texts(space, draws[0:1, 0], start)[0])
    walker, ended, deal = -1, n_steps - 1, False
    for step in range(n_steps):
        t = relative_time(step, n_steps)
        turn = Turn(step, t, _one(text), _YES)
        walking = [a for a in range(n) if strategies[a].walks_away(views[a], states[a], turn)[0]]
        if walking:
            walker, ended = walking[0], step
            break
        votes = [bool(strategies[a].accepts(views[a], states[a], turn)[0]) for a in range(n)]
        if all(votes):
            deal, ended = True, step
            break
        draft = int(mutate(space, _one(text), draws[step + 1, 0:1], draws[step + 1, 1:2])[0])
        prefer = [bool(strategies[a].prefers(views[a], states[a], turn, _one(text),
                                             _one(draft))[0]) for a in range(n)]
        if all(prefer):
            text = draft
    return _ended(deal, text, ended, walker)
