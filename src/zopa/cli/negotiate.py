"""Commands ``negotiate`` (SAO / mediated runs) and ``analyze`` (Pareto frontier, bargaining
points) on a scenario or a GENIUS domain folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zopa import registry
from zopa.cli.common import (
    AddressOpt,
    AsOfOpt,
    DecisionOpt,
    ExecutorOpt,
    FileArg,
    JsonOpt,
    NoStoreOpt,
    OutputOpt,
    StoreOpt,
    WorkersOpt,
    console,
    deliver,
    executor_settings,
    fmt,
    guarded,
    key_values,
    load,
    new_table,
    split_ids,
)

if TYPE_CHECKING:
    from zopa.app.negotiation import Problem
    from zopa.results.negotiation import NegotiationResult, OutcomeAnalysisResult

ResolutionOpt = typer.Option(7, "--resolution", min=2, help="Points per continuous issue.")
AgentsOpt = typer.Option(
    None, "--agents", "-a", help="Comma-separated agent ids (default: the parties).")
RawOpt = typer.Option(
    False, "--raw", help="GENIUS folder: raw evaluations, as NegMAS 0.16 loads them.")


def load_problem(file: Path, resolution: int, agents: str | None, raw: bool = False,
                 decisions: list[str] | None = None, as_of: str | None = None) -> Problem:
    """The negotiation problem of a scenario file or a GENIUS domain folder."""
    from zopa.app import negotiation_problem
    from zopa.importers.genius import load_genius_folder

    source = load_genius_folder(file) if file.is_dir() else load(file)
    return negotiation_problem(source, resolution=resolution, agents=split_ids(agents), raw=raw,
                               decisions=key_values(decisions or [], "--decision"),
                               as_of=as_of, file=str(file))


@guarded
def analyze(
    file: Path = FileArg,
    resolution: int = ResolutionOpt,
    agents: str | None = AgentsOpt,
    all_outcomes: bool = typer.Option(
        False, "--all-outcomes", help="Search all outcomes, not only those every agent accepts."),
    raw: bool = RawOpt,
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Pareto frontier, Nash, Kalai-Smorodinsky and max-welfare points of the outcome space."""
    from zopa import app

    result = app.analyze(load_problem(file, resolution, agents, raw, decision, as_of),
                         all_outcomes=all_outcomes)
    deliver(result, as_json=as_json, output=output, command="analyze",
            render=render_analysis,
            store=store, no_store=no_store, scenario_file=file)


def render_analysis(result: OutcomeAnalysisResult) -> None:
    """The bargaining points and the Pareto frontier."""
    console.rule(f"[bold]{result.scenario.title}[/bold] — outcome analysis")
    everything = result.candidates == "all"
    console.print(f"{result.outcome_count:,} outcomes; {result.candidate_count:,} "
                  f"{'in all' if everything else 'acceptable to every agent'}; "
                  f"{len(result.pareto)} Pareto-optimal.")
    if not result.pareto:
        console.print("[red]No outcome is acceptable to every agent[/red] (no zone of agreement "
                      "on this grid); --all-outcomes analyses every outcome.")
        return
    points = (result.nash, result.kalai_smorodinsky, result.max_welfare)
    table = new_table("", "Nash", "Kalai-Smorodinsky", "max welfare", title="Bargaining points")
    for issue in result.pareto[0].outcome:
        table.add_row(issue, *[str(p.outcome[issue]) if p else "-" for p in points])
    for agent in result.agents:
        table.add_row(f"utility: {agent}", *[fmt(p.utilities[agent]) if p else "-"
                                             for p in points])
    console.print(table)
    front = new_table("#", *result.agents, title="Pareto frontier (by welfare)")
    for k, point in enumerate(result.pareto[:15]):
        front.add_row(str(k + 1), *[fmt(u) for u in point.utilities.values()])
    console.print(front)
    if len(result.pareto) > 15:
        console.print(f"({len(result.pareto) - 15} more Pareto-optimal outcomes in --json)")


