"""Opening the run store: the one writer process DuckDB allows, waited for; every failure as one
clear :class:`StoreError`.

DuckDB lets one process at a time open a database file for writing. zopa keeps each connection
short (open, one transaction, close), so two commands finishing together only wait for each other:
:func:`open_store` retries with backoff for up to :data:`WAIT_SECONDS` (``$ZOPA_STORE_WAIT``
overrides it), saying once that it is waiting, then gives up with a clear error.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from zopa.errors import ZopaError
from zopa.inputs import printable

if TYPE_CHECKING:
    import duckdb

WAIT_SECONDS = 30.0
"""How long to wait for another process that holds the store."""
WAIT_ENV = "ZOPA_STORE_WAIT"
WAITING = "waiting for the run store (in use by another zopa process)"


class StoreError(ZopaError):
    """The run store could not be opened, read or written (the message says why and where)."""


def wait_seconds() -> float:
    """The wait for a busy store: ``$ZOPA_STORE_WAIT`` if it is a number >= 0, else 30 s."""
    try:
        value = float(os.environ.get(WAIT_ENV, ""))
    except ValueError:
        return WAIT_SECONDS
    return value if 0 <= value < 1e6 else WAIT_SECONDS


def _locked(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def explain(exc: Exception, path: Path) -> StoreError:
    """A DuckDB or OS error as one line naming the store and what to do."""
    text = str(exc)
    where = printable(str(path))
    low = text.lower()
    if "no space left" in low or "file too large" in low or "disk is full" in low:
        why = "the disk is full (or the file size limit reached)"
    elif "read-only" in low or "permission denied" in low or "read only" in low:
        why = "it cannot be written here (read-only or no permission)"
    elif "not a valid duckdb" in low or "not a duckdb" in low or "magic" in low:
        why = "the file is not a DuckDB database"
    elif _locked(exc):
        why = "another zopa process still holds it"
    elif isinstance(exc, OSError) and exc.strerror:
        why = f"it cannot be created or written here ({exc.strerror.lower()})"
    else:
        why = printable(text.splitlines()[0] if text else type(exc).__name__)[:200]
    return StoreError(f"run store {where}: {why}; use --store PATH or --no-store")


def connect(path: Path, *, read_only: bool = False,
            notice: Callable[[str], None] | None = None,
            wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (created with its folder if need be, unless ``read_only``), waiting up to
    ``wait`` seconds (default :func:`wait_seconds`) for another process that holds it;
    ``notice`` hears :data:`WAITING` once.

    Raises:
        StoreError: the store cannot be opened (busy too long, read-only, not a database).
    """
    import duckdb

    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise StoreError(f"run store {printable(str(path))}: is a directory; give a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise StoreError(f"run store {printable(str(path))}: not a regular file (a pipe or a "
                         "device); use --store PATH or --no-store")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise explain(exc, path) from None
    wait = wait_seconds() if wait is None else wait
    deadline = time.monotonic() + wait
    pause, told = 0.02, False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # A table name must never resolve to a Python variable of the caller.
            con.execute("SET python_enable_replacements = false")
            return con
        except duckdb.Error as exc:
            if not _locked(exc):
                raise explain(exc, path) from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"run store {printable(str(path))}: still in use by another zopa process "
                    f"after {wait:.0f} s; use --store PATH or --no-store") from None
            if not told and notice is not None:
                notice(WAITING)
                told = True
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[None]:
    """One transaction: committed whole, or rolled back (and the error explained)."""
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except (duckdb.Error, OSError) as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise explain(exc, path) from None
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
