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
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise fail(f"file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes")
        with p.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:  # grew while we looked, or a device file
        raise fail(f"file is larger than {MAX_BYTES:,} bytes")
    return parse_document(raw, file, as_json=p.suffix.lower() == ".json")


def parse_document(raw: bytes, file: str, *, as_json: bool = False) -> Document:
    """Parse bytes already read; see :func:`read_document`."""

    def fail(message: str, line: int | None = None, where: str = "<file>") -> ScenarioError:
        return ScenarioError([Problem(file, line, where, message)])

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
        data = _parse_json(text, file)
        lines = _json_lines(text)
    else:
        node = _compose_yaml(text, file)
        if node is None:
            raise fail("file holds no YAML document", 1)
        lines = {}
        duplicates: list[Problem] = []
        _walk(node, (), lines, duplicates, file)
        if duplicates:
            raise ScenarioError(duplicates)
        try:
            data = _Loader(text).get_single_data()
        except (yaml.YAMLError, ValueError, TypeError) as exc:  # pragma: no cover - composed already
            raise fail(f"invalid YAML: {exc}") from None
    return Document(file, data, lines)


def _parse_json(text: str, file: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ScenarioError([Problem(file, None, str(key), "duplicate key")])
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem(file, exc.lineno, "<json>", f"invalid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, "<json>", "nesting too deep")]) from None


def _json_lines(text: str) -> dict[PathKey, int]:
    """Line numbers for a JSON document, via YAML's composer (JSON is nearly a YAML subset)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return {}
    lines: dict[PathKey, int] = {}
    if node is not None:
        _walk(node, (), lines, [], "")
    return lines


def _compose_yaml(text: str, file: str) -> yaml.Node | None:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "malformed"
        raise ScenarioError([Problem(file, line, "<yaml>", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "<yaml>", f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, "<yaml>", "nesting too deep")]) from None
    if node is not None:
        size = _expanded_size(node, {})
        if size > MAX_NODES:
            raise ScenarioError(
                [
                    Problem(
                        file,
                        None,
                        "<yaml>",
                        f"aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?)",
                    )
                ]
            )
    return node


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Number of nodes once every alias is expanded, in time linear in the composed graph."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a cycle (recursive alias) counts once here; the constructor rejects it later
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, memo)
            if total > MAX_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, memo) + _expanded_size(v, memo)
            if total > MAX_NODES:
                break
    memo[key] = total
    return total


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
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append(Problem(file, line, format_path((*path, key)), "duplicate key"))
                continue
            seen.add(key)
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, duplicates, file)
