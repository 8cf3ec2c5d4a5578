"""Commands ``forecast`` (any registered model) and ``zone`` (ZOPA analysis): arguments in,
:func:`zopa.app.forecast` / :func:`zopa.app.zone` called, the typed result rendered."""

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
    ParamOpt,
    SamplesOpt,
    SeedOpt,
    StoreOpt,
    WorkersOpt,
    console,
    deliver,
    executor_settings,
    guarded,
    key_values,
    load,
    new_table,
    split_ids,
)

if TYPE_CHECKING:
    from zopa.results.base import IssueInfo
    from zopa.results.forecast import ForecastResult, ZoneIssue, ZoneResult, ZoneSummary
    from zopa.results.grid import ForecastGridResult


@guarded
def forecast(
    file: Path = FileArg,
    model: str = typer.Option(
        "compromise", "--model", "-m", help="Model name: " + ", ".join(registry.names("model"))
    ),
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=0, help="Rounds (dynamic models)."
    ),
    param: list[str] = ParamOpt,
    seed: int | None = SeedOpt,
    samples: int = SamplesOpt,
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    grid: list[str] = typer.Option(
        [], "--grid", metavar="PARAM=A,B,C",
        help="Forecast at every value of a model parameter (repeatable: every combination); "
             "the points run on the executor."),
    executor: str = ExecutorOpt,
    workers: int | None = WorkersOpt,
    address: str | None = AddressOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Forecast a negotiation with one model; compare with the Nash solution and the ZOPA."""
    from zopa import app
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    quiet = as_json or output is not None
    scenario, params = load(file), key_values(param, "--param")
    decisions = key_values(decision, "--decision")
    with watching("forecast", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        if grid:
            found = app.forecast_grid(
                scenario, app.parse_grid(grid), model=model, params=params, rounds=rounds,
                seed=seed, decisions=decisions, as_of=as_of, samples=samples, file=str(file),
                executor=settings, progress=progress)
        else:
            result = app.forecast(
                scenario, model=model, params=params, rounds=rounds, seed=seed,
                decisions=decisions, as_of=as_of, samples=samples, file=str(file),
                executor=settings, progress=progress)
    if grid:
        deliver(found, as_json=as_json, output=output, command="forecast", render=render_grid,
                store=store, no_store=no_store, scenario_file=file)
    else:
        deliver(result, as_json=as_json, output=output, command="forecast",
                render=render_forecast, store=store, no_store=no_store, scenario_file=file)


def render_grid(result: ForecastGridResult) -> None:
    """One row a grid point: its parameters and the forecast per issue (with P(ZOPA) when
    there were draws)."""
    console.rule(f"[bold]{result.scenario.title}[/bold] — {result.model} over a grid of "
                 f"{len(result.points)} points")
    info = result.points[0].forecast.issue_info if result.points else []
    table = new_table(*result.grid, *(i.name for i in info),
                      *(["P(ZOPA)"] if result.samples else []),
                      title="Forecast at each grid point")
    from zopa.cli.timeline import probability

    for point in result.points:
        f = point.forecast
        table.add_row(*point.parameters.values(),
                      *(i.label(f.outcome[i.id].value) for i in info),
                      *([probability(f.uncertain.p_zopa)] if f.uncertain else []))
    console.print(table)


def render_forecast(result: ForecastResult) -> None:
    """The forecast per issue beside Nash and the ZOPA, each party's verdict, the ZOPA summary."""
    console.rule(f"[bold]{result.scenario.title}[/bold] — {result.title}")
    from zopa.cli.timeline import probability, value_with_range

    u = result.uncertain
    table = new_table(
        "issue", "forecast" if u is None else "forecast: median (5-95 %)", "Nash solution",
        "ZOPA (all parties accept)", title="Outcome per issue"
    )
    zone = result.zone
    for info in result.issue_info:
        nash = result.nash.outcome[info.id] if result.nash else None
        table.add_row(
            info.name,
            value_with_range(info, result.outcome[info.id].value, u)
            if result.reason is None else "none",
            info.label(nash) if result.nash is None or result.nash.reason is None else "none",
            _zone_span(info, zone.issues[info.id]) if zone else "-",
        )
    console.print(table)
    if len(result.rounds) > 1:
        console.print(
            f"{len(result.rounds) - 1} rounds simulated; the forecast is the outcome after the "
            "last round."
        )
    if result.evaluation is not None:
        ev = new_table("party", "utility", "BATNA", "surplus", "red lines", "accepts?",
                   title="The forecast for each party")
        for actor, e in result.evaluation.items():
            violation = e.red_line_violation or 0.0
            ev.add_row(
                actor, f"{e.utility:.3f}", f"{e.batna:.3f}", f"{e.surplus:+.3f}",
                "kept" if violation <= 1e-9 else f"crossed by {violation:.3f}",
                "[green]yes[/green]" if e.acceptable else "[red]no[/red]",
            )
        console.print(ev)
    for link, verdict in (result.links or {}).items():
        if not verdict.kept:
            console.print(f"[red]Link broken[/red]: the forecast breaks link {link} by "
                          f"{verdict.broken_by or 0.0:.4g}.", highlight=False)
    if zone is not None:
        render_zone_summary(zone)
    if u is not None:
        accepts = ", ".join(f"{a} {probability(p)}" for a, p in u.p_accept.items())
        console.print(
            f"Over {u.draws:,} draws of the declared uncertainty (seed {result.seed}): "
            f"P(ZOPA) = {probability(u.p_zopa)}; P(accepts the forecast): {accepts}.",
            highlight=False)
    if result.reason is not None:
        console.print(f"No forecast: {result.reason}.", highlight=False)
    elif result.nash is not None and result.nash.reason is not None:
        console.print(f"No Nash solution: {result.nash.reason}.", highlight=False)
    if result.nash is not None and result.nash.distance is not None and result.model != "nash":
        console.print(
            f"Distance of this forecast from the Nash solution: {result.nash.distance:.3f} "
            "(root-mean-square over issues, each scale normalised to 0-1)."
        )


