"""Stacked alternating offers (SAO), batched: many negotiations advance in lockstep as arrays.

Round semantics follow NegMAS's ``SAOMechanism`` (negmas 0.16, ``sao/mechanism.py``) with its
defaults (``offering_is_accepting=True``, ``end_on_no_response=True``): one offer is on the
table; in every round each agent acts once, in a fixed order. An agent facing no offer proposes;
otherwise it accepts the offer on the table, or rejects it with a counter-offer (which replaces it
and counts as the proposer's acceptance), or ends the negotiation. The offer is agreed when all
agents have accepted it in a row (proposer included). Without agreement after ``n_steps`` rounds
the negotiation times out. zopa adds the walk-away of :meth:`Strategy.walks_away`, taken at the
agent's turn before it answers (NegMAS's ``END_NEGOTIATION``), and records who and when.

The step-by-step twin of this engine is :func:`zopa.protocols.reference.reference_sao`.
"""

from __future__ import annotations

import time as clock
from collections.abc import Sequence

import numpy as np

from zopa.protocols.common import DEFAULT_CHUNK, Batch, Endings, prepare, relative_time
from zopa.protocols.results import NegotiationResults, Progress
from zopa.protocols.space import NegotiationProblem
from zopa.protocols.strategies import Strategy, Turn
from zopa.seeds import SeedLike
from zopa.utility import FloatArray


def run_sao(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    *,
    n_steps: int = 100,
    runs: int = 1,
    seed: SeedLike = 0,
    reservation: FloatArray | None = None,
    time_limit: float | None = None,
    trace_runs: int = 0,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    first: int = 0,
) -> NegotiationResults:
    """Run ``runs`` SAO negotiations of ``problem`` at once.

    Args:
        problem: the outcome space and every agent's utility of every outcome.
        strategies: one per agent (their parameters may hold one value per run).
        n_steps: deadline in rounds.
        runs: number of independent negotiations to play.
        seed: run ``r`` draws its random numbers (stochastic strategies only) from its own
            stream: ``default_rng([seed, r])`` for an int seed, the ``r``-th child of a
            ``SeedSequence`` (:func:`zopa.seeds.child_sequence`), so results do not depend on
            ``chunk``.
        reservation: per-agent ``(n,)`` or per-run ``(runs, n)`` reservation values.
        time_limit: optional deadline in seconds of wall-clock time for the whole batch; relative
            time is then the larger of the round and time fractions, as in NegMAS. Results then
            depend on the machine's speed.
        trace_runs: keep the offers of the first ``trace_runs`` runs (memory: 8 bytes x rounds x
            agents each).
        chunk: runs computed together as arrays; bounds memory, results do not depend on it.
        progress: called with the number of runs just finished after each chunk (progress bars).
        first: these runs are runs ``first ..`` of a larger batch: run ``r`` draws from the
            stream of run ``first + r`` (a batch split over workers gives the whole's results).
    """
    settings = prepare(problem, strategies, n_steps, runs, seed, reservation, first)
    started = clock.perf_counter()

    def engine(batch: Batch) -> Endings:
        shape = (n_steps, settings.n_agents)
        uniforms = settings.uniforms(batch.runs, shape) if settings.stochastic else None
        return sao_rounds(settings.strategies, batch, n_steps, uniforms, time_limit, started)

    return settings.play("sao", engine, chunk=chunk, trace_runs=trace_runs,
                         slots=settings.n_agents, progress=progress)


def sao_rounds(
    strategies: tuple[Strategy, ...],
    batch: Batch,
    n_steps: int,
    uniforms: FloatArray | None,
    time_limit: float | None,
    started: float,
) -> Endings:
    """Play the runs of ``batch`` to their end: ``uniforms`` ``(runs, n_steps, agents)`` are the
    runs' random numbers (``None`` if no strategy draws any); ``time_limit`` in seconds from
    ``started`` (``time.perf_counter``), or ``None``. Each run depends only on its own views,
    states and numbers, never on the other runs of the batch."""
    views, states, size = batch.views, batch.states, batch.size
    n = len(strategies)
    offer = np.full(size, -1, dtype=np.int64)
    n_acc = np.zeros(size, dtype=np.int64)
    done = np.zeros(size, dtype=bool)
    agreed = np.zeros(size, dtype=bool)
    end_step = np.full(size, n_steps - 1, dtype=np.int64)
    walker = np.full(size, -1, dtype=np.int64)
    trace = np.full((size, n_steps, n), -1, dtype=np.int64) if batch.keep_trace else None
    for step in range(n_steps):
        t = relative_time(step, n_steps)
        if time_limit is not None:
            elapsed = (clock.perf_counter() - started) / time_limit
            if elapsed >= 1.0:
                end_step[~done] = max(step - 1, 0)
                break
            t = min(1.0, max(t, elapsed))
        for a in range(n):
            active = ~done
            if not active.any():
                break
            view, state, strategy = views[a], states[a], strategies[a]
            uniform = uniforms[:, step, a] if uniforms is not None else None
            walk = strategy.walks_away(view, state, Turn(step, t, offer, active, uniform)) & active
            if walk.any():
                done |= walk
                walker[walk] = a
                end_step[walk] = step
                active &= ~walk
            responding = active & (offer >= 0)
            accept = np.zeros(size, dtype=bool)
            if responding.any():
                turn = Turn(step, t, offer, responding, uniform)
                accept = strategy.accepts(view, state, turn) & responding
            n_acc = np.where(accept, n_acc + 1, n_acc)
            agree = accept & (n_acc == n)
            if agree.any():
                agreed |= agree
                done |= agree
                end_step[agree] = step
            proposing = active & ~accept
            if proposing.any():
                new = strategy.propose(view, state, Turn(step, t, offer, proposing, uniform))
                offer = np.where(proposing, new, offer)
                n_acc = np.where(proposing, 1, n_acc)
                if trace is not None:
                    trace[:, step, a] = np.where(proposing, new, -1)
        if done.all():
            break
    return Endings(agreed, offer, end_step, walker, trace)
