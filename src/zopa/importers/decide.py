"""Importing decide's ``#A/#P/#M/#D`` input files (github.com/foarsitter/decide-exchange-model).

Tab-separated records, fields optionally in single or double quotes:

- ``#A  id  name  [comment]`` an actor; ``#P  id  name  [comment]`` an issue;
- ``#M  issue  value`` twice per issue: the lower and upper end of its scale (decide's default,
  without ``#M``, is 0-100; ``--range`` overrides both);
- ``#D  actor  issue  position  salience  power`` a stance; salience on 0-1;
- ``#O  title``, ``#/  comment`` and blank lines are skipped.

Power is per actor and issue in decide but one capability per actor in zopa: the scenario keeps
the actor's mean power and says so when it differs by issue. Every problem names the line.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from zopa.errors import Problem, ScenarioError
from zopa.importers.output import validated_yaml
from zopa.importers.table import (
    MAX_TABLE_BYTES,
    MAX_TABLE_ROWS,
    Row,
    Table,
    check_rows,
    scenario_document,
)
from zopa.inputs import printable, printable_error, read_text_file, shown

_SPLIT = "split it into several files, e.g. one per issue"


def _fields(line: str) -> list[str]:
    return [f.strip().strip("'\"").strip() for f in line.rstrip("\r\n").split("\t")]


def _finite(text: str, file: str, line: int, field: str, problems: list[Problem]) -> float | None:
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(file, line, field, f"not a number: {shown(text)}"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(file, line, field, f"not a finite number: {shown(text)}"))
        return None
    return value


def read_decide(path: str | Path) -> Table:
    """Parse a decide input file into a :class:`Table` (bounds from ``#M``, else 0-100).

    Raises:
        ScenarioError: the file cannot be read safely (see :mod:`zopa.inputs`), has more than
            :data:`~zopa.importers.table.MAX_TABLE_ROWS` records, or holds bad records; every
            problem located.
    """
    try:
        return _read_decide(path)
    except ScenarioError as exc:
        raise printable_error(exc) from None


def _read_decide(path: str | Path) -> Table:
    file = str(path)
    table = Table(file, [])
    problems: list[Problem] = []
    marks: dict[str, list[tuple[float, int]]] = {}
    stances: list[tuple[int, list[str]]] = []
    text = read_text_file(path, max_bytes=MAX_TABLE_BYTES, what="a decide file",
                          content="a decide input file", hint=_SPLIT)
    records = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        records += 1
        if records > MAX_TABLE_ROWS:
            raise ScenarioError([Problem(file, number, "record", f"more than {MAX_TABLE_ROWS:,} "
                                         f"records; a decide file is limited to "
                                         f"{MAX_TABLE_ROWS:,} records ({_SPLIT})")])
        f = _fields(raw)
        kind = f[0]
        if kind in ("#/", "#O"):
            if kind == "#O" and len(f) > 1 and f[1]:
                table.title = f[1]
            continue
        if kind == "#A" or kind == "#P":
            if len(f) < 2 or not f[1]:
                problems.append(Problem(file, number, kind, "needs an id"))
                continue
            names = table.actor_names if kind == "#A" else table.issue_names
            if f[1] in names:
                what = "actor" if kind == "#A" else "issue"
                problems.append(Problem(file, number, kind, f"{what} {shown(f[1])} defined twice"))
            names[f[1]] = f[2] if len(f) > 2 and f[2] else f[1]
        elif kind == "#M":
            if len(f) < 3:
                problems.append(Problem(file, number, "#M", "needs an issue and a value"))
                continue
            bound = _finite(f[2], file, number, "#M", problems)
            if bound is not None:
                marks.setdefault(f[1], []).append((bound, number))
        elif kind == "#D":
            stances.append((number, f))
        else:
            problems.append(Problem(file, number, "record", f"unknown record type {shown(kind)} "
                                    "(expected #A, #P, #M, #D, #O or #/)"))
    for issue, values in marks.items():
        line = values[0][1]
        if issue not in table.issue_names:
            problems.append(Problem(file, line, "#M", f"unknown issue {shown(issue)} "
                                    "(no #P line)"))
        elif len(values) != 2:
            problems.append(Problem(file, line, "#M", f"issue {shown(issue)} needs two #M lines "
                                    f"(lower and upper), found {len(values)}"))
        else:
            lo, hi = sorted(v for v, _ in values)
            if not lo < hi:
                problems.append(Problem(file, values[1][1], "#M", f"issue {shown(issue)}: the "
                                        "two bounds are equal"))
            table.bounds[issue] = (lo, hi)
    for number, f in stances:
        if len(f) < 6:
            problems.append(Problem(file, number, "#D", f"needs actor, issue, position, salience "
                                    f"and power; found {len(f) - 1} fields"))
            continue
        actor, issue = f[1], f[2]
        if actor not in table.actor_names:
            problems.append(Problem(file, number, "#D", f"unknown actor {shown(actor)} "
                                    "(no #A line)"))
            continue
        if issue not in table.issue_names:
            problems.append(Problem(file, number, "#D", f"unknown issue {shown(issue)} "
                                    "(no #P line)"))
            continue
        numbers = [_finite(v, file, number, f"#D {name}", problems)
                   for v, name in zip(f[3:6], ("position", "salience", "power"), strict=True)]
        position, salience, power = numbers
        if position is None or salience is None or power is None:
            continue
        table.rows.append(Row(number, actor, issue, position, salience, power))
    if problems:
        raise ScenarioError(problems)
    if not table.rows:
        raise ScenarioError([Problem(file, None, "file", "no #D lines: nothing to import")])
    for issue in table.issue_names:
        table.bounds.setdefault(issue, (0.0, 100.0))
    # issues nobody takes a position on cannot be placed; keep the defined ones that are used
    used = {r.issue for r in table.rows}
    table.issue_names = {k: v for k, v in table.issue_names.items() if k in used}
    actors = {r.actor for r in table.rows}
    table.actor_names = {k: v for k, v in table.actor_names.items() if k in actors}
    return table


def import_decide(
    path: str | Path, *, bounds: tuple[float, float] | None = None, as_of: dt.date | None = None
) -> tuple[str, Table]:
    """Read a decide file and return the scenario's YAML text and what was read."""
    table = read_decide(path)
    if bounds is not None:
        table.bounds = {}
    check_rows(table, "1", bounds)
    document = scenario_document(table, "import-decide", as_of or dt.date.today())
    header = f"# Imported from {printable(Path(path).name)} by `zopa import-decide`.\n"
    return validated_yaml(document, str(path), header), table
