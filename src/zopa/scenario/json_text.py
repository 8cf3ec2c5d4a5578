"""Parsing JSON text with the line of every field, safe against hostile input.

The standard library parses; the YAML composer (JSON is nearly a subset of YAML) finds the line of
every field. Guards, each a located problem: nesting deeper than :data:`MAX_DEPTH`, duplicate keys,
and whole numbers too long to convert quickly.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from zopa.errors import Problem, ScenarioError
from zopa.scenario.located import MAX_DEPTH, MAX_INT_DIGITS, Document, PathKey, too_long_number
from zopa.scenario.yaml_text import walk


def parse_json(text: str, file: str, loader_class: Any) -> Document:
    """Parse JSON text; ``loader_class`` is the YAML loader that finds the lines."""
    duplicated: list[str] = []

    def keep_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                duplicated.append(key)
            out[key] = value
        return out

    too_long: list[int] = []

    def whole_number(digits: str) -> int:
        # int() refuses more than 4,300 digits with a bare ValueError (and is slow before that)
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            too_long.append(len(digits.lstrip("-")))
            return 0
        return int(digits)

    try:
        data = json.loads(text, object_pairs_hook=keep_duplicates, parse_int=whole_number)
    except json.JSONDecodeError as exc:
        raise ScenarioError([_json_problem(file, text, exc)]) from None
    except RecursionError:
        data = None
        duplicated.clear()
        depth = MAX_DEPTH + 1
    else:
        depth = _json_depth(data)
    if depth > MAX_DEPTH:
        problem = Problem(file, None, "<json>", f"nesting too deep (more than {MAX_DEPTH} levels)")
        raise ScenarioError([problem])
    # JSON is (nearly) a subset of YAML, whose composer knows the line of every node. Tabs are
    # whitespace in JSON but not in YAML; JSON strings hold none unescaped, so swapping is safe.
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=loader_class)
    except (yaml.YAMLError, RecursionError):
        node = None
    if node is not None:
        walk(node, (), lines, problems, file)
    if too_long:
        unlocated = Problem(file, None, "<json>", too_long_number(too_long[0]))
        raise ScenarioError(problems or [unlocated])
    if duplicated:
        unlocated_keys = [Problem(file, None, key, "duplicate key") for key in duplicated]
        raise ScenarioError(problems or unlocated_keys)
    return Document(file, data, lines)


def _json_problem(file: str, text: str, exc: json.JSONDecodeError) -> Problem:
    before = text[: exc.pos].rstrip()
    here = text[exc.pos : exc.pos + 1]
    if before.endswith(",") and here in ("]", "}"):
        line = before.count("\n") + 1
        return Problem(file, line, "<json>", f"invalid JSON: a trailing comma before {here!r}")
    message = exc.msg[0].lower() + exc.msg[1:]
    if not text[exc.pos :].strip():
        message = "the file ends before every '{' and '[' is closed"
    return Problem(file, exc.lineno, "<json>", f"invalid JSON: {message}")


def _json_depth(data: Any) -> int:
    """Deepest nesting of parsed JSON, without recursion (JSON cannot hold cycles)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest
