"""What a batch of negotiations returns, its summary, and the random streams runs draw from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.analysis.outcomes import OutcomeAnalysis, distance_to_set
from zopa.protocols.space import BoolArray, IndexArray, NegotiationProblem
from zopa.seeds import SeedLike, as_seed_sequence, check_seed, child_sequence
from zopa.utility import FloatArray

Progress = Callable[[int], None]
"""Called by the engines with the number of runs just finished (for progress bars)."""

NEGOTIATION_FORMAT = "zopa.negotiation/1"
ANALYSIS_FORMAT = "zopa.outcomes/1"


RunSeed = int | np.random.SeedSequence
"""The seed of a batch of runs: an int (run ``r``'s stream is ``default_rng([seed, r])``) or a
seed sequence (run ``r``'s stream is its ``r``-th child)."""


def run_seed(seed: SeedLike) -> RunSeed:
    """A batch's seed: an int as it is (checked), anything else as a seed sequence."""
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        checked = check_seed(int(seed))
        assert checked is not None
        return checked
    return as_seed_sequence(seed)


def run_uniforms(seed: RunSeed, runs: IndexArray, shape: tuple[int, ...]) -> FloatArray:
    """Random numbers in ``[0, 1)`` of shape ``(len(runs), *shape)``: run ``r`` draws from its own
    stream (see :data:`RunSeed`), so a run's randomness does not depend on the batch it is
    computed in (batched and step-by-step engines draw the same numbers)."""
    out = np.empty((runs.size, *shape))
    for i, r in enumerate(runs.tolist()):
        stream = ([seed, r] if isinstance(seed, int) else child_sequence(seed, r))
        out[i] = np.random.default_rng(stream).random(shape)
    return out


@dataclass(frozen=True, eq=False)
class NegotiationResults:
    """One entry per run. ``step`` is the 0-based round in which the run ended (agreement, walk
    away, or the last round on a timeout); NegMAS's ``state.step`` after the run is ``step + 1``.
    ``trace[r, s, slot]`` (first ``trace.shape[0]`` runs only) holds the outcome offered in round
    ``s`` by agent ``slot`` (SAO) or the mediator's text (mediated, one slot); -1 for none."""

    protocol: str
    agents: tuple[str, ...]
    n_steps: int
    seed: int | None
    """The int seed of the runs (``None`` when a seed sequence or generator was given)."""
    agreed: BoolArray
    outcome: IndexArray
    utilities: FloatArray
    step: IndexArray
    walked_away: IndexArray
    timed_out: BoolArray
    last_offer: IndexArray
    reservation: FloatArray
    trace: IndexArray | None = None

    @property
    def runs(self) -> int:
        """Number of runs."""
        return int(self.agreed.size)

    @property
    def rounds(self) -> IndexArray:
        """``(runs,)`` rounds each run took, the last included (``step + 1``, NegMAS's count)."""
        return self.step + 1

    def same_as(self, other: NegotiationResults) -> bool:
        """Identical outcomes, rounds and walk-aways (used to check engines against each other)."""
        fields = ("agreed", "outcome", "step", "walked_away", "timed_out", "last_offer")
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in fields)


def build_results(
    problem: NegotiationProblem,
    protocol: str,
    n_steps: int,
    seed: RunSeed,
    *,
    agreed: BoolArray,
    last_offer: IndexArray,
    step: IndexArray,
    walked_away: IndexArray,
    reservation: FloatArray,
    trace: IndexArray | None,
) -> NegotiationResults:
    """Assemble the results from the engines' per-run endings: the outcome is the last offer
    where the run agreed (-1 elsewhere), its utilities are looked up in ``problem`` (NaN without
    agreement), and a run that neither agreed nor saw a walk-away timed out."""
    outcome = np.where(agreed, last_offer, -1).astype(np.int64)
    utilities = np.full((agreed.size, problem.n_agents), np.nan)
    utilities[agreed] = problem.utilities[outcome[agreed]]
    return NegotiationResults(
        protocol=protocol,
        agents=problem.agents,
        n_steps=n_steps,
        seed=seed if isinstance(seed, int) else None,
        agreed=agreed,
        outcome=outcome,
        utilities=utilities,
        step=step.astype(np.int64),
        walked_away=walked_away.astype(np.int64),
        timed_out=~agreed & (walked_away < 0),
        last_offer=last_offer.astype(np.int64),
        reservation=reservation,
        trace=trace,
    )


def _mean(values: FloatArray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def summarise(results: NegotiationResults, problem: NegotiationProblem,
              analysis: OutcomeAnalysis) -> dict[str, Any]:
    """Agreement rate, walk-aways, mean utilities, rounds and distances of a batch.

    Distances are Euclidean, in utility space (as NegMAS's ``calc_outcome_distances``): from each
    agreement's utility vector to the Nash point's and to the nearest Pareto-frontier point.
    """
    agreed = results.agreed
    u = results.utilities
    front = problem.utilities[analysis.frontier]
    nash = (problem.utilities[analysis.nash][None, :] if analysis.nash is not None
            else np.empty((0, problem.n_agents)))
    d_nash = distance_to_set(u, nash) if agreed.any() else np.array([])
    d_pareto = distance_to_set(u, front) if agreed.any() else np.array([])
    walked = {
        agent: int(np.count_nonzero(results.walked_away == a))
        for a, agent in enumerate(results.agents)
    }
    return {
        "runs": results.runs,
        "agreements": int(np.count_nonzero(agreed)),
        "agreement_rate": float(agreed.mean()) if results.runs else 0.0,
        "timeouts": int(np.count_nonzero(results.timed_out)),
        "walked_away": walked,
        "mean_rounds": float(results.rounds.mean()) if results.runs else None,
        "mean_rounds_to_agreement": _mean(results.rounds[agreed].astype(float)),
        "mean_utility": {
            agent: _mean(u[agreed, a]) for a, agent in enumerate(results.agents)
        },
        "mean_distance_to_nash": _mean(d_nash),
        "mean_distance_to_pareto": _mean(d_pareto),
    }


def run_records(results: NegotiationResults, problem: NegotiationProblem) -> list[dict[str, Any]]:
    """Per-run records for JSON: outcome as issue -> value, utilities as agent -> number."""
    records = []
    for r in range(results.runs):
        agreed = bool(results.agreed[r])
        walker = int(results.walked_away[r])
        records.append({
            "run": r,
            "agreement": agreed,
            "outcome": problem.space.describe(int(results.outcome[r])) if agreed else None,
            "utilities": {a: float(results.utilities[r, i]) for i, a in enumerate(problem.agents)}
            if agreed else None,
            "round": int(results.step[r]),
            "walked_away": problem.agents[walker] if walker >= 0 else None,
            "timed_out": bool(results.timed_out[r]),
        })
    return records
