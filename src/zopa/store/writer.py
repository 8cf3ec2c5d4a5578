"""Writing runs: a run row, its scenario (by content hash), its result normalised into tables
(:mod:`zopa.store.rows`) and the full result JSON, each write one transaction.

A run is either written whole by :func:`store_result` (the usual case: the command finished), or
begun by :func:`begin_run` with status ``running``, given chunks by :func:`add_chunks` as they
finish, and closed by :func:`finish_run` (``done``, with the result) or :func:`mark_run`
(``interrupted``, ``failed``). A process killed in between leaves that run ``running`` with the
chunks it committed; no committed run is touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zopa.progress import Chunk
from zopa.store import schema
from zopa.store.connection import StoreError, connect, explain, transaction

if TYPE_CHECKING:
    import duckdb

    from zopa.results.base import Result

STATUSES = ("running", "done", "interrupted", "failed")
"""A run's status."""


def now() -> dt.datetime:
    """The time in UTC (naive, as DuckDB's TIMESTAMP holds it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class RunInfo:
    """What a run was: the command, its arguments, the scenario file, when it started."""

    command: str
    argv: Sequence[str] = ()
    scenario_file: Path | None = None
    started: dt.datetime = field(default_factory=now)


def open_store(path: Path, notice: Callable[[str], None] | None = None,
               wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The store opened for writing (waiting ``wait`` seconds at most for another process), its
    schema brought to the current version."""
    import duckdb

    new = not path.exists()
    try:
        con = connect(path, notice=notice, wait=wait)
    except StoreError:
        if new:
            _remove_new(path)
        raise
    try:
        schema.create(con)
    except (duckdb.Error, StoreError) as exc:
        con.close()
        if new:
            _remove_new(path)
        raise exc if isinstance(exc, StoreError) else explain(exc, path) from None
    except BaseException:
        con.close()
        raise
    return con


def _remove_new(path: Path) -> None:
    """Remove a store this process began to create and could not finish (a full disk): an
    empty, broken file would fail every later command."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            leftover.unlink()


def insert(con: duckdb.DuckDBPyConnection, table: str, run_id: int, columns: Sequence[str],
           rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` to ``table`` in one statement (DuckDB scans the columns as arrays; a
    statement a row would be ~1000 times slower)."""
    if not rows:
        return
    import numpy as np

    n = len(rows)
    frame: dict[str, Any] = {"run_id": np.full(n, run_id, dtype=np.int64)}
    for j, name in enumerate(columns):
        col = np.empty(n, dtype=object)
        col[:] = [row[j] for row in rows]
        frame[name] = col
    insert_arrays(con, table, frame)


def insert_arrays(con: duckdb.DuckDBPyConnection, table: str, frame: dict[str, Any]) -> None:
    """Append columns given as NumPy arrays (names as in the table) to ``table``."""
    names = ", ".join(frame)
    con.register("zopa_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM zopa_frame")
    finally:
        con.unregister("zopa_frame")


def scenario_row(file: Path | None) -> tuple[str, str, str] | None:
    """``(hash, text, file name)`` of a scenario file; ``None`` if it cannot be read
    (a pipe, a folder, gone)."""
    if file is None or not file.is_file():
        return None
    try:
        data = file.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace")
    return hashlib.sha256(data).hexdigest(), text, file.name


def _result_fields(result: Result) -> dict[str, Any]:
    """Model, parameters, seed and samples as a result states them."""
    data = result.to_json()
    model = data.get("model")
    if not isinstance(model, str):
        model = data.get("method") if isinstance(data.get("method"), str) else None
        if result.kind == "vote":
            model = "fitted" if data.get("fit") else "declared"
    params: dict[str, Any] = {k: v for k, v in data.items()
              if isinstance(v, (str, int, float, bool)) and k not in ("format", "note")
              and k != "title"}
    for name in ("parameters", "settings", "strategies"):
        if isinstance(data.get(name), dict):
            params[name] = data[name]
    scenario = data.get("scenario")
    if isinstance(scenario, dict):
        params["as_of"] = scenario.get("as_of")
    seed = data.get("seed")
    uncertain = data.get("uncertain")
    if seed is None and isinstance(uncertain, dict):
        seed = uncertain.get("seed")
    samples = data.get("samples")
    if not isinstance(samples, int) and isinstance(uncertain, dict):
        samples = uncertain.get("draws")
    return {"model": model, "params": json.dumps(params, sort_keys=True, ensure_ascii=False),
            "seed": None if seed is None else str(seed),
            "samples": samples if isinstance(samples, int) else None}


def _next_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT nextval('run_ids')").fetchone()
    assert row is not None
    return int(row[0])


