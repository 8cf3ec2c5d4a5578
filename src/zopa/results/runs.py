"""Results of ``zopa runs``: the run store listed, one run shown, two runs compared, runs exported
and old runs removed (docs/store.md; docs/json.md: ``zopa.runs/1``, ``zopa.run/1``,
``zopa.run-comparison/1``, ``zopa.runs-export/1``, ``zopa.runs-gc/1``)."""

from __future__ import annotations

from typing import Any, Literal

from zopa.results.base import Record, Result


class RunSummary(Record):
    """One stored run: what ran, on which scenario, when, and how it ended."""

    id: int
    command: str
    kind: str | None
    status: Literal["running", "done", "interrupted", "failed"]
    started: str
    """UTC, ISO 8601."""
    duration: float | None
    scenario_hash: str | None
    scenario_file: str | None
    title: str | None
    model: str | None
    seed: str | None
    samples: int | None
    items_done: int | None
    items_total: int | None
    unit: str | None


class RunListResult(Result):
    """``zopa runs list``: stored runs, newest first."""

    kind = "runs"
    format: Literal["zopa.runs/1"] = "zopa.runs/1"
    store: str
    runs: list[RunSummary]
    total: int
    """Runs in the store matching the filters (``runs`` may hold fewer: ``--limit``)."""


class RunDetailResult(Result):
    """``zopa runs show``: one run, how many rows it has in each table, its chunks, its
    result."""

    kind = "run"
    format: Literal["zopa.run/1"] = "zopa.run/1"
    store: str
    run: RunSummary
    argv: list[str]
    params: dict[str, Any]
    zopa_version: str | None
    tables: dict[str, int]
    result: dict[str, Any] | None
    """The result's JSON as printed by the command (``null`` for a run not done)."""


class ParamChange(Record):
    """A parameter that differs between two runs."""

    a: Any
    b: Any


class InputChanges(Record):
    """What differs in the inputs of two runs."""

    same_scenario: bool
    scenario_lines_added: int
    scenario_lines_removed: int
    scenario_diff: list[str]
    """The first lines of the scenario files' unified diff."""
    params: dict[str, ParamChange]
    seed: ParamChange | None


class OutputChange(Record):
    """A number that differs between two runs: which table, which row, which column."""

    table: str
    key: str
    column: str
    a: float | str | bool | None
    b: float | str | bool | None


class RunComparisonResult(Result):
    """``zopa runs compare``: two runs' inputs and outputs, what changed."""

    kind = "run-comparison"
    format: Literal["zopa.run-comparison/1"] = "zopa.run-comparison/1"
    store: str
    a: RunSummary
    b: RunSummary
    inputs: InputChanges
    outputs: list[OutputChange]
    """Per-issue forecasts, P(ZOPA) and gap per date, vote probabilities, negotiation rates,
    drivers and power that differ (at most :data:`zopa.store.queries.MAX_CHANGES`)."""
    unchanged: int
    """Numbers compared that are equal."""
    truncated: bool


class RunExportResult(Result):
    """``zopa runs export``: tables written, one file each."""

    kind = "runs-export"
    format: Literal["zopa.runs-export/1"] = "zopa.runs-export/1"
    store: str
    runs: int
    files: dict[str, str]
    """Per table, the file written."""
    rows: dict[str, int]


class RunGcResult(Result):
    """``zopa runs gc``: runs removed, runs kept."""

    kind = "runs-gc"
    format: Literal["zopa.runs-gc/1"] = "zopa.runs-gc/1"
    store: str
    kept: int
    removed: int