@guarded
def negotiate(
    file: Path = FileArg,
    protocol: str = typer.Option(
        "sao", "--protocol", "-p", help="Protocol: " + ", ".join(registry.names("protocol"))),
    strategy: list[str] = typer.Option(
        [], "--strategy", "-s",
        help=("Strategy for all agents, or AGENT=STRATEGY (repeatable); NAME:VALUE sets its "
              "first parameter (aspiration:2), NAME:key=value;key=value any. Known: "
              + ", ".join(registry.names("strategy")) + ". Default: boulware.")),
    rounds: int = typer.Option(100, "--rounds", "-r", min=1, help="Deadline in rounds."),
    runs: int = typer.Option(1, "--runs", "-n", min=1, help="Number of negotiations."),
    seed: int = typer.Option(0, "--seed", help="Seed of the runs' random streams."),
    samples: int = typer.Option(
        0, "--samples", min=0,
        help="Also repeat the runs on this many Monte Carlo draws of the declared uncertainty."),
    reservation_noise: float = typer.Option(
        0.0, "--reservation-noise", min=0.0,
        help="Standard deviation of normal noise added to each run's reservation values."),
    summary_only: bool = typer.Option(
        False, "--summary-only", help="Only the summary, not every run (up to 10 million runs)."),
    resolution: int = ResolutionOpt,
    agents: str | None = AgentsOpt,
    raw: bool = RawOpt,
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    executor: str = ExecutorOpt,
    workers: int | None = WorkersOpt,
    address: str | None = AddressOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Run negotiations (stacked alternating offers or mediated single text) and summarise them."""
    from zopa import app
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    problem = load_problem(file, resolution, agents, raw, decision, as_of)
    quiet = as_json or output is not None
    with watching("negotiate", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.negotiate(problem, protocol=protocol, strategies=strategy, rounds=rounds,
                               runs=runs, seed=seed, reservation_noise=reservation_noise,
                               keep_runs=not summary_only, progress=progress, samples=samples,
                               executor=settings)
    deliver(result, as_json=as_json, output=output, command="negotiate",
            render=render_negotiation,
            store=store, no_store=no_store, scenario_file=file)


def render_negotiation(result: NegotiationResult) -> None:
    """The summary table, and the deal of a single run."""
    s = result.summary
    console.rule(f"[bold]{result.scenario.title}[/bold] — {result.protocol}, {s.runs} run(s)")
    table = new_table("measure", "value", title="Summary")
    table.add_row("agreement rate", f"{s.agreement_rate:.1%} ({s.agreements} of {s.runs})")
    table.add_row("timeouts", str(s.timeouts))
    for agent, count in s.walked_away.items():
        if count:
            table.add_row(f"walked away: {agent}", str(count))
    table.add_row("mean rounds", fmt(s.mean_rounds, ".1f"))
    table.add_row("mean rounds to agreement", fmt(s.mean_rounds_to_agreement, ".1f"))
    for agent, value in s.mean_utility.items():
        table.add_row(f"mean utility: {agent} ({result.strategies[agent]})", fmt(value))
    table.add_row("mean distance to Nash point", fmt(s.mean_distance_to_nash))
    table.add_row("mean distance to Pareto frontier", fmt(s.mean_distance_to_pareto))
    u = result.uncertain
    if u is not None:
        lo, _, hi = u.agreement_rate_interval
        table.add_row(f"over {u.draws:,} draws: agreement rate",
                      f"{u.agreement_rate:.1%} (per draw {lo:.0%} .. {hi:.0%})")
        table.add_row("draws with any agreement", f"{u.p_any_agreement:.0%}")
        table.add_row("draws with an outcome all prefer to no deal",
                      f"{u.p_acceptable_outcomes:.0%}")
    console.print(table)
    if s.runs != 1 or not result.runs:
        return
    record = result.runs[0]
    if record.agreement and record.outcome is not None:
        deal = new_table("issue", "agreement", "Nash point",
                         title=f"Agreed in round {record.round}")
        for issue, agreed in record.outcome.items():
            at_nash = result.nash.outcome.get(issue, "-") if result.nash else "-"
            deal.add_row(issue, str(agreed), str(at_nash))
        console.print(deal)
    elif record.walked_away:
        console.print(f"{record.walked_away} walked away in round {record.round}.")
    else:
        console.print(f"No agreement by the deadline ({result.rounds} rounds).")


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command()(negotiate)
    app.command()(analyze)
