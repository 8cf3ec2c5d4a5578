"""Command ``models``: every plug-in of every kind (models, protocols, strategies, power methods,
vote models) with its declared parameters."""

from __future__ import annotations

from pathlib import Path

import typer

from zopa.cli.common import JsonOpt, OutputOpt, console, emit, guarded, new_table
from zopa.errors import UsageError


@guarded
def models(
    kind: str | None = typer.Option(
        None, "--kind", "-k",
        help="Only this kind: model, protocol, strategy, power-method, vote-model."),
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """List every plug-in with its parameters (name, type, default, range, help)."""
    from zopa import app, registry

    kinds = registry.KINDS
    if kind is not None:
        if kind not in kinds:
            raise UsageError(f"unknown kind {kind!r:.40}; known: {', '.join(kinds)}")
        kinds = (kind,)
    result = app.list_plugins(kinds)
    if as_json or output is not None:
        emit(result, output)
        return
    table = new_table("kind", "name", "what it is", "parameters (default; range)",
                  title="Plug-ins (parameters: --param key=value)")
    for p in result.plugins:
        params = []
        for q in p.params:
            default = ",".join(map(str, q.default)) if isinstance(q.default, list) else q.default
            limits = (f"; {'|'.join(q.choices)}" if q.choices else
                      f"; {q.low:g}..{q.high:g}" if q.low is not None and q.high is not None
                      else "")
            params.append(f"{q.name}={default}{limits}")
        table.add_row(p.kind, p.name, p.title, "\n".join(params) or "-")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the command to the ``zopa`` app."""
    app.command()(models)
