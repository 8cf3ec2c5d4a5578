"""Use cases of the run store: list, show, compare, export and gc stored runs; typed results
(:mod:`zopa.results.runs`). Storing a run is :func:`zopa.store.writer.store_result`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from zopa.errors import UsageError
from zopa.inputs import printable
from zopa.results.runs import (
    InputChanges,
    OutputChange,
    RunComparisonResult,
    RunDetailResult,
    RunExportResult,
    RunGcResult,
    RunListResult,
    RunSummary,
)
from zopa.store import queries
from zopa.store.location import store_path


def scenario_hash(file: Path) -> str:
    """The content hash (sha256 of the bytes) by which the store knows a scenario file.

    Raises:
        UsageError: the file cannot be read.
    """
    shown = printable(str(file))
    try:
        if not file.is_file():
            raise UsageError(f"{shown}: not a regular file (a folder, a pipe, a device or "
                             "missing)")
        with file.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as exc:
        raise UsageError(f"{shown}: {exc.strerror or exc}") from None


def _run_id(run_id: int) -> int:
    """A run id as the store holds it (a 64-bit integer); larger ones name no run."""
    if not 1 <= run_id < 2**63:
        raise UsageError(f"no run {run_id} in the store (see `zopa runs list`)"
                         if run_id < 10**40 else "no such run in the store")
    return run_id


def list_runs(*, store: Path | None = None, scenario: Path | None = None,
              command: str | None = None, limit: int | None = None) -> RunListResult:
    """Stored runs, newest first: all, or those of one scenario (by its content) or command."""
    path = store_path(store)
    rows, total = queries.list_runs(
        path, scenario_hash=scenario_hash(scenario) if scenario is not None else None,
        command=command, limit=limit)
    return RunListResult(store=str(path), runs=[RunSummary(**r) for r in rows], total=total)


def show_run(run_id: int, *, store: Path | None = None) -> RunDetailResult:
    """One stored run with its arguments, parameters, rows per table and result."""
    path = store_path(store)
    data = queries.show_run(path, _run_id(run_id))
    return RunDetailResult(store=str(path), run=RunSummary(**data.pop("run")), **data)


def compare_runs(a: int, b: int, *, store: Path | None = None) -> RunComparisonResult:
    """What changed between two stored runs: inputs (scenario, parameters, seed) and outputs
    (per-issue forecasts, P(ZOPA) per date, vote probabilities...)."""
    path = store_path(store)
    data = queries.compare_runs(path, _run_id(a), _run_id(b))
    return RunComparisonResult(
        store=str(path), a=RunSummary(**data["a"]), b=RunSummary(**data["b"]),
        inputs=InputChanges(**data["inputs"]),
        outputs=[OutputChange(**c) for c in data["outputs"]], unchanged=data["unchanged"],
        truncated=data["truncated"])


def export_runs(run_ids: Sequence[int] | None, out: Path, *,
                store: Path | None = None) -> RunExportResult:
    """Stored runs (``None``: all) exported, one Parquet or CSV file a table."""
    path = store_path(store)
    ids = None if run_ids is None else [_run_id(i) for i in run_ids]
    data = queries.export_runs(path, ids, out)
    return RunExportResult(store=str(path), **data)


def gc_runs(keep: int, *, store: Path | None = None) -> RunGcResult:
    """Remove every stored run but the ``keep`` newest."""
    if keep < 0:
        raise UsageError("--keep must be 0 or more")
    path = store_path(store)
    return RunGcResult(store=str(path), **queries.gc_runs(path, min(keep, 2**62)))
