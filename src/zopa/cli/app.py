"""The ``zopa`` command: one typer app; each topic's commands live in their own module.

A topic module defines ``register(app)``, which adds its commands. To add a topic, add its module
to ``COMMAND_MODULES``.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import typer

COMMAND_MODULES = (
    "zopa.cli.scenario",
    "zopa.cli.forecast",
    "zopa.cli.timeline",
    "zopa.cli.importers",
    "zopa.cli.negotiate",
    "zopa.cli.institutions",
    "zopa.cli.record",
    "zopa.cli.catalog",
    "zopa.cli.web",
    "zopa.cli.runs",
)

app = typer.Typer(
    name="zopa",
    help="Model, simulate and forecast multi-party conflict negotiations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: rich's help formatter imports a Markdown parser (~0.2 s on
    # every --help), and plain one-line errors are easier for scripts to read.
    rich_markup_mode=None,
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    """Entry point of the ``zopa`` console script."""
    # zopa uses no pydantic plugins; looking for them scans every installed package's entry
    # points (~50 ms on each command). A user's own setting is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Start-up only allocates (modules, pydantic's validators): no cycles worth collecting, yet
    # the collector would walk them ~90 times. The command turns it back on before its work
    # (zopa.cli.common.startup_done).
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """End the process with ``code`` as ``sys.exit`` would, without the interpreter's teardown.

    Freeing every module and pydantic validator one by one takes ~40 ms, a tenth of a short
    command. Output is flushed and exit handlers run first; if flushing fails (a closed pipe),
    or under a profiler or tracer (``python -m cProfile``, a debugger: they report after the
    program ends), the usual ``sys.exit`` runs as before.
    """
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # type: ignore[arg-type]
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # type: ignore[arg-type]
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.exit(code)  # type: ignore[arg-type]  # a message: printed by the interpreter
    atexit._run_exitfuncs()
    os._exit(status)
