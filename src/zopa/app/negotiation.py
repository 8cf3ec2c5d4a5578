"""Use cases ``analyze`` (the outcome space: Pareto frontier, Nash, Kalai-Smorodinsky, max
welfare) and ``negotiate`` (a batch of agent-based negotiations under a protocol)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zopa import registry
from zopa.analysis.outcomes import OutcomeAnalysis, analyse_outcomes
from zopa.app.common import AsOf, Decisions, prepare, replay
from zopa.errors import BudgetError, Interrupted, UsageError
from zopa.executors import Executor, ExecutorSettings, Span, open_executor, run_chunks, spans
from zopa.importers.genius import GeniusDomain
from zopa.params import ParamValue, parse_key_values
from zopa.progress import NO_PROGRESS, Chunk, Progress
from zopa.protocols.catalog import ProtocolSpec, StrategySpec
from zopa.protocols.results import NegotiationResults, run_records, summarise
from zopa.protocols.space import NegotiationProblem, problem_from_arrays
from zopa.protocols.strategies import Strategy
from zopa.results.base import ScenarioHeader, number
from zopa.results.negotiation import (
    NegotiationDraws,
    NegotiationResult,
    NegotiationSummary,
    OutcomeAnalysisResult,
    OutcomePoint,
    RunRecord,
)
from zopa.scenario.schema import Scenario
from zopa.seeds import as_seed_sequence, check_seed, child_sequence
from zopa.timeline.history import Timeline

MAX_RUNS = 10_000_000
"""Most negotiations one call plays."""
MAX_RECORDED_RUNS = 200_000
"""Most negotiations whose every run is listed in the result (about 1 KB each)."""
MAX_ROUNDS = 1_000_000
"""Longest deadline in rounds."""
MAX_RUN_ROUNDS = 2_000_000_000
"""Most runs x rounds one call plays (about half an hour at a million run-rounds a second)."""

NegotiationSource = Scenario | GeniusDomain
"""What a negotiation runs on: a zopa scenario, or a GENIUS domain (exact evaluation tables)."""


@dataclass(frozen=True, eq=False)
class Problem:
    """A negotiation problem with the header its results carry."""

    problem: NegotiationProblem
    header: ScenarioHeader
    resolution: int | None
    """Points per continuous issue (``None`` for a GENIUS domain: its own values)."""
    timeline: Timeline | None = None
    """For a scenario: the timeline replayed to the problem's date (for Monte Carlo draws)."""
    agents: tuple[str, ...] | None = None
    """The agents asked for (``None``: the parties)."""


def negotiation_problem(
    source: NegotiationSource,
    *,
    resolution: int = 7,
    agents: Sequence[str] | None = None,
    raw: bool = False,
    decisions: Decisions = (),
    as_of: AsOf = None,
    file: str | None = None,
) -> Problem:
    """The outcome space and every agent's utilities: from a scenario (continuous issues on
    ``resolution`` points, decisions applied) or a GENIUS domain (GENIUS-normalised unless
    ``raw``)."""
    wanted = list(agents) if agents else None
    if wanted is not None and len(set(wanted)) != len(wanted):
        twice = sorted({a for a in wanted if wanted.count(a) > 1})
        raise UsageError(f"agents named twice: {', '.join(twice)}")
    if isinstance(source, GeniusDomain):
        if decisions or as_of is not None:
            raise UsageError("decisions and as-of dates need a zopa scenario, not a GENIUS "
                             "domain")
        problem = source.problem(normalise=not raw)
        if wanted:
            idx = [problem.agent_index(a) for a in wanted]
            problem = NegotiationProblem(
                space=problem.space, agents=tuple(wanted), utilities=problem.utilities[:, idx],
                reservation=problem.reservation[idx], name=problem.name, notes=problem.notes)
        header = ScenarioHeader(title=f"GENIUS domain {problem.name}", as_of=None, file=file)
        return Problem(problem, header, resolution=None)
    if resolution < 2:
        raise UsageError(f"the resolution must be at least 2 points per issue, not {resolution}")
    run = prepare(source, decisions, file, as_of)
    problem = problem_from_arrays(run.arrays, wanted, resolution, name=source.meta.title)
    timeline, _ = replay(source, decisions, as_of)
    return Problem(problem, run.header, resolution=resolution, timeline=timeline,
                   agents=tuple(wanted) if wanted else None)


