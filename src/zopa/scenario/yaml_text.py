"""Parsing YAML text with the line of every field, safe against hostile input.

Guards, each a located problem: YAML alias bombs ("billion laughs"), recursive aliases, nesting
deep enough to exhaust the parser's recursion, duplicate keys (which YAML would silently resolve by
keeping the last one, losing data), whole numbers too long to convert quickly, and values that an
explicit tag cannot construct (``!!int abc``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from zopa.errors import Problem, ScenarioError
from zopa.inputs import shown
from zopa.scenario.located import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    Document,
    PathKey,
    format_path,
    too_long_number,
)


class SafeLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text and reads booleans as YAML 1.2 does.

    PyYAML would otherwise turn ``2024-02-30`` into an exception at construction time and
    ``2024-03-25T10:00`` into a datetime, with no location for the error: pydantic parses and
    checks dates instead. PyYAML also follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off``
    are booleans; a scenario's votes (``m1: yes``) and ids (``NO`` for Norway) must stay text, so
    only ``true`` and ``false`` are booleans here (boolean fields still accept ``yes``/``no``).
    """


_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_HEX_CHARS = 3_500
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
SafeLoader.yaml_implicit_resolvers = {
    key: [
        (tag, _YAML12_BOOL if tag == _BOOL_TAG else rx)
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}

FAST_LOADER: Any = None
"""The same loader on libyaml's C parser, about ten times faster, when PyYAML was built with it.

libyaml composes nodes by C recursion, which crashes the interpreter on deep enough nesting, so
:func:`compose_yaml` measures the depth from the (iteratively produced) events first.
"""
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = SafeLoader.yaml_implicit_resolvers

    FAST_LOADER = _CLoader


def parse_yaml(text: str, file: str, loader_class: Any) -> Document:
    """Parse YAML text with ``loader_class`` (:class:`SafeLoader` or :data:`FAST_LOADER`)."""
    node = compose_yaml(text, file, loader_class)
    if node is None:
        raise ScenarioError([Problem(file, 1, "<file>", "file holds no YAML document")])
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    walk(node, (), lines, problems, file)
    if problems:
        raise ScenarioError(problems)
    loader = loader_class(text)
    try:
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:  # an unknown tag such as !!python/object
        raise ScenarioError([yaml_problem(file, exc)]) from None
    except Exception as exc:  # a tagged value that cannot be built: !!int abc
        raise ScenarioError([_unconstructed(loader, node, file, exc)]) from None
    finally:
        loader.dispose()
    return Document(file, data, lines)


def compose_yaml(text: str, file: str, loader_class: Any) -> yaml.Node | None:
    """The YAML node graph of ``text``, after checking its size, depth and aliases."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "<yaml>", message)])

    too_deep = f"nesting too deep (more than {MAX_DEPTH} levels)"
    try:
        depth, count = _event_count(loader_class, text)
        if depth > MAX_DEPTH:
            raise fail(too_deep)
        if count > MAX_NODES:
            raise fail(f"more than {MAX_NODES:,} values: far too large for a scenario")
        loader = loader_class(text)
        try:
            node: yaml.Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([yaml_problem(file, exc)]) from None
    except yaml.reader.ReaderError as exc:
        # libyaml gives a byte offset, PyYAML a character offset: find the character instead.
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        at = text.find(char)
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
        message = f"invalid YAML: control character U+{ord(char[:1] or ' '):04X} is not allowed"
        raise fail(message, line) from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise fail(too_deep) from None
    if node is not None:
        try:
            size, depth = _measure(node, {}, set())
        except _Recursive:
            raise fail("a recursive alias (an anchor used inside itself)") from None
        if size > MAX_NODES:
            raise fail(
                f"more than {MAX_NODES:,} values once aliases are expanded "
                "(an alias bomb, or far too large for a scenario)"
            )
        if depth > MAX_DEPTH:
            raise fail(too_deep)
    return node


def _event_count(loader_class: Any, text: str) -> tuple[int, int]:
    """``(depth, values)``: deepest nesting of lists and mappings, and number of parser events.

    Parser events come without recursion and before any node is built, so hostile nesting and
    sheer size are caught cheaply; counting stops once past :data:`MAX_DEPTH` or
    :data:`MAX_NODES`. Raises the parser's errors as they come.
    """
    loader = loader_class(text)
    depth = deepest = count = 0
    try:
        while deepest <= MAX_DEPTH and count <= MAX_NODES:
            event = loader.get_event()
            if event is None:
                break
            count += 1
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return deepest, count


_CONTEXTS = {
    "while parsing a flow sequence": "in a [...] list",
    "while parsing a flow mapping": "in a {...} mapping",
    "while parsing a block mapping": "in a mapping",
    "while parsing a block collection": "in a list",
    "while scanning a simple key": "in a key",
}


def yaml_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    """One analyst-readable line for PyYAML's (context, problem) pair, at the most useful line."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "'\\t'" in problem or "tab character" in problem:
        message = "a tab character; YAML is indented with spaces only"
    elif "quoted scalar" in context and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens, not the end of the file
        message = "a quoted text that is never closed"
    elif "single document" in context:
        message = "more than one YAML document ('---'); a file holds one scenario"
    elif "mapping values are not allowed" in problem:
        message = "a ':' where none is allowed (check the indentation, or quote text with ': ')"
    elif "could not determine a constructor" in problem:
        tag = problem.rsplit(" ", 1)[-1].removeprefix("'tag:yaml.org,2002:").strip("'")
        message = f"unsupported YAML tag {tag!r}"
    else:
        # PyYAML says "expected ',' or ']', but got '}'", libyaml "did not find expected ',' or
        # ']'": keep what both say, so messages do not depend on how PyYAML was built.
        found = re.match(r"(?:did not find )?(expected .*?)(?:, but (?:got|found) .*)?$", problem)
        if found:
            problem = found.group(1)
        where = _CONTEXTS.get(context, context)
        message = f"{where}: {problem}" if where and problem else (problem or where or "malformed")
    line = mark.line + 1 if mark is not None else None
    return Problem(file, line, "<yaml>", f"invalid YAML: {message}")


class _Recursive(Exception):
    """A node contains itself through an alias."""


def _measure(
    node: yaml.Node, memo: dict[int, tuple[int, int]], active: set[int]
) -> tuple[int, int]:
    """``(nodes, depth)`` once every alias is expanded, in time linear in the composed graph.

    ``depth`` counts nested lists and mappings (aliases can nest deeper than the text shows).
    An anchor's node is measured before any alias to it (anchors come first in a file), so the
    recursion is no deeper than the text's nesting, which :func:`_event_count` has bounded.
    The count stops growing once past :data:`MAX_NODES`.
    """
    key = id(node)
    if key in active:
        raise _Recursive
    if key in memo:
        return memo[key]
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        return 1, 0
    active.add(key)
    total, deepest = 1, 0
    for child in children:
        size, depth = _measure(child, memo, active)
        total += size
        deepest = max(deepest, depth)
        if total > MAX_NODES or deepest > MAX_DEPTH:
            break
    active.discard(key)
    memo[key] = (total, deepest + 1)
    return memo[key]


def walk(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, int],
    problems: list[Problem],
    file: str,
) -> None:
    """Record the line of every field in ``lines``; add duplicate keys and whole numbers too
    long to convert to ``problems``."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        _check_number(node, path, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            walk(child, (*path, index), lines, problems, file)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            _check_number(key_node, (*path, key[:40]), problems, file)
            if key in seen:
                message = f"duplicate key (also on line {seen[key]}); one value would be lost"
                problems.append(Problem(file, line, format_path((*path, key)), message))
                continue
            seen[key] = line
            lines[(*path, key)] = line
            walk(value_node, (*path, key), lines, problems, file)


def _check_number(node: yaml.ScalarNode, path: PathKey, problems: list[Problem], file: str) -> None:
    # Converting a long decimal takes time quadratic in its length, and so does YAML 1.1's
    # base-60 form (1:2:3:...); Python refuses decimals past 4,300 digits with a bare ValueError,
    # and prints no number past them (a hexadecimal of 3,600 digits has 4,334 decimal ones).
    if node.tag != _INT_TAG or len(node.value) <= _HEX_CHARS:
        return
    text = node.value.lstrip("+-").replace("_", "")
    if text.isdigit() and len(text) > MAX_INT_DIGITS:
        message = too_long_number(len(text))
    elif text[:2].lower() == "0x" and len(text) > _HEX_CHARS:
        message = (f"a hexadecimal number of {len(text) - 2:,} digits; hexadecimal numbers are "
                   f"limited to {_HEX_CHARS - 2:,} digits")
    elif len(text) > MAX_INT_DIGITS:
        message = (f"a whole number written with {len(text):,} characters; whole numbers are "
                   f"limited to {MAX_INT_DIGITS:,}")
    else:
        return
    problems.append(Problem(file, node.start_mark.line + 1, format_path(path), message))


def _unconstructed(loader: Any, root: yaml.Node, file: str, exc: Exception) -> Problem:
    """The first scalar (in file order) that cannot be constructed, located."""
    stack: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except Exception:  # found it
                kind = str(node.tag).rsplit(":", 1)[-1]
                return Problem(file, node.start_mark.line + 1, format_path(path),
                               f"{shown(node.value)} is not a valid {kind}")
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, k)) for k, child in reversed(list(enumerate(node.value))))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<key>"
                stack.append((value_node, (*path, key)))
                stack.append((key_node, (*path, key)))
    line = root.start_mark.line + 1
    return Problem(file, line, "<yaml>", f"a value cannot be read: {' '.join(str(exc).split())}")
