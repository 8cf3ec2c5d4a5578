"""Reading input files safely: the one guarded reader behind every file zopa reads.

Scenario files, actor tables, decide files and GENIUS XML come from analysts and from the web.
Before any parsing, :func:`read_bytes_file` refuses what is not a regular file (a directory, a
named pipe, ``/dev/zero``) without blocking on it, and a file over its size cap before reading a
byte of it; it then reads at most the cap, so a file that grows meanwhile is refused too.
:func:`decode_text` refuses binary data and text that is not UTF-8, naming the line. Each refusal
is one located line (:class:`~zopa.errors.ScenarioError`) that names the limit and how to get past
it.

Text from a file (a cell, a name) and file names themselves may hold control characters or terminal
escape sequences; :func:`printable` escapes them before they reach a message, and :func:`shown`
also shortens a long value.
"""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

from zopa.errors import Problem, ScenarioError

MAX_SHOWN = 500
"""Longest field or message of a problem: a hostile name of a megabyte stays one readable line."""

_CHUNK = 1 << 20
_SPLIT = "split it into smaller files"
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check must not block the open
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def printable(text: str) -> str:
    r"""``text`` with every character a terminal could act on written as an escape.

    Control characters (``ESC`` of colour and cursor sequences, ``BEL``, carriage return, newline),
    bidirectional overrides, other invisible format characters and undecodable bytes of a file name
    become ``\\x1b``, ``\\u202e``, ``\\udce9`` as in Python's ``repr``; everything else, backslashes
    included, stays as it is, so escaping twice changes nothing.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for a message: escaped as :func:`printable` does, cut after ``limit``
    characters (``'xxx...' (131,073 characters)``)."""
    if len(value) <= limit:
        return f"'{printable(value)}'"
    return f"'{printable(value[:limit])}...' ({len(value):,} characters)"


def printable_problem(problem: Problem) -> Problem:
    """The same problem with its file, field and message escaped by :func:`printable`, the field
    and the message cut to :data:`MAX_SHOWN` characters."""
    return replace(
        problem,
        file=printable(problem.file),
        path=_cut(printable(problem.path)),
        message=_cut(printable(problem.message)),
    )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}... (cut)"


def printable_error(error: ScenarioError) -> ScenarioError:
    """The same error with every problem escaped by :func:`printable`."""
    return ScenarioError(printable_problem(p) for p in error.problems)


def read_bytes_file(
    path: str | Path, *, max_bytes: int, what: str, hint: str = _SPLIT
) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Args:
        path: the file.
        max_bytes: the largest file read; a larger one is refused before it is opened.
        what: the kind of file, for messages (``"a scenario file"``).
        hint: how to get past the size limit (``"split the table into several files"``).

    Raises:
        ScenarioError: no such file, a directory, not a regular file (a pipe, a device, a socket),
            over ``max_bytes``, or unreadable; one problem at ``FILE: <file>: message``.
    """
    file = printable(str(path))

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, None, "<file>", message)])

    def check(info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise fail(f"is a directory, not {what}")
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would block, /dev/zero never ends
            raise fail("not a regular file (a pipe, a device or a socket); give a file")
        if info.st_size > max_bytes:
            raise fail(f"file is {info.st_size:,} bytes; {what} is limited to {max_bytes:,} "
                       f"bytes ({hint})")

    try:
        check(Path(path).stat())
        handle = os.open(path, _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        check(os.fstat(handle))  # the very file opened, in case it was swapped after the check
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(handle, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except BlockingIOError:
        raise fail("not a regular file (a pipe, a device or a socket); give a file") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(handle)
    if left <= 0:  # grew while we looked
        raise fail(f"file is larger than {max_bytes:,} bytes; {what} is limited to {max_bytes:,} "
                   f"bytes ({hint})")
    return b"".join(chunks)


def decode_text(raw: bytes, file: str, *, content: str) -> str:
    """``raw`` as text: UTF-8 (a leading byte-order mark is dropped), no NUL byte.

    Args:
        raw: the bytes read.
        file: the file's name, for messages.
        content: what the file should hold, for messages (``"a CSV table"``).

    Raises:
        ScenarioError: binary data (a NUL byte) or not UTF-8, at the line where it starts.
    """
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise ScenarioError([Problem(printable(file), line, "<file>",
                                     f"binary data (a NUL byte), not {content}")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise ScenarioError([Problem(printable(file), line, "<file>", message)]) from None


def read_text_file(
    path: str | Path, *, max_bytes: int, what: str, content: str = "text", hint: str = _SPLIT
) -> str:
    """:func:`read_bytes_file` then :func:`decode_text`: the checked text of a UTF-8 file."""
    return decode_text(read_bytes_file(path, max_bytes=max_bytes, what=what, hint=hint),
                       str(path), content=content)
