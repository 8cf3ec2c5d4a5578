"""Importing the usual actor table of the expected-utility and exchange models.

The table has one row per actor (one issue), or one row per actor and issue with an issue column.
Column names are matched case-insensitively, as they appear in the wild:

- actor: ``actor``, ``stakeholder``, ``player``, ``name``, ``party``
- capability: ``capability``, ``clout``, ``resources``, ``power``, ``influence``
- position: ``position``, ``ideal``, ``stance``
- salience: ``salience``, ``importance``, ``priority``
- issue (optional): ``issue``, ``topic``, ``dimension``, ``question``

Salience is read on 0-1 or 0-100: stated with ``salience_scale`` (1 or 100) or detected (any
value above 1 means 0-100); :attr:`Table.notes` says what was detected. Each issue's scale is
``[lo, hi]`` from ``--range`` or, by default, the range of the positions in the data (widened by
one unit on each side if every actor holds the same position, since a scale needs two ends).
Every problem names its file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zopa.errors import Problem, ScenarioError, UsageError
from zopa.importers.output import make_ids, validated_yaml
from zopa.inputs import printable, printable_error, read_text_file, shown

MAX_TABLE_BYTES = 16 * 1024 * 1024
"""Largest table (or decide file) read: 100,000 rows take about 5 MB."""

MAX_TABLE_ROWS = 200_000
"""Most data rows read from a table (or ``#``-records from a decide file)."""

_SPLIT = "split the table into several files, e.g. one per issue"
_SNIFF_CHARS = 2_048

COLUMNS: dict[str, tuple[str, ...]] = {
    "actor": ("actor", "stakeholder", "player", "name", "party", "actor_name"),
    "capability": ("capability", "clout", "resources", "power", "influence", "capabilities"),
    "position": ("position", "ideal", "stance", "ideal_point"),
    "salience": ("salience", "importance", "priority"),
    "issue": ("issue", "topic", "dimension", "question"),
}
REQUIRED = ("actor", "capability", "position", "salience")


@dataclass
class Row:
    """One actor's stance on one issue, with the line it came from."""

    line: int
    actor: str
    issue: str
    position: float
    salience: float  # as read (0-1 or 0-100)
    capability: float


@dataclass
class Table:
    """What an importer read: rows in file order, issue bounds, and what it noticed."""

    file: str
    rows: list[Row]
    issue_names: dict[str, str] = field(default_factory=dict)  # issue key -> display name
    actor_names: dict[str, str] = field(default_factory=dict)  # actor key -> display name
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    title: str | None = None


def parse_range(text: str | None) -> tuple[float, float] | None:
    """``"lo,hi"`` -> ``(lo, hi)``; raises UsageError unless ``lo < hi``."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise UsageError(f"the range takes lo,hi (two numbers), not {text!r}") from None
    if not lo < hi:
        raise UsageError(f"the range {text}: need lo < hi")
    return lo, hi


def _match_columns(header: list[str], file: str, line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    keys = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    for role, names in COLUMNS.items():
        hits = [k for k, h in enumerate(keys) if h in names]
        if len(hits) > 1:
            cols = ", ".join(header[k] for k in hits)
            raise ScenarioError([Problem(file, line, "header", f"several {role} columns: {cols}")])
        if hits:
            found[role] = hits[0]
    missing = [r for r in REQUIRED if r not in found]
    if missing:
        wanted = "; ".join(f"{r}: one of {', '.join(COLUMNS[r])}" for r in missing)
        raise ScenarioError([Problem(file, line, "header", f"missing column(s) - {wanted}")])
    return found


def _number(text: str, file: str, line: int, column: str, problems: list[Problem]) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        problems.append(Problem(file, line, column, f"not a number: {shown(text.strip())}"))
        return float("nan")
    if not math.isfinite(value):
        problems.append(Problem(file, line, column, f"not a finite number: {shown(text.strip())}"))
    return value


def check_issue_name(issue_name: str) -> str:
    """The issue name for a table without an issue column; raises UsageError if it is empty."""
    if not issue_name.strip():
        raise UsageError("the issue needs a name (the issue of a table without an issue column), "
                         "not an empty text")
    return issue_name.strip()


def read_table(path: str | Path, issue_name: str = "issue") -> Table:
    """Read a CSV (comma, semicolon or tab separated) of actors; see the module docstring.

    Raises:
        UsageError: ``issue_name`` is empty.
        ScenarioError: the file cannot be read safely (see :mod:`zopa.inputs`), has more than
            :data:`MAX_TABLE_ROWS` rows, or holds bad values; every problem located.
    """
    issue_name = check_issue_name(issue_name)
    try:
        return _read_table(path, issue_name)
    except ScenarioError as exc:
        raise printable_error(exc) from None


def _read_table(path: str | Path, issue_name: str) -> Table:
    file = str(path)
    text = read_text_file(path, max_bytes=MAX_TABLE_BYTES, what="an actor table",
                          content="a CSV table", hint=_SPLIT)
    first = next((ln for ln in io.StringIO(text) if ln.strip()), None)
    if first is None:
        raise ScenarioError([Problem(file, 1, "file", "the file is empty")])
    try:  # the sniffer's regular expressions take time quadratic in the sample's length
        dialect: Any = csv.Sniffer().sniff(first[:_SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows: list[Row] = []
    problems: list[Problem] = []
    line = 0
    try:
        for record in reader:
            line = reader.line_num
            if not record or not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                columns = _match_columns(header, file, line)
                continue
            if len(rows) == MAX_TABLE_ROWS:
                raise ScenarioError([Problem(file, line, "row", f"more than {MAX_TABLE_ROWS:,} "
                                             f"rows; a table is limited to {MAX_TABLE_ROWS:,} "
                                             f"rows ({_SPLIT})")])
            row = _row(record, header, columns, issue_name, file, line, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise ScenarioError([*problems, _csv_problem(file, line + 1, exc)]) from None
    if problems:
        raise ScenarioError(problems)
    if not rows:
        raise ScenarioError([Problem(file, None, "file", "no data rows after the header")])
    table = Table(file, rows)
    table.issue_names = {r.issue: r.issue for r in rows}
    table.actor_names = {r.actor: r.actor for r in rows}
    return table


def _row(record: list[str], header: list[str], columns: dict[str, int], issue_name: str,
         file: str, line: int, problems: list[Problem]) -> Row | None:
    if len(record) < len(header):
        problems.append(Problem(file, line, "row", f"{len(record)} fields, the header has "
                                f"{len(header)}"))
        return None
    actor = record[columns["actor"]].strip()
    issue = record[columns["issue"]].strip() if "issue" in columns else issue_name
    if not actor:
        problems.append(Problem(file, line, header[columns["actor"]], "empty actor name"))
        return None
    if not issue:
        problems.append(Problem(file, line, header[columns["issue"]], "empty issue name"))
        return None
    values = {
        role: _number(record[columns[role]], file, line, header[columns[role]], problems)
        for role in ("position", "salience", "capability")
    }
    return Row(line, actor, issue, values["position"], values["salience"], values["capability"])


def _csv_problem(file: str, line: int, exc: csv.Error) -> Problem:
    limit = csv.field_size_limit()
    if "field larger than field limit" in str(exc):
        return Problem(file, line, "row", f"a cell of more than {limit:,} characters; cells are "
                       f"limited to {limit:,} characters (an actor table needs far fewer: is a "
                       "quote left open on this line?)")
    return Problem(file, line, "row", f"malformed CSV: {exc}")


def check_rows(table: Table, salience_scale: str, bounds: tuple[float, float] | None) -> None:
    """Check values and fix the salience scale and issue bounds; raise every problem at once.

    Time is linear in the number of rows (rows are grouped by issue once).
    """
    problems: list[Problem] = []
    top = max(r.salience for r in table.rows)
    if salience_scale == "auto":
        scale = 100.0 if top > 1.0 else 1.0
        table.notes.append(f"salience read on 0-{scale:g} (largest value {top:g})")
    elif salience_scale in ("1", "100"):
        scale = float(salience_scale)
    else:
        raise UsageError(f"the salience scale must be auto, 1 or 100, not {shown(salience_scale)}")
    seen: dict[tuple[str, str], int] = {}
    capability: dict[str, tuple[float, int]] = {}
    varying: set[str] = set()
    by_issue: dict[str, list[Row]] = {issue: [] for issue in table.issue_names}
    for r in table.rows:
        by_issue.setdefault(r.issue, []).append(r)
        if not 0.0 <= r.salience <= scale:
            problems.append(Problem(table.file, r.line, "salience",
                                    f"{r.salience:g} is outside 0-{scale:g}"))
        if not r.capability > 0.0:
            problems.append(Problem(table.file, r.line, "capability",
                                    f"must be > 0, not {r.capability:g}"))
        elif not math.isfinite(r.capability):
            problems.append(Problem(table.file, r.line, "capability",
                                    f"must be a finite number, not {r.capability:g}"))
        key = (r.actor, r.issue)
        if key in seen:
            problems.append(Problem(table.file, r.line, "row", f"{printable(r.actor)} on "
                                    f"{printable(r.issue)} already given on line {seen[key]}"))
        seen[key] = r.line
        if r.actor in capability and capability[r.actor][0] != r.capability:
            if r.actor not in varying:
                table.notes.append(f"{printable(r.actor)}: capability differs by issue (line "
                                   f"{r.line}); the scenario keeps the mean")
            varying.add(r.actor)
        capability.setdefault(r.actor, (r.capability, r.line))
        r.salience = r.salience / scale
    for issue in table.issue_names:
        rows = by_issue[issue]
        if bounds is not None:
            table.bounds[issue] = bounds
        elif issue not in table.bounds:
            lo, hi = min(r.position for r in rows), max(r.position for r in rows)
            table.bounds[issue] = (lo, hi) if lo < hi else (lo - 1.0, hi + 1.0)
            table.notes.append(f"issue {printable(issue)}: scale [{table.bounds[issue][0]:g}, "
                               f"{table.bounds[issue][1]:g}] from the data")
        lo, hi = table.bounds[issue]
        for r in rows:
            if not lo <= r.position <= hi:
                problems.append(Problem(table.file, r.line, "position",
                                        f"{r.position:g} is outside the scale [{lo:g}, {hi:g}] "
                                        f"of issue {printable(issue)}"))
    if problems:
        raise printable_error(ScenarioError(problems))


def _mean(values: list[float]) -> float:
    """The mean, or the value itself when all agree (so that an exact value stays exact)."""
    return values[0] if len(set(values)) == 1 else sum(values) / len(values)


def scenario_document(table: Table, source: str, as_of: dt.date) -> dict[str, Any]:
    """A zopa scenario (plain dict) from checked rows; every actor a stakeholder-party."""
    actors = dict(zip(table.actor_names, make_ids(list(table.actor_names), "actor"), strict=True))
    issues = dict(zip(table.issue_names, make_ids(list(table.issue_names), "issue"), strict=True))
    power: dict[str, list[float]] = {}
    positions: dict[str, dict[str, Any]] = {}
    for r in table.rows:
        power.setdefault(r.actor, []).append(r.capability)
        positions.setdefault(actors[r.actor], {})[issues[r.issue]] = {
            "ideal": r.position,
            "salience": round(r.salience, 12),
        }
    return {
        "meta": {
            "title": table.title or f"Imported from {Path(table.file).name}",
            "as_of": as_of.isoformat(),
            "description": " ".join(
                [f"Imported by zopa {source} from {Path(table.file).name}."]
                + [n.rstrip(".") + "." for n in table.notes]
            ),
        },
        "actors": [
            {
                "id": actors[a],
                "name": table.actor_names[a],
                "capability": _mean(power[a]),
            }
            for a in table.actor_names
        ],
        "issues": [
            {"id": issues[i], "name": table.issue_names[i], "range": list(table.bounds[i])}
            for i in table.issue_names
        ],
        "positions": positions,
    }


def import_table(
    path: str | Path, *, salience_scale: str = "auto", bounds: tuple[float, float] | None = None,
    issue_name: str = "issue", as_of: dt.date | None = None,
) -> tuple[str, Table]:
    """Read a table and return the scenario's YAML text and what was read.

    Raises:
        UsageError: a bad parameter (``issue_name`` empty, ``salience_scale`` unknown).
        ScenarioError: the table cannot be read safely or holds bad values, every problem located.
    """
    table = read_table(path, issue_name)
    check_rows(table, salience_scale, bounds)
    document = scenario_document(table, "import-table", as_of or dt.date.today())
    header = f"# Imported from {printable(Path(path).name)} by `zopa import-table`.\n"
    return validated_yaml(document, str(path), header), table
