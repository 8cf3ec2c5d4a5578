"""Loading a scenario file: parse, validate the schema, run the cross-field checks.

pydantic's error messages are written for programmers (``Input should be a valid dictionary or
instance of Cited``, one line per union member); an analyst editing a YAML file needs to know which
field is wrong, on which line, and what to write instead. :func:`_message` rewrites each error in
those terms, and errors that pydantic reports once per member of a union (a position's ``ideal`` is
a number *or* an option name) are merged into one line.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from zopa.errors import Problem, ScenarioError
from zopa.scenario.checks import check_scenario
from zopa.scenario.document import Document, PathKey, read_document
from zopa.scenario.schema import ID_PATTERN, URL_PATTERN, Branch, Cited, Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (YAML, or JSON for ``.json``).

    Raises:
        ScenarioError: with every problem found, each located by file, line and field.
    """
    scenario = scenario_from_document(read_document(path))
    _remember_origin(scenario, str(path))
    return scenario


_ORIGINS: dict[int, tuple[weakref.ref[Scenario], str]] = {}
"""Where each loaded scenario was read from, by object id (the entry leaves with the object)."""


def _remember_origin(scenario: Scenario, path: str) -> None:
    key = id(scenario)
    _ORIGINS[key] = (weakref.ref(scenario, lambda _: _ORIGINS.pop(key, None)), path)


def scenario_origin(scenario: Scenario) -> str | None:
    """The file :func:`load_scenario` read ``scenario`` from (``None`` for a scenario built in
    memory or copied), so that paths in it, such as a body's record file, resolve next to it.
    Kept outside the model: it is where the data came from, not part of the data."""
    entry = _ORIGINS.get(id(scenario))
    return entry[1] if entry is not None and entry[0]() is scenario else None


def scenario_from_document(document: Document) -> Scenario:
    """Validate parsed data as a scenario; see :func:`load_scenario`.

    Schema problems (types, ranges, unknown fields) are all reported together; the cross-field
    checks (unknown ids, values off an issue's scale) need a well-formed scenario, so they run,
    and are all reported together, once the schema problems are fixed.
    """
    if not isinstance(document.data, dict):
        kind = "text" if isinstance(document.data, str) else _describe(document.data)
        message = f"a scenario is a mapping of sections (meta, actors, ...), not {kind}"
        raise ScenarioError([document.problem((), message)])
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as exc:
        raise ScenarioError(_schema_problems(document, exc)) from None
    found = check_scenario(scenario)
    if found:
        raise ScenarioError(document.problem(path, message) for path, message in found)
    return scenario


class BranchFile(BaseModel):
    """A file of counterfactual branches for a scenario: ``branches: [...]`` as in a scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    branches: list[Branch] = Field(min_length=1)


def load_branches(path: str | Path, scenario: Scenario) -> Scenario:
    """The scenario with the branches of a separate file added (docs/timeline.md).

    Raises:
        ScenarioError: with every problem of the branch file, located in it (unknown events,
            a branch id the scenario already uses, schema problems).
    """
    document = read_document(path)
    if not isinstance(document.data, dict):
        raise ScenarioError([document.problem((), "a branch file is a mapping with branches: "
                                                   "[...]")])
    try:
        found = BranchFile.model_validate(document.data)
    except ValidationError as exc:
        raise ScenarioError(_schema_problems(document, exc)) from None
    first = len(scenario.branches)
    merged = scenario.model_copy(update={"branches": [*scenario.branches, *found.branches]})
    problems = [
        document.problem(("branches", int(where[1]) - first, *where[2:]), message)
        for where, message in check_scenario(merged)
        if where[:1] == ("branches",) and int(where[1]) >= first
    ]
    if problems:
        raise ScenarioError(problems)
    return merged


def _schema_problems(document: Document, exc: ValidationError) -> list[Problem]:
    grouped: dict[PathKey, list[ErrorDetails]] = {}
    for error in exc.errors(include_url=False):
        path = _data_path(document.data, error["loc"], missing=error["type"] == "missing")
        grouped.setdefault(path, []).append(error)
    problems = {
        document.problem(path, message)
        for path, errors in grouped.items()
        for message in _messages(path, errors)
    }
    return sorted(problems, key=lambda p: (p.line or 0, p.path, p.message))


def _data_path(data: Any, loc: tuple[int | str, ...], *, missing: bool) -> PathKey:
    """The part of pydantic's ``loc`` that names places in the data.

    pydantic adds the names of union members and validators to ``loc`` (``float``,
    ``function-after[...]``); they name nothing the user wrote, so the path stops where the data
    does. A missing field keeps its own name.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            node = node[part]
            path.append(part)
        elif missing and isinstance(node, dict) and part == loc[-1]:
            path.append(part)
            break
    return tuple(path)


