"""Commands on scenario files: ``validate``, ``show``, ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from zopa.cli.common import AsOfOpt, console, err_console, guarded, load, new_table
from zopa.errors import ScenarioError
from zopa.inputs import printable


def validate(
    files: list[Path] = typer.Argument(..., help="Scenario files to check.", show_default=False),
    warnings: bool = typer.Option(
        False,
        "--warnings",
        "-w",
        help="Also list numbers that cite no source and are not marked as estimates, and "
             "effects that nothing reads.",
    ),
) -> None:
    """Check scenario files; print every problem as FILE:LINE: field: message (exit 2 if any)."""
    from zopa.scenario.check_timeline import unread_effects
    from zopa.scenario.checks import unsourced
    from zopa.scenario.document import format_path

    failed = False
    for file in files:
        try:
            scenario = load(file)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                err_console.print(str(problem), markup=False)
            continue
        missing = unsourced(scenario)
        # plain lines, never wrapped: other programs read them
        typer.echo(printable(
            f"{file}: ok ({len(scenario.actors)} actors, {len(scenario.issues)} issues, "
            f"{len(scenario.events)} events, {len(missing)} unsourced numbers)"
        ))
        if warnings:
            for path in missing:
                typer.echo(printable(
                    f"{file}: {format_path(path)}: warning: no source and not an estimate"))
            for path, message in unread_effects(scenario):
                typer.echo(printable(f"{file}: {format_path(path)}: warning: {message}"))
    if failed:
        raise typer.Exit(2)


@guarded
def show(
    file: Path = typer.Argument(..., help="Scenario file.", show_default=False),
    as_of: str | None = AsOfOpt,
) -> None:
    """Print a scenario readably: actors, issues, positions, relations, bodies, events."""
    s = load(file)
    if as_of is not None:
        from zopa.app.common import scenario_at

        s = scenario_at(s, as_of)
    console.rule(f"[bold]{s.meta.title}[/bold]  (as of {s.meta.as_of})")
    if s.meta.description:
        console.print(s.meta.description.strip())
    actors = new_table("id", "name", "kind", "role", "capability", "BATNA", title="Actors")
    for a in s.actors:
        actors.add_row(
            a.id,
            a.name,
            a.kind.value,
            a.role.value,
            f"{a.capability.value:g}",
            f"{a.batna.value:.2f}",
        )
    console.print(actors)
    issues = new_table("id", "name", "scale", "unit", title="Issues")
    for i in s.issues:
        scale = " < ".join(i.options) if i.options else f"{i.bounds[0]:g} .. {i.bounds[1]:g}"
        issues.add_row(i.id, i.name, scale, i.unit)
    console.print(issues)
    positions = new_table(
        "actor", *[i.id for i in s.issues], title="Positions: ideal (salience) [red line]"
    )
    for a in s.actors:
        stances = s.positions.get(a.id, {})
        cells = []
        for i in s.issues:
            p = stances.get(i.id)
            if p is None:
                cells.append("-")
                continue
            red = f" [{p.red_line}]" if p.red_line is not None else ""
            arrow = {"more": " ↑", "less": " ↓"}.get(p.prefers.value if p.prefers else "", "")
            cells.append(f"{p.ideal}{arrow} ({p.salience:.2f}){red}")
        positions.add_row(a.id, *cells)
    console.print(positions, markup=False)
    if s.relations:
        rel = new_table("from", "to", "kind", "strength", title="Relations")
        for r in s.relations:
            rel.add_row(r.source_actor, r.target, r.kind.value, f"{r.strength:.2f}")
        console.print(rel)
    for b in s.bodies:
        veto = f", veto: {', '.join(b.rule.veto)}" if b.rule.veto else ""
        console.print(
            f"[bold]Body {b.id}[/bold] {b.name}: {len(b.members)} members, quota {b.rule.quota:g} "
            f"({b.rule.basis.value}){veto}"
        )
    if s.events:
        ev = new_table("date", "id", "type", "title", title="Events")
        for e in sorted(s.events, key=lambda e: e.date):
            ev.add_row(e.date.isoformat(), e.id, e.type.value, e.title)
        console.print(ev)


@guarded
def schema(
    result: str | None = typer.Option(
        None, "--result", metavar="KIND",
        help="The JSON Schema of a result format instead: forecast, zone, outcomes, "
             "negotiation, power, vote-outcome, vote, decision-comparison, plugins, timeline, "
             "compare, sensitivity."),
) -> None:
    """Print the JSON Schema of the scenario format (for editors), or of a result's JSON."""
    if result is not None:
        from zopa.results import result_schema

        typer.echo(json.dumps(result_schema(result), indent=2))
        return
    from zopa.scenario.schema import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command()(validate)
    app.command()(show)
    app.command()(schema)
