"""Commands ``import-table`` (an actor table, CSV) and ``import-decide`` (decide's #A/#P/#M/#D)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from zopa.cli.common import err_console, guarded
from zopa.errors import UsageError
from zopa.files import write_atomic
from zopa.importers.decide import import_decide as read_decide_file
from zopa.importers.table import Table, parse_range
from zopa.importers.table import import_table as read_table_file

_OUTPUT = typer.Option(None, "--output", "-o", help="Scenario file to write (default: stdout).")
_RANGE = typer.Option(
    None, "--range", help="Scale of every issue as lo,hi (default: see the command's help)."
)
_AS_OF = typer.Option(None, "--as-of", help="Scenario date YYYY-MM-DD (default: today).")


def _date(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise UsageError(f"--as-of must be a date YYYY-MM-DD, not {text!r}") from None


def _finish(text: str, table: Table, output: Path | None) -> None:
    for note in table.notes:
        err_console.print(f"note: {note}", markup=False)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_atomic(output, text)
    err_console.print(
        f"wrote {output} ({len(table.actor_names)} actors, {len(table.issue_names)} issues)",
        markup=False,
    )


@guarded
def import_table(
    file: Path = typer.Argument(..., help="CSV: one row per actor, or per actor and issue."),
    output: Path | None = _OUTPUT,
    salience_scale: str = typer.Option(
        "auto", "--salience-scale", help="Salience on 0-1 ('1'), 0-100 ('100') or 'auto'."
    ),
    bounds: str | None = _RANGE,
    issue: str = typer.Option("issue", "--issue", help="Issue name when there is no issue column."),
    as_of: str | None = _AS_OF,
) -> None:
    """Convert an actor table (actor, capability, position, salience[, issue]) to a scenario.

    Column names are matched as found in the wild (stakeholder, clout, resources, power,
    importance, ...). Without --range each issue's scale is the range of its positions.
    """
    text, table = read_table_file(
        file, salience_scale=salience_scale, bounds=parse_range(bounds), issue_name=issue,
        as_of=_date(as_of),
    )
    _finish(text, table, output)


@guarded
def import_decide(
    file: Path = typer.Argument(..., help="decide input file (#A/#P/#M/#D, tab-separated)."),
    output: Path | None = _OUTPUT,
    bounds: str | None = _RANGE,
    as_of: str | None = _AS_OF,
) -> None:
    """Convert a decide (exchange model) input file to a scenario.

    Issue scales come from the #M lines (0-100 where an issue has none) unless --range is given.
    """
    text, table = read_decide_file(file, bounds=parse_range(bounds), as_of=_date(as_of))
    _finish(text, table, output)


def register(app: typer.Typer) -> None:
    app.command("import-table")(import_table)
    app.command("import-decide")(import_decide)
