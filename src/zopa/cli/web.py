"""Commands ``serve`` (the web app over a folder of scenarios) and ``report`` (one
self-contained HTML file). The web stack is imported inside the commands, so that ``zopa
--help`` and ``zopa validate`` never load it."""

from __future__ import annotations

from pathlib import Path

import typer

from zopa.cli.common import FileArg, StoreOpt, err_console, guarded, load
from zopa.errors import UsageError
from zopa.files import write_atomic
from zopa.inputs import printable


@guarded
def serve(
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to listen on; beyond this machine a token is needed "
                                  "(made and printed at start)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    folder: Path = typer.Option(Path(), "--folder",
                                help="The served folder: its scenario files are the library; "
                                     "nothing outside it is read or written."),
    store: Path | None = StoreOpt,
) -> None:
    """Serve the web app: scenario library, views, editor, runs and charts (docs/web.md)."""
    from zopa.web.server import serve as run

    if not folder.is_dir():
        raise UsageError(f"{printable(str(folder))}: no such folder")
    run(folder, host=host, port=port, store=store,
        announce=lambda line: err_console.print(printable(line), markup=False))


@guarded
def report(
    file: Path = FileArg,
    branch: list[str] = typer.Option([], "--branch", "-b",
                                     help="A branch to compare (repeatable; default: all)."),
    samples: int = typer.Option(1000, "--samples", "-n", min=0,
                                help="Monte Carlo draws for the ranges (0: point answers)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the draws."),
    drivers: int = typer.Option(4, "--drivers", min=0,
                                help="Morris trajectories for the drivers of the gap (0: "
                                     "leave them out; each takes about a second)."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    fmt: str = typer.Option("html", "--format",
                            help="html (PDF: see docs/web.md for why there is none)."),
) -> None:
    """Write one self-contained HTML report: summary, sources, timeline, forecasts with ranges,
    the zone, votes, branches compared and drivers; it needs no network to open."""
    if fmt != "html":
        raise UsageError(f"--format {fmt!r:.20}: only html (docs/web.md says why not pdf)")
    from zopa.app.report import report as make_report
    from zopa.web.report import render_report

    result = make_report(load(file), branches=branch, samples=samples, seed=seed,
                         drivers_samples=drivers, file=str(file))
    html = render_report(result)
    write_atomic(output, html)
    err_console.print(printable(f"wrote {output} ({len(html.encode()):,} bytes)"), markup=False)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    app.command()(serve)
    app.command()(report)
