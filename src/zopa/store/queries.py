"""Reading the run store: list, show, compare, export and gc, as plain rows for
:mod:`zopa.app.runs` to turn into typed results.

Reads open the store read-only (other processes may read at the same time); a store of an older
schema is migrated first (one write). A store that does not exist yet has no runs.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zopa.errors import UsageError
from zopa.inputs import printable
from zopa.store import schema
from zopa.store.connection import StoreError, connect, explain, transaction
from zopa.store.writer import open_store

if TYPE_CHECKING:
    import duckdb

MAX_CHANGES = 500
"""Output changes listed by :func:`compare_runs` (the count of the rest is reported)."""
DIFF_LINES = 40
"""Lines of the scenario diff kept."""

SUMMARY_COLUMNS = (
    "r.id", "r.command", "r.kind", "r.status", "r.started", "r.duration", "r.scenario_hash",
    "s.file_name", "s.title", "r.model", "r.seed", "r.samples", "r.items_done",
    "r.items_total", "r.unit")
SUMMARY_NAMES = tuple(c.split(".")[1].replace("file_name", "scenario_file")
                      for c in SUMMARY_COLUMNS)
_FROM = "FROM runs r LEFT JOIN scenarios s ON s.hash = r.scenario_hash"

COMPARED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "outcomes": (("variant", "issue"), ("value", "label", "median", "zone_low", "zone_high")),
    "timeline": (("branch", "step", "date", "event"), ("zopa", "gap", "margin", "p_zopa",
                                                        "p_zopa_se")),
    "votes": (("body", "item", "member"), ("yes", "no", "abstain", "absent")),
    "vote_results": (("body", "item"), ("adopted", "failed", "vetoed")),
    "negotiations": (("variant",), ("agreement_rate", "mean_rounds")),
    "negotiation_agents": (("variant", "agent"), ("walked_away", "mean_utility")),
    "backtest_scores": (("method",), ("accuracy", "brier", "log_loss")),
    "drivers": (("output", "label"), ("first", "total", "mu_star")),
    "power": (("body", "member"), ("shapley_shubik", "banzhaf")),
}
"""Per table compared by :func:`compare_runs`: the columns that identify a row, and the ones
compared."""


@contextlib.contextmanager
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The store opened read-only (migrated first if older); ``None`` if it does not exist."""
    import duckdb

    if not path.exists():
        yield None
        return
    if path.is_dir():
        raise StoreError(f"run store {printable(str(path))}: is a directory; give a file")
    con = connect(path, read_only=True)
    try:
        if schema.version(con) < schema.VERSION:
            con.close()
            open_store(path).close()
            con = connect(path, read_only=True)
        yield con
    except duckdb.Error as exc:
        raise explain(exc, path) from None
    finally:
        con.close()


def _summary(row: Sequence[Any]) -> dict[str, Any]:
    data = dict(zip(SUMMARY_NAMES, row, strict=True))
    data["started"] = data["started"].isoformat() + "Z" if data["started"] else ""
    return data


