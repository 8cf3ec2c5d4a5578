"""What every command shares: error handling (exit 2, one line a problem), loading, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from zopa.errors import ScenarioError, ZopaError
from zopa.files import write_atomic
from zopa.scenario import Scenario, load_scenario

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INPUT = 2
"""Exit code for bad input (files, arguments), as for usage errors."""


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn zopa's errors into one line each on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            for problem in exc.problems:
                err_console.print(str(problem), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except ZopaError as exc:
            err_console.print(f"error: {exc}", markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            err_console.print(f"error: {where}{exc.strerror or exc}", markup=False)
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper


def load(path: Path) -> Scenario:
    return load_scenario(path)


def emit_json(data: Any, output: Path | None) -> None:
    """Print JSON to stdout, or write it atomically to ``output``."""
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        err_console.print(f"wrote {output}", markup=False)


FileArg = typer.Argument(..., help="Scenario file (YAML, or JSON for .json).", show_default=False)
JsonOpt = typer.Option(False, "--json", help="Print a machine-readable JSON result.")
OutputOpt = typer.Option(
    None, "--output", "-o", help="Write the JSON result to this file (atomically)."
)
