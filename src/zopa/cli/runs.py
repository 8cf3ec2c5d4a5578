"""The ``zopa runs`` group: the run store listed, a run shown, two runs compared, runs exported
(Parquet or CSV, one file a table) and old runs removed (docs/store.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zopa.cli.common import (
    JsonOpt,
    OutputOpt,
    StoreOpt,
    console,
    emit,
    fmt,
    guarded,
    new_table,
)
from zopa.errors import UsageError

if TYPE_CHECKING:
    from zopa.results.runs import (
        RunComparisonResult,
        RunDetailResult,
        RunListResult,
        RunSummary,
    )

RunArg = typer.Argument(..., min=1, metavar="RUN", help="A run id (`zopa runs list`).",
                        show_default=False)


@guarded
def list_(
    scenario: Path | None = typer.Option(
        None, "--scenario", metavar="FILE",
        help="Only runs on this scenario (by its content: the same bytes, any file name)."),
    command: str | None = typer.Option(None, "--command", help="Only runs of this command."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many runs."),
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Stored runs, newest first."""
    from zopa import app

    result = app.list_runs(store=store, scenario=scenario, command=command, limit=limit)
    if as_json or output is not None:
        emit(result, output)
        return
    render_list(result)


def render_list(result: RunListResult) -> None:
    """One line a run."""
    table = new_table("id", "command", "status", "started (UTC)", "s", "scenario", "model",
                      "seed", "draws", title=f"Runs in {result.store}")
    for r in result.runs:
        table.add_row(str(r.id), r.command, r.status, r.started[:19], fmt(r.duration, ".2f"),
                      r.scenario_file or "-", r.model or "-", r.seed or "-",
                      "-" if r.samples is None else f"{r.samples:,}")
    console.print(table)
    if result.total > len(result.runs):
        console.print(f"{len(result.runs)} of {result.total} runs shown (--limit).")


@guarded
def show(
    run: int = RunArg,
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """One run: arguments, parameters, rows kept per table (its result: --json)."""
    from zopa import app

    result = app.show_run(run, store=store)
    if as_json or output is not None:
        emit(result, output)
        return
    render_show(result)


def _summary_lines(r: RunSummary) -> list[str]:
    done = "" if r.items_total is None else f", {r.items_done or 0:,} of {r.items_total:,} " \
        f"{r.unit or 'items'}"
    return [f"run {r.id}: {r.command} ({r.status}{done}), started {r.started}, "
            f"{fmt(r.duration, '.2f')} s",
            f"scenario: {r.title or '-'} ({r.scenario_file or '-'}, sha256 "
            f"{(r.scenario_hash or '-')[:12]})",
            f"model {r.model or '-'}, seed {r.seed or '-'}, draws {r.samples or 0:,}"]


def render_show(result: RunDetailResult) -> None:
    """The run's summary, arguments, parameters and rows per table."""
    for line in _summary_lines(result.run):
        console.print(line, markup=False, highlight=False)
    console.print(f"arguments: {' '.join(result.argv)}", markup=False, highlight=False)
    console.print(f"parameters: {json.dumps(result.params, ensure_ascii=False)}", markup=False,
                  highlight=False)
    table = new_table("table", "rows", title="Rows kept")
    for name, n in result.tables.items():
        table.add_row(name, f"{n:,}")
    console.print(table)


@guarded
def compare(
    a: int = RunArg,
    b: int = RunArg,
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """What changed between two runs: inputs (scenario, parameters, seed), then outputs."""
    from zopa import app

    result = app.compare_runs(a, b, store=store)
    if as_json or output is not None:
        emit(result, output)
        return
    render_compare(result)


def render_compare(result: RunComparisonResult) -> None:
    """Input changes, then the output numbers that differ."""
    i = result.inputs
    console.print(f"runs {result.a.id} ({result.a.command}) and {result.b.id} "
                  f"({result.b.command})", markup=False, highlight=False)
    if i.same_scenario:
        console.print("scenario: the same file content", markup=False)
    else:
        console.print(f"scenario: changed (+{i.scenario_lines_added} -{i.scenario_lines_removed}"
                      " lines)", markup=False)
        for line in i.scenario_diff[2:12]:
            console.print(f"  {line}", markup=False, highlight=False)
    for name, change in i.params.items():
        console.print(f"{name}: {change.a} -> {change.b}", markup=False, highlight=False)
    if i.seed is not None:
        console.print(f"seed: {i.seed.a} -> {i.seed.b}", markup=False, highlight=False)
    table = new_table("table", "row", "column", f"run {result.a.id}", f"run {result.b.id}",
                      title="Outputs that differ")
    for c in result.outputs:
        table.add_row(c.table, c.key, c.column, _cell(c.a), _cell(c.b))
    console.print(table)
    more = " (first ones shown)" if result.truncated else ""
    console.print(f"{len(result.outputs)} numbers differ{more}, {result.unchanged} equal.")


def _cell(value: float | str | bool | None) -> str:
    if value is None:
        return "-"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


@guarded
def export(
    run: list[int] = typer.Argument(None, help="Run ids (or --all).", show_default=False),
    all_: bool = typer.Option(False, "--all", help="Every run."),
    out: Path = typer.Option(
        ..., "--output", "-o", metavar="OUT.parquet|OUT.csv",
        help="Where: OUT.parquet writes OUT.runs.parquet, OUT.outcomes.parquet... (one file a "
             "table); .csv likewise."),
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Export runs with DuckDB's COPY: one Parquet or CSV file per table."""
    from zopa import app

    if bool(run) == all_:
        raise UsageError("give run ids or --all (not both)")
    result = app.export_runs(None if all_ else run, out, store=store)
    if as_json:
        emit(result, None)
        return
    for table, path in result.files.items():
        console.print(f"{table}: {result.rows[table]:,} rows -> {path}", markup=False,
                      highlight=False)


@guarded
def gc(
    keep: int = typer.Option(..., "--keep", min=0, help="Keep this many newest runs."),
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Remove every run but the newest ones."""
    from zopa import app

    result = app.gc_runs(keep, store=store)
    if as_json:
        emit(result, None)
        return
    console.print(f"removed {result.removed:,} runs, kept {result.kept:,} ({result.store})",
                  markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``runs`` group."""
    runs = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                       help="The run store: list, show, compare, export and gc stored runs.")
    runs.command("list")(list_)
    runs.command("show")(show)
    runs.command("compare")(compare)
    runs.command("export")(export)
    runs.command("gc")(gc)
    app.add_typer(runs, name="runs")
