"""Reading a YAML or JSON document safely, with the line number of every field.

Scenario files come from analysts and from the web, so the reader guards against hostile input
before any parsing: only regular files, a size cap checked before reading, binary data and invalid
UTF-8 (:mod:`zopa.inputs`, shared with every importer); then YAML alias bombs ("billion laughs"),
nesting deep enough to exhaust the parser's recursion, duplicate keys and over-long numbers
(:mod:`zopa.scenario.yaml_text`, :mod:`zopa.scenario.json_text`). Control characters in the file's
name never reach a message raw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zopa.errors import Problem, ScenarioError
from zopa.inputs import decode_text, printable, printable_error, read_bytes_file
from zopa.scenario.json_text import parse_json
from zopa.scenario.located import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    Document,
    PathKey,
    format_path,
)
from zopa.scenario.yaml_text import FAST_LOADER, SafeLoader, parse_yaml

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "Document",
    "PathKey",
    "format_path",
    "parse_document",
    "read_document",
]

MAX_BYTES = 8 * 1024 * 1024
"""Largest input file read; a scenario of thousands of actors is far below this."""

_FastLoader: Any = FAST_LOADER
"""libyaml's loader when PyYAML has it, else ``None`` (tests set it to ``None`` to run the
pure-Python parser)."""

_CONTENT = "a YAML or JSON scenario"


def read_document(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read a scenario file (``.json`` as JSON, anything else as YAML).

    Raises:
        ScenarioError: unreadable, not a regular file, over ``max_bytes``, binary, not UTF-8,
            malformed, or hostile input.
    """
    raw = read_bytes_file(path, max_bytes=max_bytes, what="a scenario file",
                          hint="split it into smaller files")
    return parse_document(raw, str(path), as_json=Path(path).suffix.lower() == ".json")


def parse_document(raw: bytes, file: str, *, as_json: bool = False) -> Document:
    """Parse bytes already read; see :func:`read_document`."""
    shown_file = printable(file)
    text = decode_text(raw, shown_file, content=_CONTENT)
    if not text.strip():
        raise ScenarioError([Problem(shown_file, 1, "<file>", "file is empty")])
    loader = _FastLoader or SafeLoader
    try:
        if as_json:
            return parse_json(text, shown_file, loader)
        return parse_yaml(text, shown_file, loader)
    except ScenarioError as exc:
        raise printable_error(exc) from None