def list_runs(path: Path, *, scenario_hash: str | None = None, command: str | None = None,
              limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Runs newest first (filtered by scenario content hash and command), and how many match."""
    with reading(path) as con:
        if con is None:
            return [], 0
        where, args = _filters(scenario_hash, command)
        total = con.execute(f"SELECT count(*) {_FROM} {where}", args).fetchone()
        sql = f"SELECT {', '.join(SUMMARY_COLUMNS)} {_FROM} {where} ORDER BY r.id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = con.execute(sql, args).fetchall()
        return [_summary(r) for r in rows], int(total[0]) if total else 0


def _filters(scenario_hash: str | None, command: str | None) -> tuple[str, list[Any]]:
    terms, args = [], []
    if scenario_hash is not None:
        terms.append("r.scenario_hash = ?")
        args.append(scenario_hash)
    if command is not None:
        terms.append("r.command = ?")
        args.append(command)
    return ("WHERE " + " AND ".join(terms)) if terms else "", args


def _run(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any]:
    row = con.execute(f"SELECT {', '.join(SUMMARY_COLUMNS)} {_FROM} WHERE r.id = ?",
                      [run_id]).fetchone()
    if row is None:
        raise UsageError(f"no run {run_id} in the store (see `zopa runs list`)")
    return _summary(row)


def show_run(path: Path, run_id: int) -> dict[str, Any]:
    """One run: its summary, arguments, parameters, rows per table and result JSON."""
    with reading(path) as con:
        if con is None:
            raise UsageError(f"no run {run_id}: the store {printable(str(path))} is empty")
        run = _run(con, run_id)
        extra = con.execute("SELECT argv, params, zopa_version, result FROM runs WHERE id = ?",
                            [run_id]).fetchone()
        assert extra is not None
        tables = {}
        for table in schema.TABLES[2:]:
            n = con.execute(f"SELECT count(*) FROM {table} WHERE run_id = ?",
                            [run_id]).fetchone()
            if n and n[0]:
                tables[table] = int(n[0])
        return {"run": run, "argv": json.loads(extra[0] or "[]"),
                "params": json.loads(extra[1] or "{}"), "zopa_version": extra[2],
                "tables": tables, "result": json.loads(extra[3]) if extra[3] else None}


def compare_runs(path: Path, a: int, b: int) -> dict[str, Any]:
    """Two runs' input changes (scenario, parameters, seed) and output changes."""
    with reading(path) as con:
        if con is None:
            raise UsageError(f"no runs to compare: the store {printable(str(path))} is empty")
        run_a, run_b = _run(con, a), _run(con, b)
        inputs = _input_changes(con, a, b, run_a, run_b)
        changes: list[dict[str, Any]] = []
        unchanged = 0
        for table, (keys, columns) in COMPARED.items():
            old, new = (_keyed(con, table, keys, columns, i) for i in (a, b))
            for key in sorted(old.keys() | new.keys(), key=str):
                va, vb = old.get(key), new.get(key)
                for j, column in enumerate(columns):
                    x = va[j] if va is not None else None
                    y = vb[j] if vb is not None else None
                    if _same(x, y):
                        unchanged += 1
                    else:
                        shown = "/".join(str(k) for k in key if k != "")
                        changes.append({"table": table, "key": shown, "column": column,
                                        "a": x, "b": y})
        return {"a": run_a, "b": run_b, "inputs": inputs, "outputs": changes[:MAX_CHANGES],
                "unchanged": unchanged, "truncated": len(changes) > MAX_CHANGES}


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)
    return bool(x == y)


def _keyed(con: duckdb.DuckDBPyConnection, table: str, keys: Sequence[str],
           columns: Sequence[str], run_id: int) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    sql = (f"SELECT {', '.join((*keys, *columns))} FROM {table} "
           "WHERE run_id = ?")
    n = len(keys)
    return {tuple("" if k is None else k for k in r[:n]): tuple(r[n:])
            for r in con.execute(sql, [run_id]).fetchall()}


