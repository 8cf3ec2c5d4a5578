"""Writing files so that a crash or a full disk never leaves one half-written."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from zopa.errors import UsageError
from zopa.inputs import printable

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_NOFOLLOW", 0)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder and an atomic
    rename.

    - An existing file keeps its permission bits; a new file gets the default ones (``0o666``
      less the umask), as ``open(path, "w")`` would give it.
    - A symbolic link is written through: its target is replaced, the link stays.
    - The temporary file has a short name (``.zopa-<random>.tmp``), so any legal file name can be
      written.

    Raises:
        UsageError: ``path`` is a directory, a read-only file, not a regular file, in a folder that
            does not exist, or a symbolic link loop.
        OSError: writing failed (no space, no permission on the folder), naming ``path``.
    """
    shown = printable(str(path))
    target = _resolve(Path(path), shown)
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"{shown}: a symbolic link loop") from None
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{shown}: is a directory; give a file name to write")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{shown}: not a regular file (a pipe, a device or a socket); "
                             "give a file name to write")
        if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise UsageError(f"{shown}: is read-only; not replaced (make it writable, or write "
                             "to another file)")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"{shown}: no such folder {printable(str(folder))}")
    try:
        _replace(target, text, info)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def _resolve(path: Path, shown: str) -> Path:
    """``path`` with every symbolic link followed (a dangling link gives the file it names)."""
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        raise UsageError(f"{shown}: a symbolic link loop") from None


def _replace(target: Path, text: str, info: os.stat_result | None) -> None:
    import secrets  # here: its hashing modules cost every command's start ~5 ms

    folder = target.parent
    while True:
        tmp = folder / f".zopa-{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, _CREATE, 0o666)  # the umask applies, as for any new file
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if info is not None:
                _keep_owner_and_mode(handle.fileno(), info)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _keep_owner_and_mode(fd: int, info: os.stat_result) -> None:
    """Give the new file the replaced file's permission bits (and its owner, where allowed)."""
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        # only root may give a file away; the permission bits are what matter
        with contextlib.suppress(PermissionError):
            os.fchown(fd, info.st_uid, info.st_gid)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(info.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the system allows it (best effort: the file is written)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
