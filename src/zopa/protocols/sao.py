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

from zopa.protocols.common import (
    DEFAULT_CHUNK,
    check_steps,
    check_strategies,
    relative_time,
    reservation_matrix,
)
from zopa.protocols.results import NegotiationResults, Progress, build_results, run_uniforms
from zopa.protocols.space import BoolArray, IndexArray, NegotiationProblem
from zopa.protocols.strategies import AgentView, State, Strategy, Turn, agent_views
from zopa.utility import FloatArray


def run_sao(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    *,
    n_steps: int = 100,
    runs: int = 1,
    seed: int = 0,
    reservation: FloatArray | None = None,
    time_limit: float | None = None,
    trace_runs: int = 0,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> NegotiationResults:
    """Run ``runs`` SAO negotiations of ``problem`` at once.

    Args:
        strategies: one per agent (their parameters may hold one value per run).
        n_steps: deadline in rounds.
        seed: runs draw random numbers from streams ``(seed, run)`` (only stochastic strategies).
        reservation: per-agent ``(n,)`` or per-run ``(runs, n)`` reservation values.
        time_limit: optional deadline in seconds of wall-clock time for the whole batch; relative
            time is then the larger of the round and time fractions, as in NegMAS. Results then
            depend on the machine's speed.
        trace_runs: keep the offers of the first ``trace_runs`` runs (memory: 8 bytes x rounds x
            agents each).
    """
    check_steps(n_steps)
    strategies = check_strategies(problem, strategies)
    res = reservation_matrix(problem, runs, reservation)
    n = problem.n_agents
    base_views = agent_views(problem, n_steps)
    stochastic = any(s.stochastic for s in strategies)
    agreed = np.zeros(runs, dtype=bool)
    offer = np.full(runs, -1, dtype=np.int64)
    end_step = np.full(runs, n_steps - 1, dtype=np.int64)
    walker = np.full(runs, -1, dtype=np.int64)
    n_trace = min(max(trace_runs, 0), runs)
    trace = np.full((n_trace, n_steps, n), -1, dtype=np.int64) if n_trace else None
    started = clock.perf_counter()
    for lo in range(0, runs, max(1, chunk)):
        idx = np.arange(lo, min(runs, lo + max(1, chunk)), dtype=np.int64)
        views = [v.for_runs(res[idx, a]) for a, v in enumerate(base_views)]
        states = [s.start(views[a], idx) for a, s in enumerate(strategies)]
        uniforms = run_uniforms(seed, idx, (n_steps, n)) if stochastic else None
        out = _run_chunk(strategies, views, states, idx.size, n_steps, uniforms,
                         time_limit, started, trace is not None and lo < n_trace)
        agreed[idx], offer[idx], end_step[idx], walker[idx] = out[:4]
        if trace is not None and out[4] is not None and lo < n_trace:
            take = min(n_trace - lo, idx.size)
            trace[lo : lo + take] = out[4][:take]
        if progress is not None:
            progress(idx.size)
    return build_results(problem, "sao", n_steps, seed, agreed=agreed, last_offer=offer,
                         step=end_step, walked_away=walker, reservation=res, trace=trace)


def _run_chunk(
    strategies: list[Strategy],
    views: list[AgentView],
    states: list[State],
    size: int,
    n_steps: int,
    uniforms: FloatArray | None,
    time_limit: float | None,
    started: float,
    keep_trace: bool,
) -> tuple[BoolArray, IndexArray, IndexArray, IndexArray, IndexArray | None]:
    n = len(strategies)
    offer = np.full(size, -1, dtype=np.int64)
    n_acc = np.zeros(size, dtype=np.int64)
    done = np.zeros(size, dtype=bool)
    agreed = np.zeros(size, dtype=bool)
    end_step = np.full(size, n_steps - 1, dtype=np.int64)
    walker = np.full(size, -1, dtype=np.int64)
    trace = np.full((size, n_steps, n), -1, dtype=np.int64) if keep_trace else None
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
    return agreed, offer, end_step, walker, trace
