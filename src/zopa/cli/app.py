"""The ``zopa`` command: one typer app; each topic's commands live in their own module.

A topic module defines ``register(app)``, which adds its commands. To add a topic, add its module
to ``COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib
import os

import typer

COMMAND_MODULES = (
    "zopa.cli.scenario",
    "zopa.cli.forecast",
    "zopa.cli.timeline",
    "zopa.cli.importers",
    "zopa.cli.negotiate",
    "zopa.cli.institutions",
    "zopa.cli.catalog",
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
    app()
