"""Commands ``negotiate`` (SAO / mediated runs), ``analyze`` (Pareto frontier, bargaining points)
and ``import-genius`` (GENIUS domain folder -> zopa scenario)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from zopa.analysis.outcomes import OutcomeAnalysis, analyse_outcomes
from zopa.cli.common import FileArg, JsonOpt, OutputOpt, console, emit_json, err_console, guarded
from zopa.cli.common import load as load_scenario_file
from zopa.cli.decisions import DecisionOpt, with_decisions
from zopa.errors import UsageError
from zopa.files import write_atomic
from zopa.importers.genius import load_genius_folder, scenario_document
from zopa.importers.output import validated_yaml
from zopa.protocols.mediated import run_mediated
from zopa.protocols.results import (
    ANALYSIS_FORMAT,
    NEGOTIATION_FORMAT,
    NegotiationResults,
    run_records,
    summarise,
)
from zopa.protocols.sao import run_sao
from zopa.protocols.space import NegotiationProblem, problem_from_arrays
from zopa.protocols.strategies import STRATEGIES, Strategy, make_strategy
from zopa.results import number, scenario_header
from zopa.scenario.arrays import ScenarioArrays, to_arrays
from zopa.scenario.schema import Scenario

ResolutionOpt = typer.Option(7, "--resolution", min=2, help="Points per continuous issue.")
AgentsOpt = typer.Option(
    None, "--agents", "-a", help="Comma-separated agent ids (default: the parties).")
RawOpt = typer.Option(
    False, "--raw", help="GENIUS folder: raw evaluations, as NegMAS 0.16 loads them.")


def scenario_arrays(file: Path, decisions: list[str] | None = None
                    ) -> tuple[Scenario, ScenarioArrays]:
    """Read a scenario and its arrays (the place to apply changes to the scenario before a run:
    ``decisions`` are ``--decision EVENT=RESULT`` options)."""
    scenario = with_decisions(load_scenario_file(file), decisions or [])
    return scenario, to_arrays(scenario)


def load_problem(file: Path, resolution: int, agents: str | None, raw: bool = False,
                 decisions: list[str] | None = None) -> tuple[NegotiationProblem, dict[str, Any]]:
    """The one place the negotiation commands read their input: a zopa scenario file, or a
    GENIUS domain folder (exact evaluation tables, GENIUS-normalised unless ``raw``)."""
    wanted = [a.strip() for a in agents.split(",") if a.strip()] if agents else None
    if file.is_dir():
        if decisions:
            raise UsageError("--decision needs a zopa scenario, not a GENIUS folder")
        problem = load_genius_folder(file).problem(normalise=not raw)
        if wanted:
            idx = [problem.agent_index(a) for a in wanted]
            problem = NegotiationProblem(
                space=problem.space, agents=tuple(wanted), utilities=problem.utilities[:, idx],
                reservation=problem.reservation[idx], name=problem.name, notes=problem.notes)
        return problem, {"title": f"GENIUS domain {problem.name}", "as_of": None, "file": str(file)}
    scenario, arrays = scenario_arrays(file, decisions)
    problem = problem_from_arrays(arrays, wanted, resolution, name=scenario.meta.title)
    return problem, scenario_header(scenario, str(file))


def _strategies(problem: NegotiationProblem, specs: list[str]) -> tuple[list[Strategy], list[str]]:
    """``NAME`` for every agent, or ``AGENT=NAME``; ``aspiration:E`` sets the exponent."""
    names = ["boulware"] * problem.n_agents
    for spec in specs:
        agent, sep, name = spec.partition("=")
        if sep:
            names[problem.agent_index(agent.strip())] = name.strip()
        else:
            names = [spec.strip()] * problem.n_agents
    strategies = []
    for name in names:
        base, _, arg = name.partition(":")
        if arg:
            try:
                exponent = float(arg)
            except ValueError:
                raise UsageError(f"strategy {name!r}: the exponent must be a number") from None
            if not exponent > 0:
                raise UsageError(f"strategy {name!r}: the exponent must be > 0")
            strategies.append(make_strategy(base, exponent=exponent))
        else:
            strategies.append(make_strategy(base))
    return strategies, names


def _point(problem: NegotiationProblem, outcome: int | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "outcome": problem.space.describe(outcome),
        "utilities": {
            a: number(problem.utilities[outcome, i]) for i, a in enumerate(problem.agents)
        },
    }


def _analysis(problem: NegotiationProblem, all_outcomes: bool = False) -> OutcomeAnalysis:
    candidates = None if all_outcomes else problem.rational
    return analyse_outcomes(problem.utilities, problem.reservation, candidates)


def analysis_to_dict(problem: NegotiationProblem, analysis: OutcomeAnalysis) -> dict[str, Any]:
    return {
        "agents": list(problem.agents),
        "reservation": {a: number(r) for a, r in zip(problem.agents, problem.reservation,
                                                     strict=True)},
        "outcome_count": analysis.outcome_count,
        "candidate_count": analysis.candidate_count,
        "pareto": [_point(problem, int(o)) for o in analysis.frontier],
        "nash": _point(problem, analysis.nash),
        "kalai_smorodinsky": _point(problem, analysis.kalai_smorodinsky),
        "max_welfare": _point(problem, analysis.max_welfare),
    }


@guarded
def analyze(
    file: Path = FileArg,
    resolution: int = ResolutionOpt,
    agents: str | None = AgentsOpt,
    all_outcomes: bool = typer.Option(
        False, "--all-outcomes", help="Search all outcomes, not only those every agent accepts."),
    raw: bool = RawOpt,
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Pareto frontier, Nash, Kalai-Smorodinsky and max-welfare points of the outcome space."""
    problem, header = load_problem(file, resolution, agents, raw, decision)
    analysis = _analysis(problem, all_outcomes)
    data = {"format": ANALYSIS_FORMAT, "scenario": header,
            "candidates": "all" if all_outcomes else "acceptable_to_all",
            **analysis_to_dict(problem, analysis)}
    if as_json or output is not None:
        emit_json(data, output)
        return
    console.rule(f"[bold]{header['title']}[/bold] — outcome analysis")
    console.print(f"{data['outcome_count']:,} outcomes; {data['candidate_count']:,} "
                  f"{'in all' if all_outcomes else 'acceptable to every agent'}; "
                  f"{len(data['pareto'])} Pareto-optimal.")
    if not data["pareto"]:
        console.print("[red]No outcome is acceptable to every agent[/red] (no zone of agreement "
                      "on this grid); --all-outcomes analyses every outcome.")
        return
    labels = ("nash", "kalai_smorodinsky", "max_welfare")
    table = Table("", "Nash", "Kalai-Smorodinsky", "max welfare", title="Bargaining points")
    for issue in problem.space.issues:
        table.add_row(issue, *[str(data[k]["outcome"][issue]) if data[k] else "-" for k in labels])
    for agent in problem.agents:
        table.add_row(f"utility: {agent}",
                      *[_fmt(data[k]["utilities"][agent]) if data[k] else "-" for k in labels])
    console.print(table)
    front = Table("#", *problem.agents, title="Pareto frontier (by welfare)")
    for k, point in enumerate(data["pareto"][:15]):
        front.add_row(str(k + 1), *[_fmt(u) for u in point["utilities"].values()])
    console.print(front)
    if len(data["pareto"]) > 15:
        console.print(f"({len(data['pareto']) - 15} more Pareto-optimal outcomes in --json)")