def analyze(source: Problem, *, all_outcomes: bool = False) -> OutcomeAnalysisResult:
    """Pareto frontier and bargaining points among the outcomes every agent accepts (or all
    outcomes)."""
    problem = source.problem
    analysis = _analysis(problem, all_outcomes)
    return OutcomeAnalysisResult(
        scenario=source.header,
        candidates="all" if all_outcomes else "acceptable_to_all",
        agents=list(problem.agents),
        reservation={a: number(r) for a, r in zip(problem.agents, problem.reservation,
                                                  strict=True)},
        outcome_count=analysis.outcome_count,
        candidate_count=analysis.candidate_count,
        pareto=[p for o in analysis.frontier if (p := _point(problem, int(o))) is not None],
        nash=_point(problem, analysis.nash),
        kalai_smorodinsky=_point(problem, analysis.kalai_smorodinsky),
        max_welfare=_point(problem, analysis.max_welfare),
    )


def negotiate(
    source: Problem,
    *,
    protocol: str = "sao",
    strategies: Sequence[str] = (),
    rounds: int = 100,
    runs: int = 1,
    seed: int = 0,
    reservation_noise: float = 0.0,
    keep_runs: bool = True,
    progress: Progress = NO_PROGRESS,
    samples: int = 0,
    executor: ExecutorSettings | Executor | None = None,
) -> NegotiationResult:
    """Play ``runs`` negotiations and summarise them.

    Args:
        source: the problem (:func:`negotiation_problem`).
        protocol: a protocol's registry name (``sao``, ``mediated``).
        strategies: ``NAME`` for every agent or ``AGENT=NAME`` (later ones win); a name may
            carry parameters as ``NAME:VALUE`` (the strategy's first parameter, e.g.
            ``aspiration:2``) or ``NAME:key=value;key=value``. Default: boulware for all.
        rounds: the deadline in rounds.
        runs: the number of negotiations.
        seed: runs draw from their own random streams ``(seed, run)``, whatever the batching.
        reservation_noise: standard deviation of normal noise added to each run's reservation
            values.
        keep_runs: list every run in the result (up to :data:`MAX_RECORDED_RUNS` runs); if
            false, only the summary (``runs`` is then an empty list).
        progress: hears each chunk of runs, then each chunk of draws (:mod:`zopa.progress`).
        samples: also repeat the ``runs`` negotiations on this many Monte Carlo draws of the
            scenario's declared uncertainty (a scenario only; not with reservation noise).
        executor: where chunks of runs (with several workers) and of draws run (default: in
            this process); the results are the same on any executor, every run drawing from
            its own stream.

    Raises:
        zopa.errors.Interrupted: on Ctrl-C, with the runs (or draws) done.
    """
    check_seed(seed)
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"runs must be between 1 and {MAX_RUNS:,}, not {runs:,}")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise UsageError(f"rounds must be between 1 and {MAX_ROUNDS:,}, not {rounds:,}")
    if keep_runs and runs > MAX_RECORDED_RUNS:
        raise BudgetError(f"{runs:,} runs are more than the {MAX_RECORDED_RUNS:,} that can be "
                          "listed one by one: ask for the summary only (up to "
                          f"{MAX_RUNS:,} runs)")
    if runs * rounds > MAX_RUN_ROUNDS:
        raise BudgetError(f"{runs:,} runs of up to {rounds:,} rounds exceed the limit of "
                          f"{MAX_RUN_ROUNDS:,} run-rounds (about half an hour): fewer runs or "
                          "a shorter deadline")
    if not (np.isfinite(reservation_noise) and reservation_noise >= 0):
        raise UsageError("the reservation noise must be a finite number >= 0")
    problem = source.problem
    spec: ProtocolSpec = registry.get("protocol", protocol)
    chosen, names = choose_strategies(problem, strategies)
    reservation = None
    if reservation_noise > 0:
        noise = np.random.default_rng(seed).normal(0.0, reservation_noise, (runs, problem.n_agents))
        reservation = problem.reservation + noise
    with open_executor(executor) as running:
        if running.workers > 1 and runs >= 2 * MIN_RUNS_CHUNK:
            results = _play_on(running, spec, problem, names, rounds, runs, seed, reservation,
                               progress)
        else:
            results = _play(spec, problem, chosen, rounds, runs, seed, reservation, progress)
        uncertain = _on_draws(source, spec, names, rounds, runs, seed, samples, running,
                              progress) if samples else None
    analysis = _analysis(problem)
    return NegotiationResult(
        uncertain=uncertain,
        scenario=source.header,
        protocol=spec.name,
        strategies=dict(zip(problem.agents, names, strict=True)),
        rounds=rounds,
        seed=seed,
        resolution=source.resolution,
        reservation_noise=reservation_noise,
        summary=NegotiationSummary(**summarise(results, problem, analysis)),
        nash=_point(problem, analysis.nash),
        runs=[RunRecord(**r) for r in run_records(results, problem)] if keep_runs else [],
    )


