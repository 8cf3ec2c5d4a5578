"""Commands ``timeline`` (the scenario event by event) and ``compare`` (timelines of branches
side by side): arguments in, :func:`zopa.app.timeline` / :func:`zopa.app.compare` called, the
typed result rendered."""

from __future__ import annotations

import math
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
)

if TYPE_CHECKING:
    from zopa.results.base import IssueInfo
    from zopa.results.sensitivity import SensitivityResultRecord
    from zopa.results.timeline import (
        Change,
        CompareResult,
        Estimate,
        Interval,
        PointState,
        TimelineResult,
        UncertainState,
    )
    from zopa.scenario.schema import Scenario

BranchesOpt = typer.Option(
    None, "--branches", metavar="FILE",
    help="A file of more branches (branches: [...], as in a scenario).")
ModelOpt = typer.Option(
    "compromise", "--model", "-m", help="Model name: " + ", ".join(registry.names("model")))
GapDrawsOpt = typer.Option(
    0, "--gap-draws", min=0, metavar="K",
    help="Also the gap's 5-95 % range over the first K draws (a linear program each: about "
         "5 ms a draw and date).")
MAX_MOVES_SHOWN = 6
"""Changes listed per event in the table (the JSON has all)."""


@guarded
def timeline(
    file: Path = FileArg,
    branch: str | None = typer.Option(
        None, "--branch", "-b", help="A branch of the scenario (default: the recorded history)."),
    branches: Path | None = BranchesOpt,
    model: str = ModelOpt,
    param: list[str] = ParamOpt,
    rounds: int | None = typer.Option(None, "--rounds", "-r", min=0, help="Rounds (dynamic "
                                      "models)."),
    samples: int = SamplesOpt,
    seed: int | None = SeedOpt,
    gap_draws: int = GapDrawsOpt,
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
    """The events in order, what each moved, and after each: ZOPA?, shortfalls, forecast."""
    from zopa import app
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    scenario = _with_branches(load(file), branches)
    quiet = as_json or output is not None
    with watching("timeline", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.timeline(
            scenario, branch=branch, decisions=key_values(decision, "--decision"), as_of=as_of,
            model=model, params=key_values(param, "--param"), rounds=rounds, samples=samples,
            seed=seed, gap_draws=gap_draws, file=str(file), executor=settings,
            progress=progress)
    deliver(result, as_json=as_json, output=output, command="timeline",
            render=render_timeline,
            store=store, no_store=no_store, scenario_file=file)


@guarded
def compare(
    file: Path = FileArg,
    branch: list[str] = typer.Option(
        [], "--branch", "-b",
        help="A branch to compare (repeatable; 'history' is the recorded one; default: "
             "history and every branch of the scenario)."),
    branches: Path | None = BranchesOpt,
    model: str = ModelOpt,
    param: list[str] = ParamOpt,
    rounds: int | None = typer.Option(None, "--rounds", "-r", min=0, help="Rounds (dynamic "
                                      "models)."),
    samples: int = SamplesOpt,
    seed: int | None = SeedOpt,
    gap_draws: int = GapDrawsOpt,
    as_of: str | None = AsOfOpt,
    executor: str = ExecutorOpt,
    workers: int | None = WorkersOpt,
    address: str | None = AddressOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Timelines of branches side by side (e.g. history vs. a US veto): the answers by date."""
    from zopa import app
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    scenario = _with_branches(load(file), branches)
    names = branch or ["history", *(b.id for b in scenario.branches)]
    quiet = as_json or output is not None
    with watching("compare", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.compare(scenario, names, as_of=as_of, model=model,
                             params=key_values(param, "--param"), rounds=rounds,
                             samples=samples, seed=seed, gap_draws=gap_draws, file=str(file),
                             executor=settings, progress=progress)
    deliver(result, as_json=as_json, output=output, command="compare",
            render=render_compare,
            store=store, no_store=no_store, scenario_file=file)


def render_compare(result: CompareResult) -> None:
    """The branches' answers by date, and their forecasts on the last date."""
    console.rule(f"[bold]{result.scenario.title}[/bold] — branches compared ({result.model})")
    for t in result.timelines:
        if t.branch_title:
            console.print(f"[bold]{t.branch}[/bold]: {t.branch_title}", highlight=False)
    table = new_table("date", *result.branches,
                      title="ZOPA? (no: the gap; yes: the margin) at the end of each date")
    for row in result.dates:
        cells = []
        for name in result.branches:
            uncertain = row.uncertain.get(name) if row.uncertain else None
            cells.append(_answer(row.states[name], uncertain))
        table.add_row(row.date, *cells)
    console.print(table)
    last = result.dates[-1]
    forecast = new_table("issue", *result.branches, title=f"Forecast on {last.date}")
    for info in result.issue_info:
        forecast.add_row(info.name, *[
            value_with_range(info, last.states[n].forecast[info.id],
                   last.uncertain.get(n) if last.uncertain else None)
            for n in result.branches])
    console.print(forecast)
    _note(result.timelines[0])


@guarded
def sensitivity(
    file: Path = FileArg,
    output_name: str = typer.Option(
        ..., "--output", metavar="OUTPUT",
        help="What to explain: zopa (1 if a ZOPA exists), gap, shortfall:PARTY or "
             "forecast:ISSUE."),
    method: str = typer.Option("morris", "--method", help="morris (screening) or sobol."),
    samples: int | None = typer.Option(
        None, "--samples", "-n", min=1,
        help="Morris trajectories (default 20) or Sobol base points (default 1024)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the design."),
    branch: str | None = typer.Option(None, "--branch", "-b", help="A branch of the scenario."),
    branches: Path | None = BranchesOpt,
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD",
        help="The date of the answer (default: after the last event)."),
    model: str = ModelOpt,
    param: list[str] = ParamOpt,
    top: int = typer.Option(15, "--top", min=1, help="Drivers shown in the table."),
    as_json: bool = JsonOpt,
    output: Path | None = typer.Option(
        None, "-o", "--save", help="Write the JSON result to this file (atomically)."),
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Rank the declared uncertain inputs by their influence on an answer (Sobol or Morris)."""
    from zopa import app
    from zopa.cli.progress import watching

    scenario = _with_branches(load(file), branches)
    quiet = as_json or output is not None
    with watching("sensitivity", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.sensitivity(scenario, output_name, method=method, samples=samples,
                                 seed=seed, branch=branch, as_of=as_of, model=model,
                                 params=key_values(param, "--param"), file=str(file),
                                 progress=progress)
    deliver(result, as_json=as_json, output=output, command="sensitivity",
            render=lambda r: render_sensitivity(r, top),
            store=store, no_store=no_store, scenario_file=file)


def render_sensitivity(result: SensitivityResultRecord, top: int) -> None:
    """The ``top`` drivers, largest first."""
    console.rule(f"[bold]{result.scenario.title}[/bold] — drivers of {result.output} on "
                 f"{result.scenario.as_of} ({result.method})")
    if result.constant:
        console.print(result.note, highlight=False)
        return
    if result.method == "sobol":
        table = new_table("rank", "uncertain input", "first order", "total",
                          title="Sobol indices (± half-width of the 95 % interval)")
        for k, d in enumerate(result.drivers[:top], 1):
            table.add_row(str(k), d.label, _pm(d.first, d.first_conf), _pm(d.total, d.total_conf))
    else:
        table = new_table("rank", "uncertain input", "mu* (effect)", "sigma",
                          title="Morris screening (mu*: mean absolute effect of moving the "
                                "input over its range; ± 95 %)")
        for k, d in enumerate(result.drivers[:top], 1):
            table.add_row(str(k), d.label, _pm(d.mu_star, d.mu_star_conf), _number(d.sigma))
    console.print(table, markup=False)
    rest = len(result.drivers) - top
    console.print(f"{result.evaluations:,} evaluations, seed {result.seed}"
                  + (f"; {rest} smaller drivers not shown (--top, --json)" if rest > 0 else "")
                  + ".", highlight=False)


def _with_branches(scenario: Scenario, path: Path | None) -> Scenario:
    """The scenario with the branches of ``--branches FILE`` added."""
    if path is None:
        return scenario
    from zopa.scenario.loader import load_branches

    return load_branches(path, scenario)


def _pm(value: float | None, conf: float | None) -> str:
    if value is None:
        return "-"
    if conf is None or conf <= 0:
        return f"{value:.3f}"
    digits = min(4, max(2, 1 - math.floor(math.log10(conf))))
    return f"{value:.{digits}f} ± {conf:.{digits}f}"


def render_timeline(result: TimelineResult) -> None:
    """The events with what each moved, then the answers after each event."""
    where = "" if result.branch == "history" else f" — branch {result.branch}"
    console.rule(f"[bold]{result.scenario.title}[/bold] — timeline{where}")
    events = new_table("date", "event", "result", "what moved", title="Events and what they moved")
    for row in result.rows:
        result_text = (row.result or "") + (" (branch)" if row.fixed else "")
        what = "in the base (before meta.as_of)" if row.in_base else _moves(row.moved, result)
        if any(e.endswith("(estimate)") for e in row.effects):
            what += "\n[estimated effects]"
        events.add_row(row.date, row.title, result_text, what)
    console.print(events, markup=False)
    answers = new_table("date", "event", "ZOPA (gap)",
                        *[f"{p}: short of BATNA + beyond red lines; accepts forecast?"
                          for p in result.parties],
                        title=f"After each event ({result.model})")
    for row in result.rows:
        if row.in_base:
            continue
        u = row.uncertain
        answers.add_row(
            row.date, row.event or "base", _answer(row.point, u),
            *[f"{_number(row.point.shortfall.get(p))} + {_number(row.point.violation.get(p))}; "
              f"{_accepts(row.point.accepts.get(p, False), u.p_accept.get(p) if u else None)}"
              for p in result.parties])
    console.print(answers)
    console.print("gap: at the closest package, the largest over the parties of (utility short "
                  "of the BATNA + distance beyond the red lines, on 0-1 scales); 0 when a ZOPA "
                  "exists.", highlight=False)
    last = result.rows[-1]
    forecast = new_table("issue", "base", f"after {last.event or 'base'}",
                         title="Forecast: base and after the last event")
    for info in result.issue_info:
        forecast.add_row(info.name, value_with_range(info, result.rows[0].point.forecast[info.id],
                                            result.rows[0].uncertain),
                         value_with_range(info, last.point.forecast[info.id], last.uncertain))
    console.print(forecast)
    _note(result)


def _note(result: TimelineResult) -> None:
    if result.samples:
        console.print(
            f"Ranges: 5-95 % over {result.samples:,} draws of {len(result.inputs)} uncertain "
            f"inputs (seed {result.seed}); P = share of draws, ± its standard error.",
            highlight=False)
    elif result.inputs:
        console.print(
            f"Point answers at the stated values; {len(result.inputs)} inputs are declared "
            "uncertain: add --samples N for probabilities and ranges.", highlight=False)


def _moves(changes: list[Change], result: TimelineResult) -> str:
    """What moved, one line a change; an actor's many small moves of one kind (a relation's
    pull on its ideal points) as one line naming the largest."""
    issues = {i.id: i for i in result.issue_info}
    groups: dict[tuple[str, str], list[Change]] = {}
    for c in changes:
        groups.setdefault((c.actor, c.target), []).append(c)
    lines: list[str] = []
    for (actor, target), found in groups.items():
        if len(found) <= 2:
            lines += [_move(c, issues) for c in found]
            continue
        largest = max(found, key=lambda c: _relative(c, issues))
        lines.append(f"{actor} {target.replace('_', ' ')}: {len(found)} issues moved, most "
                     f"{_move(largest, issues).split(': ', 1)[1]} on {largest.issue}")
    if len(lines) > MAX_MOVES_SHOWN:
        lines = [*lines[:MAX_MOVES_SHOWN], f"... {len(lines) - MAX_MOVES_SHOWN} more (--json)"]
    return "\n".join(lines) or "-"


def _relative(c: Change, issues: dict[str, IssueInfo]) -> float:
    if c.before is None or c.after is None:
        return math.inf
    return abs(c.after - c.before) / max(abs(c.before), abs(c.after), 1e-12)


def _move(c: Change, issues: dict[str, IssueInfo]) -> str:
    info = issues.get(c.issue or "")
    what = c.target.replace("_", " ")
    if info is not None and c.target != "salience":
        before, after = _label(info, c.before), _label(info, c.after)
    else:
        before, after = _number(c.before), _number(c.after)
    on = f" {c.issue}" if c.issue else ""
    return f"{c.actor} {what}{on}: {before} -> {after}"


def _label(info: IssueInfo, value: float | None) -> str:
    """A value without its unit (tables stay narrow); options by name, or by index with two
    decimals when a relation's pull left them between options."""
    if value is None:
        return "-"
    if info.options is not None:
        return info.label(value) if float(value).is_integer() else f"{value:.2f}"
    return f"{value:.4g}"


def _answer(point: PointState, u: UncertainState | None) -> str:
    text = f"yes (margin {_number(point.margin)})" if point.zopa else f"no ({_number(point.gap)})"
    if u is not None and u.gap is not None and u.gap.low is not None and u.gap.high is not None:
        text += f"; gap {u.gap.low:.2f} .. {u.gap.high:.2f}"
    if u is not None:
        text += f"; P = {probability(u.p_zopa)}"
    return text


def _accepts(point: bool, p: Estimate | None) -> str:
    text = "yes" if point else "no"
    return text if p is None else f"{text}; P = {probability(p)}"


def value_with_range(info: IssueInfo, value: float | None, u: UncertainState | None) -> str:
    """A forecast value: alone, or with draws as median (5 % .. 95 %), with the digits that the
    range supports (two significant digits of its width)."""
    interval: Interval | None = u.forecast.get(info.id) if u is not None else None
    if interval is None or interval.low is None or interval.high is None:
        return info.label(value)
    if info.options is not None:
        low, high = info.label(interval.low), info.label(interval.high)
        return info.label(interval.median) + ("" if low == high else f" ({low} .. {high})")
    digits = _digits(interval.high - interval.low, interval.median)
    unit = f" {info.unit}" if info.unit else ""
    return (f"{_round(interval.median, digits)} ({_round(interval.low, digits)} .. "
            f"{_round(interval.high, digits)}){unit}")


def _digits(width: float, value: float | None) -> int:
    """Decimals that a range of ``width`` supports: two significant digits of the width."""
    if width <= 0 or not math.isfinite(width):
        return 3 if value is None or abs(value) < 100 else 1
    return max(0, 1 - math.floor(math.log10(width)))


def _round(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def probability(p: Estimate) -> str:
    """A share with the digits its standard error supports: ``0.42 ± 0.02``."""
    if p.se <= 0:
        return {0.0: "0 (no draw)", 1.0: "1 (every draw)"}.get(p.p, f"{p.p:.3f}")
    digits = min(4, max(2, -math.floor(math.log10(p.se))))
    return f"{p.p:.{digits}f} ± {p.se:.{digits}f}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command()(timeline)
    app.command()(compare)
    app.command()(sensitivity)
