"""Loading a scenario file: parse, validate the schema, run the cross-field checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zopa.errors import Problem, ScenarioError
from zopa.scenario.checks import check_scenario
from zopa.scenario.document import Document, PathKey, read_document
from zopa.scenario.schema import Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML, or JSON for ``.json``).

    Raises:
        ScenarioError: with every problem found, each located by file, line and field.
    """
    return scenario_from_document(read_document(path))


def scenario_from_document(document: Document) -> Scenario:
    """Validate parsed data as a scenario; see :func:`load_scenario`."""
    if not isinstance(document.data, dict):
        kind = type(document.data).__name__
        raise ScenarioError([document.problem((), f"a scenario is a mapping of sections, not a {kind}")])
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as exc:
        raise ScenarioError(_schema_problems(document, exc)) from None
    found = check_scenario(scenario)
    if found:
        raise ScenarioError(document.problem(path, message) for path, message in found)
    return scenario


def _schema_problems(document: Document, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = _data_path(document.data, error["loc"], missing=error["type"] == "missing")
        problems.append(document.problem(path, _message(error)))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.path, p.message))


def _data_path(data: Any, loc: tuple[int | str, ...], *, missing: bool) -> PathKey:
    """The part of pydantic's ``loc`` that names places in the data.

    pydantic adds the names of union members and validators to ``loc`` (``float``,
    ``function-after[...]``); they name nothing the user wrote, so the path stops where the data
    does. A missing field keeps its own name.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif missing and isinstance(node, dict) and part == loc[-1]:
            path.append(part)
            break
    return tuple(path)


def _message(error: Any) -> str:
    kind = error["type"]
    msg = str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format)"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, ") :]
    value = error.get("input")
    if kind in ("finite_number",):
        return f"must be a finite number, not {value!r}"
    return msg[0].lower() + msg[1:] if msg else kind