def _insert_run(con: duckdb.DuckDBPyConnection, run_id: int, info: RunInfo, status: str,
                unit: str | None, total: int | None) -> None:
    from zopa import __version__

    scen = scenario_row(info.scenario_file)
    if scen is not None:
        con.execute("INSERT INTO scenarios VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                    [scen[0], scen[1], scen[2]])
    con.execute(
        "INSERT INTO runs (id, command, argv, scenario_hash, zopa_version, started, status,"
        " unit, items_total, items_done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [run_id, info.command, json.dumps(list(info.argv), ensure_ascii=False),
         scen[0] if scen else None, __version__, info.started, status, unit, total])


def begin_run(con: duckdb.DuckDBPyConnection, info: RunInfo, path: Path, *,
              unit: str | None = None, total: int | None = None) -> int:
    """Insert the run's row with status ``running`` (and its scenario) in one transaction;
    its id."""
    run_id = _next_id(con)
    with transaction(con, path):
        _insert_run(con, run_id, info, "running", unit, total)
    return run_id


def add_chunks(con: duckdb.DuckDBPyConnection, run_id: int, chunks: Iterable[Chunk]) -> int:
    """Append finished chunks (one row per summary number, or one with no name) and count their
    items into the run, in one transaction; how many items they covered."""
    rows: list[tuple[Any, ...]] = []
    items = 0
    for c in chunks:
        items += c.size
        summary: list[tuple[str | None, float | None]] = list(c.summary.items()) or [
            (None, None)]
        rows.extend((c.index, c.start, c.stop, name, value) for name, value in summary)
    con.execute("BEGIN TRANSACTION")
    try:
        insert(con, "chunks", run_id, ("chunk", "start", "stop", "name", "value"), rows)
        con.execute("UPDATE runs SET items_done = coalesce(items_done, 0) + ? WHERE id = ?",
                    [items, run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return items


def _write_result(con: duckdb.DuckDBPyConnection, run_id: int, result: Result,
                  started: dt.datetime) -> None:
    from zopa.store.rows import COLUMNS, result_rows

    ended = now()
    data = result.to_json()
    fields = _result_fields(result)
    for table, rows in result_rows(result).items():
        insert(con, table, run_id, COLUMNS[table], rows)
    con.execute(
        "UPDATE runs SET kind = ?, format = ?, model = ?, params = ?, seed = ?, samples = ?, "
        "ended = ?, duration = ?, status = 'done', result = ? WHERE id = ?",
        [result.kind, data.get("format"), fields["model"], fields["params"], fields["seed"],
         fields["samples"], ended, (ended - started).total_seconds(),
         json.dumps(data, ensure_ascii=False, allow_nan=False), run_id])
    scenario = data.get("scenario")
    if isinstance(scenario, dict) and scenario.get("title"):
        con.execute("UPDATE scenarios SET title = ? WHERE title IS NULL AND hash = "
                    "(SELECT scenario_hash FROM runs WHERE id = ?)",
                    [scenario["title"], run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, result: Result,
               started: dt.datetime, path: Path) -> None:
    """Write ``result`` into the tables and mark the run done, in one transaction."""
    with transaction(con, path):
        _write_result(con, run_id, result, started)


def mark_run(con: duckdb.DuckDBPyConnection, run_id: int, status: str,
             started: dt.datetime) -> None:
    """Set a run's status (``interrupted``, ``failed``) and its end."""
    ended = now()
    con.execute("UPDATE runs SET status = ?, ended = ?, duration = ? WHERE id = ?",
                [status, ended, (ended - started).total_seconds(), run_id])


def store_result(path: Path, result: Result, info: RunInfo,
                 notice: Callable[[str], None] | None = None, run_id: int | None = None) -> int:
    """Store a finished run in one transaction (or finish the one ``run_id`` begun); its id.

    Raises:
        StoreError: the store cannot be opened or written; nothing of this run is half-written.
    """
    import duckdb

    con = open_store(path, notice)
    try:
        if run_id is None:
            run_id = _next_id(con)
            with transaction(con, path):
                _insert_run(con, run_id, info, "running", None, None)
                _write_result(con, run_id, result, info.started)
        else:
            finish_run(con, run_id, result, info.started, path)
        con.close()
    except (duckdb.Error, StoreError) as exc:
        error = exc if isinstance(exc, StoreError) else explain(exc, path)
        with contextlib.suppress(duckdb.Error):
            con.close()
        if run_id is not None and _stored(path, run_id):
            # The transaction reached the write-ahead log; what failed came after it (the
            # checkpoint that folds the log into the file, on a full disk).
            if notice is not None:
                notice(f"note: run {run_id} was stored, but {error}")
            return run_id
        raise error from None
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.close()
        raise
    return run_id


def _stored(path: Path, run_id: int) -> bool:
    """Whether run ``run_id`` is in the store, done (checked after a failed write)."""
    import duckdb

    try:
        con = connect(path, read_only=True, wait=5.0)
    except StoreError:
        return False
    try:
        row = con.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()
        return row is not None and row[0] == "done"
    except duckdb.Error:
        return False
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()
