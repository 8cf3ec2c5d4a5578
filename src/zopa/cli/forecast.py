"""Commands ``forecast`` (any registered model) and ``zone`` (ZOPA analysis)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from zopa.analysis.zone import analyse_zone
from zopa.cli.common import FileArg, JsonOpt, OutputOpt, console, emit_json, guarded, load
from zopa.cli.decisions import DecisionOpt, with_decisions
from zopa.errors import UsageError
from zopa.models.base import get_model, make_model, model_names
from zopa.results import forecast_to_dict, scenario_header, zone_to_dict
from zopa.scenario.arrays import ScenarioArrays, to_arrays


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes key=value, not {pair!r}")
        params[key.strip()] = value.strip()
    return params


def _split_ids(text: str | None) -> list[str] | None:
    return [a.strip() for a in text.split(",") if a.strip()] if text else None


@guarded
def forecast(
    file: Path = FileArg,
    model: str = typer.Option(
        "compromise", "--model", "-m", help="Model name: " + ", ".join(model_names())
    ),
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=0, help="Rounds (dynamic models)."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Model parameter key=value (repeatable)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the model's random numbers."),
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Forecast a negotiation with one model; compare with the Nash solution and the ZOPA."""
    scenario = with_decisions(load(file), decision)
    arrays = to_arrays(scenario)
    runner = make_model(model, _parse_params(param))
    result = runner.run(arrays, rounds=rounds, seed=seed)
    nash = result if model == "nash" else make_model("nash").run(arrays)
    zone = analyse_zone(arrays)
    cls = get_model(model)
    data = forecast_to_dict(
        result,
        arrays,
        header=scenario_header(scenario, str(file)),
        title=cls.title,
        reference=cls.reference,
        seed=seed,
        nash=nash,
        zone=zone,
    )
    if as_json or output is not None:
        emit_json(data, output)
        return
    _print_forecast(data, arrays)


def _fmt(arrays: ScenarioArrays, j: int, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return arrays.label(j, value)


def _print_forecast(data: dict[str, Any], arrays: ScenarioArrays) -> None:
    console.rule(f"[bold]{data['scenario']['title']}[/bold] — {data['title']}")
    rounds = data["rounds"]
    table = Table(
        "issue", "forecast", "Nash solution", "ZOPA (all parties accept)", title="Outcome per issue"
    )
    zone = data["zone"]
    for j, issue in enumerate(arrays.issue_ids):
        z = zone["issues"][issue]
        zone_text = (
            "empty"
            if z["empty"]
            else f"{_fmt(arrays, j, z['low'])} .. {_fmt(arrays, j, z['high'])}"
        )
        if z["empty"]:
            zone_text += f"  ({', '.join(z['low_set_by'])} vs {', '.join(z['high_set_by'])})"
        table.add_row(
            arrays.issue_names[j],
            _fmt(arrays, j, data["outcome"][issue]["value"]),
            _fmt(arrays, j, data["nash"]["outcome"][issue]),
            zone_text,
        )
    console.print(table)
    if len(rounds) > 1:
        console.print(
            f"{len(rounds) - 1} rounds simulated; the forecast is the outcome after the last round."
        )
    if data["evaluation"] is not None:
        ev = Table(
            "party",
            "utility",
            "BATNA",
            "surplus",
            "red lines",
            "accepts?",
            title="The forecast for each party",
        )
        for actor, e in data["evaluation"].items():
            ev.add_row(
                actor,
                f"{e['utility']:.3f}",
                f"{e['batna']:.3f}",
                f"{e['surplus']:+.3f}",
                "kept"
                if e["red_line_violation"] <= 1e-9
                else f"crossed by {e['red_line_violation']:.3f}",
                "[green]yes[/green]" if e["acceptable"] else "[red]no[/red]",
            )
        console.print(ev)
    _print_zone_summary(zone)
    if data["nash"]["distance"] is not None and data["model"] != "nash":
        console.print(
            f"Distance of this forecast from the Nash solution: {data['nash']['distance']:.3f} "
            "(root-mean-square over issues, each scale normalised to 0-1)."
        )


def _print_zone_summary(zone: dict[str, Any]) -> None:
    members = ", ".join(zone["members"])
    if zone["feasible"]:
        console.print(
            f"[green]ZOPA exists[/green] for {members}: the most balanced acceptable package "
            "leaves every "
            f"party at least {zone['margin']:.3f} above its BATNA."
        )
        return
    console.print(f"[red]No ZOPA[/red] for {members}. The closest package falls short:")
    for actor, m in zone["members_at_package"].items():
        console.print(
            f"  {actor}: {m['shortfall']:.3f} below its BATNA, "
            f"red lines crossed by {m['red_line_violation']:.3f}"
        )


@guarded
def zone(
    file: Path = FileArg,
    actors: str | None = typer.Option(
        None, "--actors", "-a", help="Comma-separated actor ids (default: the parties)."
    ),
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Zone of possible agreement: per issue, and across issues given red lines and BATNAs."""
    scenario = with_decisions(load(file), decision)
    arrays = to_arrays(scenario)
    analysis = analyse_zone(arrays, _split_ids(actors))
    data = {
        "format": "zopa.zone/1",
        "scenario": scenario_header(scenario, str(file)),
        **zone_to_dict(analysis, arrays),
    }
    if as_json or output is not None:
        emit_json(data, output)
        return
    table = Table(
        "issue",
        "acceptable to all",
        "lower end set by",
        "upper end set by",
        "closest/balanced package",
        title=f"ZOPA of {', '.join(analysis.members)}",
    )
    for j, z in enumerate(analysis.issues):
        span = "empty" if z.empty else f"{_fmt(arrays, j, z.low)} .. {_fmt(arrays, j, z.high)}"
        table.add_row(
            arrays.issue_names[j],
            span,
            ", ".join(z.low_set_by) or "-",
            ", ".join(z.high_set_by) or "-",
            _fmt(arrays, j, float(analysis.package[j])),
        )
    console.print(table)
    _print_zone_summary(data)


def register(app: typer.Typer) -> None:
    app.command()(forecast)
    app.command()(zone)
