"""Reading GENIUS XML files safely into a small element tree with line numbers.

expat parses directly: any DOCTYPE or ENTITY declaration is refused before it can be processed, so
no entity (internal or external) is ever expanded. The file is read by
:func:`zopa.inputs.read_bytes_file` (regular files only, size cap first); it must be UTF-8, UTF-16
with a byte-order mark, or declare ISO-8859-1 or windows-1252 (an unknown or multi-byte codec made
expat raise LookupError or ValueError), and the number of elements is capped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from zopa.errors import Problem, ScenarioError
from zopa.inputs import decode_text, printable_error, read_bytes_file, shown

MAX_XML_BYTES = 8 * 1024 * 1024
"""Largest GENIUS XML file read; the biggest ANAC domains and profiles are far below 1 MB."""

MAX_XML_ELEMENTS = 500_000
"""Most XML elements read from one file (issues, values, weights)."""

_BIG_XML = "GENIUS domains and profiles are far smaller: check that it is the right file"


@dataclass(eq=False)
class Node:
    """An XML element with the line it starts on."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)

    def find_all(self, tag: str) -> list[Node]:
        """The children with this tag, in document order."""
        return [c for c in self.children if c.tag == tag]

    def find(self, tag: str) -> Node | None:
        """The first child with this tag, or ``None``."""
        return next((c for c in self.children if c.tag == tag), None)


class _Refused(Exception):
    def __init__(self, line: int, message: str, path: str = "DOCTYPE") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.path = path


def parse_xml(path: Path, *, max_bytes: int = MAX_XML_BYTES) -> Node:
    """Parse an XML file into :class:`Node` s; refuse DTDs and entities. Raises ScenarioError.

    The file is read by :func:`zopa.inputs.read_bytes_file` (regular files of at most
    ``max_bytes``). It must be UTF-8 (or ASCII), or declare ISO-8859-1 or windows-1252, or be
    UTF-16 with a byte-order mark; any other declared encoding is refused, located. At most
    :data:`MAX_XML_ELEMENTS` elements are read.
    """
    try:
        return _parse_xml(path, max_bytes)
    except ScenarioError as exc:
        raise printable_error(exc) from None


def _parse_xml(path: Path, max_bytes: int) -> Node:
    file = str(path)
    raw = read_bytes_file(path, max_bytes=max_bytes, what="a GENIUS XML file", hint=_BIG_XML)
    data = _xml_input(raw, file)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    roots: list[Node] = []
    count = 0

    def refuse(*_: Any) -> None:
        raise _Refused(parser.CurrentLineNumber, "DOCTYPE and ENTITY declarations are not allowed")

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_XML_ELEMENTS:
            raise _Refused(parser.CurrentLineNumber, f"more than {MAX_XML_ELEMENTS:,} elements; "
                           f"a GENIUS file is limited to {MAX_XML_ELEMENTS:,} ({_BIG_XML})",
                           "xml")
        node = Node(tag, dict(attrib), parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ScenarioError([Problem(file, exc.line, exc.path, exc.message)]) from None
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) or "malformed XML"
        raise ScenarioError([Problem(file, exc.lineno, "xml", message)]) from None
    except (LookupError, ValueError, UnicodeError) as exc:  # expat asked Python for a codec
        raise ScenarioError([Problem(file, 1, "xml", f"cannot decode the file: {exc}")]) from None
    if not roots:
        raise ScenarioError([Problem(file, None, "xml", "empty document")])
    return roots[0]


_DECLARED = re.compile(rb"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']{0,40})["']""")
_SINGLE_BYTE = ("iso8859-1", "cp1252")


def _xml_input(raw: bytes, file: str) -> str | bytes:
    """What expat parses: checked UTF-8 text, or bytes in an encoding expat reads safely."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
        return raw
    found = _DECLARED.match(raw[:200])
    declared = found.group(1).decode("ascii", "replace") if found else "utf-8"
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        name = ""
    if name in _SINGLE_BYTE:
        nul = raw.find(b"\x00")
        if nul >= 0:
            line = raw.count(b"\n", 0, nul) + 1
            raise ScenarioError([Problem(file, line, "<file>", "binary data (a NUL byte), "
                                         "not a GENIUS XML file")])
        return raw
    if name not in ("utf-8", "ascii"):
        raise ScenarioError([Problem(file, 1, "xml", f"encoding {shown(declared)} is not "
                                     "supported; save the file as UTF-8")])
    # expat reads a str as UTF-8 whatever the declaration says (ASCII is a subset)
    return decode_text(raw, file, content="a GENIUS XML file")