def _input_changes(con: duckdb.DuckDBPyConnection, a: int, b: int, run_a: dict[str, Any],
                   run_b: dict[str, Any]) -> dict[str, Any]:
    rows = {i: con.execute("SELECT r.params, s.text FROM runs r LEFT JOIN scenarios s ON "
                           "s.hash = r.scenario_hash WHERE r.id = ?", [i]).fetchone()
            for i in (a, b)}
    pa, pb = (json.loads((rows[i] or (None,))[0] or "{}") for i in (a, b))
    params = {k: {"a": pa.get(k), "b": pb.get(k)} for k in sorted(pa.keys() | pb.keys())
              if pa.get(k) != pb.get(k) and k != "seed"}
    ta, tb = ((rows[i] or (None, None))[1] or "" for i in (a, b))
    same = run_a["scenario_hash"] == run_b["scenario_hash"]
    diff = [] if same else list(difflib.unified_diff(
        ta.splitlines(), tb.splitlines(), f"run {a}", f"run {b}", lineterm="", n=0))
    body = [line for line in diff[2:] if not line.startswith("@@")]
    seed = None if run_a["seed"] == run_b["seed"] else {"a": run_a["seed"], "b": run_b["seed"]}
    return {"same_scenario": same,
            "scenario_lines_added": sum(line.startswith("+") for line in body),
            "scenario_lines_removed": sum(line.startswith("-") for line in body),
            "scenario_diff": [printable(line)[:200] for line in diff[:DIFF_LINES]],
            "params": params, "seed": seed}


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_runs(path: Path, run_ids: Sequence[int] | None, out: Path) -> dict[str, Any]:
    """Every table's rows of ``run_ids`` (``None``: all runs) written with DuckDB's ``COPY``,
    one file a table: ``out.parquet`` gives ``out.runs.parquet``, ``out.outcomes.parquet``...
    (CSV likewise, with a header). Each file is written under a temporary name and renamed."""
    fmt = {".parquet": "PARQUET", ".csv": "CSV"}.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"{printable(str(out))}: give a file name ending in .parquet or .csv")
    if not out.parent.is_dir():
        raise UsageError(f"{printable(str(out.parent))}: no such folder")
    with reading(path) as con:
        if con is None:
            raise UsageError(f"nothing to export: the store {printable(str(path))} is empty")
        if run_ids is not None:
            for i in run_ids:
                _run(con, i)
        ids = "" if run_ids is None else ", ".join(str(int(i)) for i in run_ids)
        files, rows = {}, {}
        for table in schema.TABLES:
            if table == "scenarios":
                where = ("" if run_ids is None else
                         f"WHERE hash IN (SELECT scenario_hash FROM runs WHERE id IN ({ids}))")
            else:
                column = "id" if table == "runs" else "run_id"
                where = "" if run_ids is None else f"WHERE {column} IN ({ids})"
            target = out.with_name(f"{out.stem}.{table}{out.suffix}")
            temp = target.with_name(f".{target.name}.tmp")
            options = "FORMAT PARQUET" if fmt == "PARQUET" else "FORMAT CSV, HEADER"
            n = con.execute(f"SELECT count(*) FROM {table} {where}").fetchone()
            try:
                con.execute(f"COPY (SELECT * FROM {table} {where}) TO {_literal(temp)} "
                            f"({options})")
                temp.replace(target)
            except OSError as exc:
                temp.unlink(missing_ok=True)
                raise OSError(exc.errno, exc.strerror, str(target)) from None
            files[table], rows[table] = str(target), int(n[0]) if n else 0
        return {"runs": rows["runs"], "files": files, "rows": rows}


def gc_runs(path: Path, keep: int) -> dict[str, int]:
    """Remove every run but the ``keep`` newest (and scenarios no run uses), one transaction."""
    if not path.exists():
        return {"kept": 0, "removed": 0}
    import duckdb

    con = open_store(path)
    try:
        with transaction(con, path):
            total = con.execute("SELECT count(*) FROM runs").fetchone()
            old = f"(SELECT id FROM runs ORDER BY id DESC OFFSET {int(keep)})"
            for table in schema.TABLES[2:]:
                con.execute(f"DELETE FROM {table} WHERE run_id IN {old}")
            con.execute(f"DELETE FROM runs WHERE id IN {old}")
            con.execute("DELETE FROM scenarios WHERE hash NOT IN (SELECT scenario_hash FROM "
                        "runs WHERE scenario_hash IS NOT NULL)")
        n = int(total[0]) if total else 0
        con.execute("CHECKPOINT")
        return {"kept": min(n, keep), "removed": max(n - keep, 0)}
    except duckdb.Error as exc:
        raise explain(exc, path) from None
    finally:
        con.close()
