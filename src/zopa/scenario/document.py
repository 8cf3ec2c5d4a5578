"""Reading a YAML or JSON document safely, with the line number of every field.

Scenario files come from analysts and from the web, so the reader guards against hostile input
before any parsing: a size cap, binary data, invalid UTF-8, YAML alias bombs ("billion laughs"),
nesting deep enough to exhaust the parser's recursion, and duplicate keys (which YAML would silently
resolve by keeping the last one, losing data).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zopa.errors import Problem, ScenarioError

MAX_BYTES = 8 * 1024 * 1024
"""Largest input file read; a scenario of thousands of actors is far below this."""

MAX_NODES = 500_000
"""Largest number of YAML nodes after alias expansion; guards against alias bombs."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; a scenario needs about 8 levels."""

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed data with the source line (1-based) of every mapping key and list item."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """Line of the deepest prefix of ``path`` that appears in the document."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), format_path(path), message)


def format_path(path: PathKey) -> str:
    """``("actors", 2, "capability")`` -> ``actors.2.capability``; the root is ``<document>``."""
    return ".".join(str(part) for part in path) if path else "<document>"


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text and reads booleans as YAML 1.2 does.

    PyYAML would otherwise turn ``2024-02-30`` into an exception at construction time and
    ``2024-03-25T10:00`` into a datetime, with no location for the error: pydantic parses and
    checks dates instead. PyYAML also follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off``
    are booleans; a scenario's votes (``m1: yes``) and ids (``NO`` for Norway) must stay text, so
    only ``true`` and ``false`` are booleans here (boolean fields still accept ``yes``/``no``).
    """


_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, _YAML12_BOOL if tag == _BOOL_TAG else rx)
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}

_FastLoader: Any = None
"""The same loader on libyaml's C parser, about ten times faster, when PyYAML was built with it.

libyaml composes nodes by C recursion, which crashes the interpreter on deep enough nesting, so
:func:`_compose_yaml` measures the depth from the (iteratively produced) events first.
"""
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    _FastLoader = _CLoader


def read_document(path: str | Path) -> Document:
    """Read a scenario file (``.json`` as JSON, anything else as YAML).

    Raises:
        ScenarioError: unreadable, too large, binary, not UTF-8, malformed, or hostile input.
    """
    file = str(path)
    p = Path(path)

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "<file>", message)])

    try:
        if not p.exists():
            raise fail("no such file")
        if p.is_dir():
            raise fail("is a directory, not a scenario file")
        if not p.is_file():  # a FIFO or a device would block or never end
            raise fail("not a regular file")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise fail(f"file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes")
        with p.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:  # grew while we looked
        raise fail(f"file is larger than {MAX_BYTES:,} bytes")
    return parse_document(raw, file, as_json=p.suffix.lower() == ".json")


def parse_document(raw: bytes, file: str, *, as_json: bool = False) -> Document:
    """Parse bytes already read; see :func:`read_document`."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "<file>", message)])

    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise fail("binary data (a NUL byte), not a YAML or JSON scenario", line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line) from None
    if not text.strip():
        raise fail("file is empty", 1)
    if as_json:
        return _parse_json(text, file)
    return _parse_yaml(text, file)


# --- YAML ----------------------------------------------------------------------------------------


def _parse_yaml(text: str, file: str) -> Document:
    node = _compose_yaml(text, file)
    if node is None:
        raise ScenarioError([Problem(file, 1, "<file>", "file holds no YAML document")])
    lines: dict[PathKey, int] = {}
    duplicates: list[Problem] = []
    _walk(node, (), lines, duplicates, file)
    if duplicates:
        raise ScenarioError(duplicates)
    loader = (_FastLoader or _Loader)(text)
    try:
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:  # an unknown tag such as !!python/object
        raise ScenarioError([_yaml_problem(file, exc)]) from None
    finally:
        loader.dispose()
    return Document(file, data, lines)


def _compose_yaml(text: str, file: str) -> yaml.Node | None:
    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(file, line, "<yaml>", message)])

    too_deep = f"nesting too deep (more than {MAX_DEPTH} levels)"
    try:
        loader_class = _FastLoader or _Loader
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
        raise ScenarioError([_yaml_problem(file, exc)]) from None
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


def _yaml_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
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


def _walk(
    node: yaml.Node,
    path: PathKey,
    lines: dict[PathKey, int],
    duplicates: list[Problem],
    file: str,
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, (*path, index), lines, duplicates, file)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                message = f"duplicate key (also on line {seen[key]}); one value would be lost"
                duplicates.append(Problem(file, line, format_path((*path, key)), message))
                continue
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, duplicates, file)


# --- JSON ----------------------------------------------------------------------------------------


def _parse_json(text: str, file: str) -> Document:
    duplicated: list[str] = []

    def keep_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                duplicated.append(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=keep_duplicates)
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
    duplicates: list[Problem] = []
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=_FastLoader or _Loader)
    except (yaml.YAMLError, RecursionError):
        node = None
    if node is not None:
        _walk(node, (), lines, duplicates, file)
    if duplicated:
        unlocated = [Problem(file, None, key, "duplicate key") for key in duplicated]
        raise ScenarioError(duplicates or unlocated)
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
