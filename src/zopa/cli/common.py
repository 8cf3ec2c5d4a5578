"""What every command shares: error handling (exit 2, one line a problem), loading, output.

Commands parse their arguments, call one function of :mod:`zopa.app` and render the typed result
it returns (a table, or its JSON). Heavy modules are imported inside the commands, so that
``zopa --help`` and the command table load fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
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
    from zopa.progress import Progress
    from zopa.results.base import Result
    from zopa.scenario.schema import Scenario
    from zopa.store.watcher import StoreWatcher


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
        _RUN.update(started=dt.datetime.now(dt.UTC).replace(tzinfo=None), watcher=None)
        try:
            with warnings.catch_warnings(record=True) as caught:
                try:
                    return func(*args, **kwargs)
                finally:
                    _notes(caught)
        except Interrupted as exc:
            err_console.print(printable(f"{exc}; {_close_watcher('interrupted')}"),
                              markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except ScenarioError as exc:
            for problem in exc.problems:
                err_console.print(str(problem), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except ZopaError as exc:
            err_console.print(printable(f"error: {exc}"), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            kept = _close_watcher("interrupted")
            err_console.print("interrupted: nothing was written" if kept == NOTHING_KEPT
                              else printable(f"interrupted; {kept}"), markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            err_console.print(printable(f"error: {where}{exc.strerror or exc}"), markup=False)
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            _close_watcher("failed")

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


StoreOpt = typer.Option(
    None, "--store", metavar="PATH",
    help="The run store file (default: $ZOPA_STORE, else runs.duckdb in the user's data folder; "
         "docs/store.md).")
NoStoreOpt = typer.Option(False, "--no-store", help="Do not keep this run in the run store.")

NOTHING_KEPT = "nothing was stored"
_RUN: dict[str, Any] = {"started": None, "watcher": None}
"""The command being run: when it started, and its store watcher (chunked work)."""


def store_watcher(command: str, *, store: Path | None, no_store: bool,
                  scenario_file: Path | None = None) -> Progress:
    """A :class:`~zopa.progress.Progress` watcher that keeps a chunked run in the run store as
    it goes (the no-op watcher with ``--no-store``); :func:`deliver` finishes the same run, and
    an interruption marks it ``interrupted`` keeping its chunks."""
    from zopa.progress import NO_PROGRESS
    from zopa.store.location import store_path, storing_off

    if storing_off(no_store):
        return NO_PROGRESS
    from zopa.store.watcher import StoreWatcher
    from zopa.store.writer import RunInfo

    watcher = StoreWatcher(store_path(store), RunInfo(command, sys.argv[1:], scenario_file),
                           notice=_note_line)
    _RUN["watcher"] = watcher
    return watcher


def _note_line(text: str) -> None:
    err_console.print(printable(text), markup=False, highlight=False)


def _close_watcher(status: str) -> str:
    """End the active watcher's run with ``status``; what the store kept, as words."""
    watcher: StoreWatcher | None = _RUN.get("watcher")
    _RUN["watcher"] = None
    if watcher is None or watcher.run_id is None:
        return NOTHING_KEPT
    watcher.close(status)
    if watcher.error is not None:
        return f"the run store could not keep it ({watcher.error})"
    return (f"the run store kept {watcher.kept_chunks:,} chunks ({watcher.kept_items:,} "
            f"{watcher.unit}) as run {watcher.run_id}")


def deliver(result: Result, *, as_json: bool, output: Path | None,
            render: Callable[[Any], None], command: str, store: Path | None = None,
            no_store: bool = False, scenario_file: Path | None = None) -> None:
    """Print the result (its JSON with ``--json`` or ``-o``, else ``render``) and then keep it in
    the run store, unless ``--no-store``. The result is out before the store is touched: a store
    that is busy, read-only or full costs one ``note:`` line on stderr, never the result."""
    if as_json or output is not None:
        emit(result, output)
    else:
        render(result)
    with contextlib.suppress(OSError, ValueError):  # the result is out, whatever storing takes
        sys.stdout.flush()
    from zopa.store.location import store_path, storing_off

    watcher: StoreWatcher | None = _RUN.get("watcher")
    _RUN["watcher"] = None
    if storing_off(no_store):
        return
    from zopa.store.connection import StoreError
    from zopa.store.writer import RunInfo, now, store_result

    info = RunInfo(command, sys.argv[1:], scenario_file, _RUN.get("started") or now())
    path = store_path(store)
    run_id = None
    if watcher is not None and watcher.path == path and watcher.error is None:
        watcher.finished()
        run_id, info.started = watcher.run_id, watcher.info.started
    try:
        store_result(path, result, info, notice=_note_line, run_id=run_id)
    except StoreError as exc:
        _note_line(f"note: the run was not stored: {exc}")