def _run(problem: NegotiationProblem, protocol: str, strategies: list[Strategy], rounds: int,
         runs: int, seed: int, reservation: np.ndarray | None, show_progress: bool
         ) -> NegotiationResults:
    engine = run_sao if protocol == "sao" else run_mediated
    chunk = max(256, runs // 20)
    if not show_progress:
        return engine(problem, strategies, n_steps=rounds, runs=runs, seed=seed,
                      reservation=reservation, chunk=chunk)
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("negotiating", total=runs)
        return engine(problem, strategies, n_steps=rounds, runs=runs, seed=seed,
                      reservation=reservation, chunk=chunk,
                      progress=lambda done: bar.advance(task, done))


@guarded
def negotiate(
    file: Path = FileArg,
    protocol: str = typer.Option("sao", "--protocol", "-p", help="sao or mediated."),
    strategy: list[str] = typer.Option(
        [], "--strategy", "-s",
        help=("Strategy for all agents, or AGENT=STRATEGY (repeatable); aspiration:E sets the "
              "exponent. Known: " + ", ".join(STRATEGIES) + ". Default: boulware.")),
    rounds: int = typer.Option(100, "--rounds", "-r", min=1, help="Deadline in rounds."),
    runs: int = typer.Option(1, "--runs", "-n", min=1, help="Number of negotiations."),
    seed: int = typer.Option(0, "--seed", help="Seed of the runs' random streams."),
    reservation_noise: float = typer.Option(
        0.0, "--reservation-noise", min=0.0,
        help="Standard deviation of normal noise added to each run's reservation values."),
    resolution: int = ResolutionOpt,
    agents: str | None = AgentsOpt,
    raw: bool = RawOpt,
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Run negotiations (stacked alternating offers or mediated single text) and summarise them."""
    if protocol not in ("sao", "mediated"):
        raise UsageError(f"--protocol must be sao or mediated, not {protocol!r}")
    problem, header = load_problem(file, resolution, agents, raw, decision)
    strategies, names = _strategies(problem, strategy)
    reservation = None
    if reservation_noise > 0:
        noise = np.random.default_rng(seed).normal(0.0, reservation_noise, (runs, problem.n_agents))
        reservation = problem.reservation + noise
    quiet = as_json or output is not None
    results = _run(problem, protocol, strategies, rounds, runs, seed, reservation,
                   show_progress=not quiet and runs >= 2000)
    analysis = _analysis(problem)
    summary = summarise(results, problem, analysis)
    data = {
        "format": NEGOTIATION_FORMAT, "scenario": header, "protocol": protocol,
        "strategies": dict(zip(problem.agents, names, strict=True)), "rounds": rounds,
        "seed": seed, "resolution": None if file.is_dir() else resolution,
        "reservation_noise": reservation_noise, "summary": summary,
        "nash": _point(problem, analysis.nash), "runs": run_records(results, problem),
    }
    if quiet:
        emit_json(data, output)
        return
    _print_negotiation(problem, header, data, results)


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def _print_negotiation(problem: NegotiationProblem, header: dict[str, Any], data: dict[str, Any],
                       results: NegotiationResults) -> None:
    s = data["summary"]
    console.rule(f"[bold]{header['title']}[/bold] — {data['protocol']}, {s['runs']} run(s)")
    table = Table("measure", "value", title="Summary")
    table.add_row("agreement rate", f"{s['agreement_rate']:.1%} ({s['agreements']} of {s['runs']})")
    table.add_row("timeouts", str(s["timeouts"]))
    for agent, count in s["walked_away"].items():
        if count:
            table.add_row(f"walked away: {agent}", str(count))
    table.add_row("mean rounds", _fmt(s["mean_rounds"], ".1f"))
    table.add_row("mean rounds to agreement", _fmt(s["mean_rounds_to_agreement"], ".1f"))
    for agent, value in s["mean_utility"].items():
        table.add_row(f"mean utility: {agent} ({data['strategies'][agent]})", _fmt(value))
    table.add_row("mean distance to Nash point", _fmt(s["mean_distance_to_nash"]))
    table.add_row("mean distance to Pareto frontier", _fmt(s["mean_distance_to_pareto"]))
    console.print(table)
    if results.runs == 1:
        record = data["runs"][0]
        if record["agreement"]:
            deal = Table("issue", "agreement", "Nash point",
                         title=f"Agreed in round {record['round']}")
            nash = data["nash"]["outcome"] if data["nash"] else {}
            for issue, value in record["outcome"].items():
                deal.add_row(issue, str(value), str(nash.get(issue, "-")))
            console.print(deal)
        elif record["walked_away"]:
            console.print(f"{record['walked_away']} walked away in round {record['round']}.")
        else:
            console.print(f"No agreement by the deadline ({data['rounds']} rounds).")


@guarded
def import_genius(
    folder: Path = typer.Argument(..., help="GENIUS domain folder (domain + profile XML files)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Scenario file to write."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Scenario date (YYYY-MM-DD; default today)."),
) -> None:
    """Convert a GENIUS domain to a zopa scenario (ideal = best option, salience = weight)."""
    try:
        date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise UsageError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}") from None
    domain = load_genius_folder(folder)
    text = validated_yaml(
        scenario_document(domain, date),
        str(folder),
        f"# Imported from GENIUS folder {domain.name} by `zopa import-genius`.\n"
        "# Approximation: see meta.description; exact tables in each position's note.\n",
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    write_atomic(output, text)
    err_console.print(f"wrote {output} ({len(domain.profiles)} parties, "
                      f"{len(domain.issues)} issues, {domain.n_outcomes:,} outcomes)", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(negotiate)
    app.command()(analyze)
    app.command("import-genius")(import_genius)
