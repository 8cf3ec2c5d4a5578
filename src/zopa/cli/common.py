"""What every command shares: error handling (exit 2, one line a problem), loading, output.

Commands parse their arguments, call one function of :mod:`zopa.app` and render the typed result
it returns (a table, or its JSON). Heavy modules are imported inside the commands, so that
``zopa --help`` and the command table load fast.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from zopa.errors import Interrupted, ScenarioError, ZopaError
from zopa.files import write_atomic
from zopa.inputs import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from zopa.executors import ExecutorSettings
    from zopa.results.base import Result
    from zopa.scenario.schema import Scenario


class _LazyConsole:
    """A rich console created on first use: ``--help`` and JSON output never import rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def resolve(self) -> Console:
        """The console itself (created now if need be)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
            self._console.push_render_hook(_printable_hook())
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)


def _printable_hook() -> Any:
    """A rich render hook that shows control characters in the text it prints (a scenario's
    names, titles and cells: terminal escapes, bell, carriage return) as escapes, the way
    :func:`zopa.inputs.printable` does; rich's own styling and cursor control pass as they are."""
    from rich.console import ConsoleOptions, RenderableType, RenderHook, RenderResult
    from rich.segment import Segment

    class Printable:
        def __init__(self, inner: RenderableType) -> None:
            self.inner = inner

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for segment in console.render(self.inner, options):
                text = segment.text
                if segment.control or text.isprintable() or text == "\n":
                    yield segment
                else:
                    yield Segment("\n".join(printable(line) for line in text.split("\n")),
                                  segment.style)

    class Hook(RenderHook):
        def process_renderables(self, renderables: list[Any]) -> list[Any]:
            return [Printable(r) for r in renderables]

    return Hook()


def real_console(proxy: Console) -> Console:
    """The rich console behind :data:`console` or :data:`err_console` (for rich's own objects,
    such as progress bars, that need the real one)."""
    return proxy.resolve() if isinstance(proxy, _LazyConsole) else proxy


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(  # type: ignore[assignment]
    stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INPUT = 2
"""Exit code for bad input (files, arguments), as for usage errors."""
EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


def new_table(*headers: str, **options: Any) -> Table:
    """A rich table (rich is imported on first use)."""
    from rich.table import Table

    return Table(*headers, **options)


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn zopa's errors into one line each on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        startup_done()
        try:
            with warnings.catch_warnings(record=True) as caught:
                try:
                    return func(*args, **kwargs)
                finally:
                    _notes(caught)
        except Interrupted as exc:
            err_console.print(f"{exc}; no result was written", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except ScenarioError as exc:
            for problem in exc.problems:
                err_console.print(str(problem), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except ZopaError as exc:
            err_console.print(printable(f"error: {exc}"), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("interrupted: nothing was written", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            err_console.print(printable(f"error: {where}{exc.strerror or exc}"), markup=False)
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper


def _notes(caught: list[warnings.WarningMessage]) -> None:
    """Warnings raised during a command, as one ``note:`` line each on stderr (once per text),
    instead of Python's two lines naming a source file."""
    seen: set[str] = set()
    for warning in caught:
        text = str(warning.message).splitlines()[0] if str(warning.message) else ""
        if issubclass(warning.category, RuntimeWarning):
            line = (f"note: a computation went beyond floating point ({text}); numbers this "
                    "extreme (scales, capabilities, saliences) may give inexact results")
        else:
            line = f"note: {warning.category.__name__}: {text}"
        if line not in seen:
            seen.add(line)
            err_console.print(printable(line), markup=False, highlight=False)


def load(path: Path) -> Scenario:
    """Read and validate a scenario file (located errors as :class:`ScenarioError`)."""
    from zopa.scenario.loader import load_scenario

    try:
        return load_scenario(path)
    finally:
        startup_done()


def startup_done() -> None:
    """Turn the garbage collector back on: :func:`zopa.cli.app.main` turns it off while the
    command line and, for ``validate``, the scenario modules load (nothing to collect there)."""
    gc.enable()


def emit(result: Result, output: Path | None) -> None:
    """Print a result's JSON to stdout, or write it atomically to ``output``."""
    text = json.dumps(result.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        err_console.print(printable(f"wrote {output}"), markup=False)


def split_ids(text: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; ``None`` for no text."""
    return [a.strip() for a in text.split(",") if a.strip()] if text else None


def key_values(items: list[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` options as a dict (errors name the option)."""
    from zopa.params import parse_key_values

    return parse_key_values(items, option)


def fmt(value: float | None, spec: str = ".3f") -> str:
    """A number for a table, ``-`` for none."""
    return "-" if value is None else format(value, spec)


FileArg = typer.Argument(..., help="Scenario file (YAML, or JSON for .json).", show_default=False)
JsonOpt = typer.Option(False, "--json", help="Print a machine-readable JSON result.")
OutputOpt = typer.Option(
    None, "--output", "-o", help="Write the JSON result to this file (atomically)."
)
DecisionOpt = typer.Option(
    [],
    "--decision",
    "-D",
    metavar="EVENT=RESULT",
    help=(
        "Replay the events up to vote EVENT with RESULT (adopted, failed or vetoed) instead of the "
        "recorded one: the event's effects and effects_if[RESULT] apply; repeatable."
    ),
)
AsOfOpt = typer.Option(
    None, "--as-of", metavar="YYYY-MM-DD",
    help=("Replay the scenario's events up to this date first (default: the scenario's base "
          "date, meta.as_of, or the date of a vote given with --decision)."),
)
SamplesOpt = typer.Option(
    0, "--samples", "-n", min=0,
    help="Monte Carlo draws of the declared uncertainty (0: point answers only; --seed seeds "
         "them).")
ParamOpt = typer.Option([], "--param", "-p", metavar="KEY=VALUE",
                        help="A parameter of the model (repeatable; see `zopa models`).")
SeedOpt = typer.Option(None, "--seed", help="Seed of the random numbers (a whole number >= 0).")
ExecutorOpt = typer.Option(
    "local", "--executor", metavar="local|ray",
    help="Where chunks of work run: local processes (default) or a Ray cluster (zopa[ray]; "
         "see docs/executors.md). Results are the same for the same seed.")
WorkersOpt = typer.Option(
    None, "--workers", min=1, max=4096,
    help="Chunks run at once (default: every core; 1: in this process).")
AddressOpt = typer.Option(
    None, "--address", metavar="ADDR",
    help="With --executor ray: the cluster to join (host:port, or auto); default: Ray started "
         "on this machine.")


def executor_settings(kind: str, workers: int | None, address: str | None
                      ) -> ExecutorSettings:
    """The executor options as settings (a bad combination: one line, exit 2)."""
    from zopa.executors import ExecutorSettings

    return ExecutorSettings(kind.strip().lower(), workers, address)
