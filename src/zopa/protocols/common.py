"""What the engines share: argument checks, per-run reservation values, relative time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.errors import UsageError
from zopa.protocols.space import NegotiationProblem
from zopa.protocols.strategies import Strategy
from zopa.utility import FloatArray

DEFAULT_CHUNK = 8192
"""Runs computed together by the batched engines (bounds memory; results do not depend on it)."""


def relative_time(step: int, n_steps: int) -> float:
    """Relative time of round ``step`` (0-based) of ``n_steps``: ``(step + 1) / (n_steps + 1)``,
    NegMAS's ``relative_time`` for a step-limited mechanism (negmas 0.16, ``mechanisms.py``)."""
    return (step + 1) / (n_steps + 1)


def check_strategies(problem: NegotiationProblem, strategies: Sequence[Strategy]) -> list[Strategy]:
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
    if n_steps < 1:
        raise UsageError("the deadline must be at least one round")