def _zone_span(info: IssueInfo, z: ZoneIssue) -> str:
    if not z.empty:
        return f"{info.label(z.low)} .. {info.label(z.high)}"
    return f"empty  ({', '.join(z.low_set_by)} vs {', '.join(z.high_set_by)})"


def render_zone_summary(zone: ZoneSummary) -> None:
    """One line if a ZOPA exists; otherwise each member's shortfall at the closest package."""
    members = ", ".join(zone.members)
    if zone.feasible:
        console.print(
            f"[green]ZOPA exists[/green] for {members}: the most balanced acceptable package "
            f"leaves every party at least {zone.margin or 0.0:.3f} above its BATNA."
        )
        return
    if zone.links_conflict:
        console.print("The red lines leave room on every issue, but no package within them "
                      "keeps the scenario's links.")
    console.print(f"[red]No ZOPA[/red] for {members}. The closest package falls short:")
    for actor, m in zone.members_at_package.items():
        console.print(
            f"  {actor}: {m.shortfall or 0.0:.3f} below its BATNA, "
            f"red lines crossed by {m.red_line_violation or 0.0:.3f}"
        )


@guarded
def zone(
    file: Path = FileArg,
    actors: str | None = typer.Option(
        None, "--actors", "-a", help="Comma-separated actor ids (default: the parties)."
    ),
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    samples: int = SamplesOpt,
    seed: int | None = SeedOpt,
    executor: str = ExecutorOpt,
    workers: int | None = WorkersOpt,
    address: str | None = AddressOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Zone of possible agreement: per issue, and across issues given red lines and BATNAs."""
    from zopa import app
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    scenario = load(file)
    quiet = as_json or output is not None
    with watching("zone", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.zone(scenario, actors=split_ids(actors),
                          decisions=key_values(decision, "--decision"), as_of=as_of,
                          samples=samples, seed=seed, file=str(file), executor=settings,
                          progress=progress)
    deliver(result, as_json=as_json, output=output, command="zone",
            render=lambda r: render_zone(r, seed),
            store=store, no_store=no_store, scenario_file=file)


def render_zone(result: ZoneResult, seed: int | None) -> None:
    """The zone per issue, whose red lines bound it, the package, the summary and P(ZOPA)."""
    table = new_table("issue", "acceptable to all", "lower end set by", "upper end set by",
                  "closest/balanced package", title=f"ZOPA of {', '.join(result.members)}")
    for info in result.issue_info:
        z = result.issues[info.id]
        table.add_row(
            info.name,
            "empty" if z.empty else f"{info.label(z.low)} .. {info.label(z.high)}",
            ", ".join(z.low_set_by) or "-",
            ", ".join(z.high_set_by) or "-",
            info.label(result.package[info.id]),
        )
    console.print(table)
    render_zone_summary(result)
    if result.uncertain is not None:
        from zopa.cli.timeline import probability

        console.print(f"Over {result.uncertain.draws:,} draws of the declared uncertainty (seed "
                      f"{seed}): P(ZOPA) = {probability(result.uncertain.p_zopa)}.",
                      highlight=False)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command()(forecast)
    app.command()(zone)
