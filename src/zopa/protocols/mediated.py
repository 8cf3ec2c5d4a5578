"""Mediated single-text negotiation, batched.

The single negotiating text (Fisher 1978; Raiffa 1982, *The Art and Science of Negotiation*,
ch. 14) with the mediator's hill climbing of Klein, Faratin, Sayama & Bar-Yam (2003), "Negotiating
complex contracts", Group Decision and Negotiation 12(2): the mediator holds one text (an outcome).
In every round:

1. each party may walk away (:meth:`Strategy.walks_away`); the first in agent order ends the run;
2. each party says whether it accepts the text as the agreement (:meth:`Strategy.accepts`, e.g.
   its aspiration level at this time); if all do, it is agreed;
3. otherwise the mediator drafts a variant (one issue changed to another of its values, drawn at
   random) and each party states its preference (:meth:`Strategy.prefers`, by default: at least as
   good for me); the variant replaces the text only if every party prefers it.

Without agreement after ``n_steps`` rounds the run times out, and ``last_offer`` is the final text.
The mediator never sees utilities, only the parties' votes. Random draws (the starting text and
the variants) come from the run's own stream ``(seed, run)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.errors import UsageError
from zopa.protocols.common import DEFAULT_CHUNK, Batch, Endings, prepare, relative_time
from zopa.protocols.results import NegotiationResults, Progress
from zopa.protocols.space import BoolArray, IndexArray, NegotiationProblem, OutcomeSpace
from zopa.protocols.strategies import Strategy, Turn
from zopa.seeds import SeedLike
from zopa.utility import FloatArray


def start_texts(space: OutcomeSpace, uniforms: FloatArray, start: int | None) -> IndexArray:
    """The first text per run: ``start`` if given, else an outcome drawn at random."""
    if start is not None:
        if not 0 <= start < space.n_outcomes:
            raise UsageError(f"start outcome must lie in 0..{space.n_outcomes - 1}")
        return np.full(uniforms.shape[0], start, dtype=np.int64)
    return np.minimum((uniforms * space.n_outcomes).astype(np.int64), space.n_outcomes - 1)


def mutate(space: OutcomeSpace, text: IndexArray, u_issue: FloatArray, u_value: FloatArray
           ) -> IndexArray:
    """The mediator's variant of each text: issue ``floor(u_issue m)`` moved to one of its other
    values, ``floor(u_value (K - 1))`` places further on (cyclically), so each is equally likely."""
    values = space.decode(text).reshape(text.size, space.n_issues)
    card = np.asarray(space.cardinalities, dtype=np.int64)
    issue = np.minimum((u_issue * space.n_issues).astype(np.int64), space.n_issues - 1)
    k = card[issue]
    shift = 1 + np.minimum((u_value * (k - 1)).astype(np.int64), np.maximum(k - 2, 0))
    rows = np.arange(text.size)
    old = values[rows, issue]
    values[rows, issue] = np.where(k > 1, (old + shift) % k, old)
    return space.encode(values).astype(np.int64)


def run_mediated(
    problem: NegotiationProblem,
    strategies: Sequence[Strategy],
    *,
    n_steps: int = 100,
    runs: int = 1,
    seed: SeedLike = 0,
    reservation: FloatArray | None = None,
    start: int | None = None,
    trace_runs: int = 0,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    first: int = 0,
) -> NegotiationResults:
    """Run ``runs`` mediated single-text negotiations at once (arguments as :func:`run_sao`;
    ``start``: the first text's outcome index, default random per run)."""
    settings = prepare(problem, strategies, n_steps, runs, seed, reservation, first)

    def engine(batch: Batch) -> Endings:
        uniforms = settings.uniforms(batch.runs, (n_steps + 1, 2))
        return mediated_rounds(problem.space, settings.strategies, batch, n_steps, uniforms, start)

    return settings.play("mediated", engine, chunk=chunk, trace_runs=trace_runs, slots=1,
                         progress=progress)


def mediated_rounds(
    space: OutcomeSpace,
    strategies: tuple[Strategy, ...],
    batch: Batch,
    n_steps: int,
    uniforms: FloatArray,
    start: int | None,
) -> Endings:
    """Play the runs of ``batch`` to their end: ``uniforms`` ``(runs, n_steps + 1, 2)`` are the
    runs' random numbers (the first text, then each round's variant); each run depends only on
    its own views, states and numbers."""
    views, states, n = batch.views, batch.states, len(strategies)
    cur = start_texts(space, uniforms[:, 0, 0], start)
    done = np.zeros(batch.size, dtype=bool)
    ok = np.zeros(batch.size, dtype=bool)
    end = np.full(batch.size, n_steps - 1, dtype=np.int64)
    who = np.full(batch.size, -1, dtype=np.int64)
    trace = np.full((batch.size, n_steps, 1), -1, dtype=np.int64) if batch.keep_trace else None
    for step in range(n_steps):
        t = relative_time(step, n_steps)
        active = ~done
        if trace is not None:
            trace[:, step, 0] = np.where(active, cur, -1)
        for a in range(n):
            walk = strategies[a].walks_away(views[a], states[a], Turn(step, t, cur, active))
            walk &= active & (who < 0)
            who[walk] = a
        walked = active & (who >= 0)
        done |= walked
        end[walked] = step
        active &= ~walked
        accept_all = active.copy()
        for a in range(n):
            accept_all &= strategies[a].accepts(views[a], states[a], Turn(step, t, cur, active))
        ok |= accept_all
        done |= accept_all
        end[accept_all] = step
        active &= ~accept_all
        if not active.any():
            break
        draws = uniforms[:, step + 1]
        candidate = mutate(space, cur, draws[:, 0], draws[:, 1])
        move: BoolArray = active.copy()
        for a in range(n):
            move &= strategies[a].prefers(views[a], states[a], Turn(step, t, cur, active),
                                          cur, candidate)
        cur = np.where(move, candidate, cur)
    return Endings(ok, cur, end, who, trace)