def _play(spec: ProtocolSpec, problem: NegotiationProblem, chosen: Sequence[Strategy],
          rounds: int, runs: int, seed: int, reservation: np.ndarray | None,
          progress: Progress) -> NegotiationResults:
    """The engine's batch of runs, its chunks reported to ``progress``; Ctrl-C as
    :class:`~zopa.errors.Interrupted`."""
    done = [0, 0]  # runs finished, chunks reported

    def advance(size: int) -> None:
        progress.chunk_done(Chunk(done[1], done[0], done[0] + size))
        done[0] += size
        done[1] += 1

    progress.started(runs, "runs", f"{runs:,} negotiations")
    try:
        return spec.engine(problem, chosen, n_steps=rounds, runs=runs, seed=seed,
                           reservation=reservation, chunk=max(256, runs // 20),
                           progress=advance)
    except KeyboardInterrupt:
        raise Interrupted(done[0], runs, "runs") from None
    finally:
        progress.finished()


MIN_RUNS_CHUNK = 256
"""Fewest runs a chunk of work on an executor (smaller chunks cost more to send than to play)."""


@dataclass(frozen=True, eq=False)
class _RunsJob:
    """What every chunk of a batch of runs shares."""

    problem: NegotiationProblem
    protocol: str
    names: tuple[str, ...]
    rounds: int
    seed: int
    reservation: np.ndarray | None


def _runs_chunk(job: _RunsJob, span: Span) -> NegotiationResults:
    """Runs ``span.start .. span.stop - 1`` of the batch (their own streams: ``first``)."""
    spec: ProtocolSpec = registry.get("protocol", job.protocol)
    reservation = job.reservation[span.start:span.stop] if job.reservation is not None else None
    return spec.engine(job.problem, [strategy_from_text(name) for name in job.names],
                       n_steps=job.rounds, runs=span.size, seed=job.seed,
                       reservation=reservation, chunk=max(MIN_RUNS_CHUNK, span.size // 4),
                       first=span.start)


def _play_on(executor: Executor, spec: ProtocolSpec, problem: NegotiationProblem,
             names: Sequence[str], rounds: int, runs: int, seed: int,
             reservation: np.ndarray | None, progress: Progress) -> NegotiationResults:
    """The batch of runs in chunks on ``executor`` (four chunks a worker, at least
    :data:`MIN_RUNS_CHUNK` runs each), put together by run number: the same results as
    :func:`_play`."""
    from zopa.protocols.results import build_results, run_seed

    size = max(MIN_RUNS_CHUNK, -(-runs // (4 * executor.workers)))
    agreed = np.zeros(runs, dtype=bool)
    last_offer, step, walker = (np.zeros(runs, dtype=np.int64) for _ in range(3))
    kept = np.zeros((runs, problem.n_agents))

    def keep(span: Span, part: NegotiationResults) -> None:
        cut = slice(span.start, span.stop)
        agreed[cut], last_offer[cut], step[cut] = part.agreed, part.last_offer, part.step
        walker[cut], kept[cut] = part.walked_away, part.reservation

    run_chunks(executor, _runs_chunk,
               _RunsJob(problem, spec.name, tuple(names), rounds, seed, reservation),
               spans(runs, size), keep, progress=progress, unit="runs",
               label=f"{runs:,} negotiations")
    return build_results(problem, spec.name, rounds, run_seed(seed), agreed=agreed,
                         last_offer=last_offer, step=step, walked_away=walker, reservation=kept,
                         trace=None)


@dataclass(frozen=True, eq=False)
class _DrawsJob:
    """What every chunk of negotiations on draws shares."""

    timeline: Timeline
    names: tuple[str, ...]
    protocol: str
    agents: tuple[str, ...] | None
    resolution: int
    rounds: int
    runs: int
    stream: np.random.SeedSequence
    run_streams: np.random.SeedSequence


def _draws_chunk(job: _DrawsJob, span: Span) -> tuple[int, np.ndarray, np.ndarray]:
    """Agreements, per-draw agreement rates and rational outcomes of draws ``span``."""
    from zopa.protocols.on_draws import negotiate_on_draws
    from zopa.uncertainty.draws import sample

    inputs = job.timeline.inputs
    state = job.timeline.final(sample(inputs, span.start, span.stop, job.stream)
                               if inputs else None, draws=span.size)
    found = negotiate_on_draws(
        state, [strategy_from_text(name) for name in job.names], protocol=job.protocol,
        agents=job.agents, resolution=job.resolution, n_steps=job.rounds, runs=job.runs,
        seed=job.run_streams, first=span.start)
    return int(found.agreements.sum()), found.agreement_rate, found.rational


def _on_draws(source: Problem, spec: ProtocolSpec, names: Sequence[str], rounds: int, runs: int,
              seed: int, samples: int, executor: ExecutorSettings | Executor | None = None,
              progress: Progress = NO_PROGRESS) -> NegotiationDraws:
    """``runs`` negotiations on each of ``samples`` draws of the declared uncertainty: each
    draw's utilities, red lines and reservation values (BATNAs) come from its numbers, on the
    scenario's outcome space. All draws of a chunk are played at once
    (:func:`zopa.protocols.on_draws.negotiate_on_draws`), chunks on ``executor``; draw ``d``'s
    runs get the seed ``draw_seed(child 1 of seed, d)``, the one a loop over draws would give
    ``run_sao``."""
    from zopa.app.uncertain import CHUNK, MAX_SAMPLES, SEED_STREAM

    if source.timeline is None or source.resolution is None:
        raise UsageError("Monte Carlo draws need a zopa scenario, not a GENIUS domain")
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")
    if samples * runs * rounds > MAX_RUN_ROUNDS:
        raise BudgetError(f"{samples:,} draws x {runs:,} runs x {rounds:,} rounds exceed the "
                          f"limit of {MAX_RUN_ROUNDS:,} run-rounds: fewer draws, runs or rounds")
    root = as_seed_sequence(seed)
    job = _DrawsJob(source.timeline, tuple(names), spec.name, source.agents, source.resolution,
                    rounds, runs, child_sequence(root, SEED_STREAM), child_sequence(root, 1))
    rates, acceptable = np.zeros(samples), np.zeros(samples, dtype=bool)
    agreements = [0]

    def keep(span: Span, found: tuple[int, np.ndarray, np.ndarray]) -> None:
        agreements[0] += found[0]
        rates[span.start:span.stop] = found[1]
        acceptable[span.start:span.stop] = found[2]

    with open_executor(executor) as running:
        run_chunks(running, _draws_chunk, job, spans(samples, CHUNK), keep, progress=progress,
                   unit="draws", label=f"negotiations on {samples:,} draws")
    q = np.quantile(rates, [0.05, 0.5, 0.95])
    return NegotiationDraws(
        draws=samples, runs_per_draw=runs, agreement_rate=agreements[0] / (samples * runs),
        agreement_rate_interval=[float(x) for x in q], p_any_agreement=float(np.mean(rates > 0)),
        p_acceptable_outcomes=float(np.mean(acceptable)))


def choose_strategies(problem: NegotiationProblem, specs: Sequence[str]
                      ) -> tuple[list[Strategy], list[str]]:
    """One strategy per agent from ``NAME`` / ``AGENT=NAME`` texts (see :func:`negotiate`)."""
    names = ["boulware"] * problem.n_agents
    for text in specs:
        agent, sep, name = text.partition("=")
        if sep and ":" not in agent:
            names[problem.agent_index(agent.strip())] = name.strip()
        else:
            names = [text.strip()] * problem.n_agents
    return [strategy_from_text(name) for name in names], names


def strategy_from_text(text: str) -> Strategy:
    """``boulware``, ``aspiration:2`` or ``tit-for-tat:kindness=0.5`` as a strategy."""
    base, sep, arg = text.partition(":")
    spec: StrategySpec = registry.get("strategy", base)
    params: dict[str, ParamValue | str] = {}
    if sep:
        if "=" in arg:
            params.update(parse_key_values(arg.split(";"), f"strategy {base} parameter"))
        elif spec.params:
            params[spec.params[0].name] = arg
        else:
            raise UsageError(f"strategy {base} takes no parameters")
    return spec.make(params)


def negotiation_brief_summary(results: NegotiationResults, problem: NegotiationProblem
                              ) -> NegotiationSummary:
    """The summary of a batch of runs (without the per-run records)."""
    return NegotiationSummary(**summarise(results, problem, _analysis(problem)))


def _analysis(problem: NegotiationProblem, all_outcomes: bool = False) -> OutcomeAnalysis:
    candidates = None if all_outcomes else problem.rational
    return analyse_outcomes(problem.utilities, problem.reservation, candidates)


def _point(problem: NegotiationProblem, outcome: int | None) -> OutcomePoint | None:
    if outcome is None:
        return None
    return OutcomePoint(
        outcome=problem.space.describe(outcome),
        utilities={a: number(problem.utilities[outcome, i]) for i, a in enumerate(problem.agents)},
    )