def _messages(path: PathKey, errors: list[ErrorDetails]) -> list[str]:
    """One message per problem at ``path``; a union's per-member errors become one message."""
    from_union = [e for e in errors if len(e["loc"]) > len(path) and e["type"] != "missing"]
    if len(from_union) >= 2 and len({e["loc"] for e in from_union}) >= 2:
        # Every member of a union rejected the value: say what the union accepts.
        kinds = {e["type"] for e in from_union}
        value = from_union[0].get("input")
        rest = [_message(path, e) for e in errors if e not in from_union]
        if kinds & _NUMBER_ERRORS and "string_type" in kinds:
            what = "a finite number" if "finite_number" in kinds else "a number"
            return [*rest, f"must be {what} or an option name, not {_describe(value)}"]
        return [*rest, " or ".join(dict.fromkeys(_message(path, e) for e in from_union))]
    return [_message(path, e) for e in errors]


_NUMBER_ERRORS = {"float_type", "float_parsing", "finite_number", "bool_not_number"}

_TYPE_NAMES = {
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_not_number": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}

_BOUNDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def _message(path: PathKey, error: ErrorDetails) -> str:
    """An analyst's wording of one pydantic error at ``path``."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return _unknown_field(path)
    if kind == "model_type" and ctx.get("class_name") == Cited.__name__:
        return (
            "must be a number or a mapping {value, source, estimate, note}, "
            f"not {_describe(value)}"
        )
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, not {_describe(value)}"
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return f"must be a finite number, not {_describe(value)}"
    if kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        return f"must be {sign} {_describe(ctx[key])}, not {_describe(value)}"
    if kind in ("enum", "literal_error"):
        return f"must be {ctx['expected']}, not {_describe(value)}"
    if kind.startswith("date"):
        return f"must be a date written YYYY-MM-DD, not {_describe(value)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN:
            if value == "":
                return "an id must not be empty"
            return (
                "an id must start with a letter and hold only letters, digits, '_', '-' or '.', "
                f"not {_describe(value)}"
            )
        if ctx.get("pattern") == URL_PATTERN:
            return (
                f"must be a web address starting with http:// or https://, not {_describe(value)}"
            )
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters long"
    if kind == "too_short":
        needed = ctx["min_length"]
        return f"needs at least {needed} entr{'y' if needed == 1 else 'ies'}"
    if kind == "union_tag_invalid":
        return f"dist must be one of {ctx['expected_tags']}, not {ctx['tag']!r}"
    if kind == "union_tag_not_found":
        return f"needs a {ctx['discriminator']} field: 'normal', 'uniform' or 'triangular'"
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg[0].lower() + msg[1:] if msg else kind


def _describe(value: Any) -> str:
    """A value as the analyst wrote it, short: ``a list``, ``'high'``, ``nan``, ``true``."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "...'"


def _unknown_field(path: PathKey) -> str:
    """Name the field the user probably meant, or list the allowed ones."""
    allowed = sorted(_fields_at(Scenario, path[:-1]))
    if not allowed or not isinstance(path[-1], str):
        return "unknown field (not part of the scenario format)"
    close = difflib.get_close_matches(path[-1], allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean {close[0]!r}?"
    return f"unknown field; allowed here: {', '.join(allowed)}"


def _fields_at(annotation: Any, path: Sequence[str | int]) -> set[str]:
    """Names (as written in a file) of the fields of the model(s) found at ``path``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _fields_at(typing.get_args(annotation)[0], path)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_fields_at(arg, path) for arg in typing.get_args(annotation)))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        if not path:
            return {info.alias or name for name, info in fields.items()}
        for name, info in fields.items():
            if path[0] in (name, info.alias):
                return _fields_at(info.annotation, path[1:])
        return set()
    if path and origin is list:
        return _fields_at(typing.get_args(annotation)[0], path[1:])
    if path and origin is dict:
        return _fields_at(typing.get_args(annotation)[1], path[1:])
    return set()
