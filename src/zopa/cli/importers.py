"""Commands ``import-genius`` (a GENIUS domain folder), ``import-table`` (an actor table, CSV) and
``import-decide`` (decide's #A/#P/#M/#D files): each writes a zopa scenario."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zopa.cli.common import err_console, guarded
from zopa.errors import UsageError
from zopa.files import write_atomic
from zopa.inputs import printable

if TYPE_CHECKING:
    from zopa.app.imports import ImportedScenario

_OUTPUT = typer.Option(None, "--output", "-o", help="Scenario file to write (default: stdout).")
_RANGE = typer.Option(
    None, "--range", help="Scale of every issue as lo,hi (default: see the command's help)."
)
_AS_OF = typer.Option(None, "--as-of", help="Scenario date YYYY-MM-DD (default: today).")


def _date(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise UsageError(f"--as-of must be a date YYYY-MM-DD, not {text!r:.40}") from None


def _range(text: str | None) -> tuple[float, float] | None:
    from zopa.importers.table import parse_range

    return parse_range(text)


def _finish(imported: ImportedScenario, output: Path | None) -> None:
    for note in imported.notes:
        err_console.print(printable(f"note: {note}"), markup=False)
    if output is None:
        typer.echo(imported.text, nl=False)
        return
    write_atomic(output, imported.text)
    size = f"{imported.actors} actors, {imported.issues} issues"
    if imported.outcomes is not None:
        size = (f"{imported.actors} parties, {imported.issues} issues, "
                f"{imported.outcomes:,} outcomes")
    err_console.print(printable(f"wrote {output} ({size})"), markup=False)


@guarded
def import_genius(
    folder: Path = typer.Argument(..., help="GENIUS domain folder (domain + profile XML files)."),
    output: Path | None = _OUTPUT,
    as_of: str | None = _AS_OF,
) -> None:
    """Convert a GENIUS domain to a zopa scenario (lossless: values = normalised evaluations)."""
    from zopa import app

    _finish(app.import_genius(folder, as_of=_date(as_of)), output)


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
    from zopa import app

    _finish(app.import_table(file, salience_scale=salience_scale, bounds=_range(bounds),
                             issue_name=issue, as_of=_date(as_of)), output)


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
    from zopa import app

    _finish(app.import_decide(file, bounds=_range(bounds), as_of=_date(as_of)), output)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command("import-genius")(import_genius)
    app.command("import-table")(import_table)
    app.command("import-decide")(import_decide)
