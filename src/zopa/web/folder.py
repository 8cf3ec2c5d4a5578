"""The served folder: the only files the web app reads or writes.

Every name a request gives is resolved (symbolic links included) and must stay inside the folder;
only scenario files (``.yaml``, ``.yml``, ``.json``) are read or written, through the same safe
reader as the command line (size cap, YAML bombs, located errors). A save is atomic and keeps the
previous version beside the file (``NAME.prev``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from zopa.errors import Problem, ScenarioError, UsageError
from zopa.files import write_atomic
from zopa.inputs import decode_text, printable, read_bytes_file
from zopa.scenario.document import MAX_BYTES, parse_document
from zopa.scenario.loader import scenario_from_document
from zopa.scenario.schema import Scenario

SUFFIXES = (".yaml", ".yml", ".json")
"""The files the app lists, reads and writes."""
MAX_UPLOAD = 2 * 1024 * 1024
"""Largest scenario accepted by upload or save (bytes); the bundled example is ~120 KB."""
MAX_LISTED = 500
"""At most this many files listed (a folder with more lists the first, sorted)."""


class NotInFolder(UsageError):
    """A name that is not a scenario file inside the served folder."""


@dataclass(frozen=True)
class Entry:
    """A scenario file of the library: its name relative to the folder, title or error."""

    name: str
    title: str | None
    as_of: str | None
    error: str | None


class ScenarioFolder:
    """The served folder (see the module docstring). Loaded scenarios are cached by file name,
    size and modification time: scenarios are frozen, so requests can share them."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve(strict=True)
        if not self.root.is_dir():
            raise UsageError(f"{root}: not a folder")
        self._cache: dict[str, tuple[tuple[int, int], Scenario]] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        """The file ``name`` names, checked to be a scenario file inside the folder.

        Raises:
            NotInFolder: an absolute name, one that leaves the folder (``..``, a symbolic link
                out), a hidden file, or a name without a scenario suffix.
        """
        if not name or "\x00" in name or "\\" in name or Path(name).is_absolute():
            raise NotInFolder(f"not a file of the served folder: {name!r}")
        parts = Path(name).parts
        if any(p.startswith(".") for p in parts) or Path(name).suffix.lower() not in SUFFIXES:
            raise NotInFolder(f"not a scenario file of the served folder: {name!r} (a name "
                              f"ending in {', '.join(SUFFIXES)}, no hidden parts)")
        resolved = (self.root / name).resolve()
        if not resolved.is_relative_to(self.root):
            raise NotInFolder(f"not a file of the served folder: {name!r}")
        return resolved

    def entries(self) -> list[Entry]:
        """The scenario files, sorted by name, each with its title or its first problem."""
        found = sorted(p for p in self.root.rglob("*") if p.suffix.lower() in SUFFIXES
                       and p.is_file() and not any(
                           q.startswith(".") for q in p.relative_to(self.root).parts))
        out: list[Entry] = []
        for p in found[:MAX_LISTED]:
            name = p.relative_to(self.root).as_posix()
            try:
                s = self.load(name)
                out.append(Entry(name, s.meta.title, str(s.meta.as_of), None))
            except ScenarioError as exc:
                out.append(Entry(name, None, None, str(exc.problems[0])))
            except UsageError as exc:
                out.append(Entry(name, None, None, str(exc)))
        return out

    def _read(self, name: str) -> bytes:
        """The file's bytes, through the safe reader's checks (regular file, size)."""
        return read_bytes_file(self.path(name), max_bytes=MAX_BYTES, what="a scenario file",
                               hint="split it into smaller files")

    def text(self, name: str) -> str:
        """The file's text (checked as the reader checks it: size, binary data, UTF-8)."""
        raw = self._read(name)
        return decode_text(raw, printable(name), content="a YAML or JSON scenario")

    def load(self, name: str) -> Scenario:
        """The validated scenario in file ``name``.

        Raises:
            ScenarioError: located problems, as ``zopa validate`` prints them.
            NotInFolder: see :meth:`path`; also a voting record the scenario links to outside
                the folder.
        """
        path = self.path(name)
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        # Problems name the file as the folder knows it, never the server's own path.
        document = parse_document(self._read(name), name,
                                  as_json=name.lower().endswith(".json"))
        scenario = scenario_from_document(document)
        self._check_records(scenario, path)
        with self._lock:
            self._cache[name] = (stamp, scenario)
        return scenario

    def _check_records(self, scenario: Scenario, path: Path) -> None:
        """A body's record file is read relative to the scenario: it must be in the folder."""
        for body in scenario.bodies:
            if body.record is not None:
                target = (path.parent / body.record.file).resolve()
                if not target.is_relative_to(self.root):
                    raise NotInFolder(f"body {body.id!r}: its record file "
                                      f"{body.record.file!r} is outside the served folder")

    def save(self, name: str, raw: bytes) -> Scenario:
        """Validate ``raw`` as a scenario and write it to ``name`` atomically; an existing file
        is kept as ``NAME.prev`` first.

        Raises:
            ScenarioError: the text is not a valid scenario (nothing is written).
            UsageError: over :data:`MAX_UPLOAD`, or see :meth:`path`.
        """
        path = self.path(name)
        scenario = check_text(raw, name)
        self._check_records(scenario, path)
        text = raw.decode("utf-8")
        if path.exists():
            write_atomic(path.with_name(path.name + ".prev"), path.read_text(encoding="utf-8"))
        write_atomic(path, text)
        return scenario


def check_text(raw: bytes, name: str) -> Scenario:
    """Parse and validate ``raw`` as the scenario file ``name`` would be (same reader and checks
    as ``zopa validate``).

    Raises:
        ScenarioError: located problems.
        UsageError: over :data:`MAX_UPLOAD`.
    """
    if len(raw) > MAX_UPLOAD:
        raise UsageError(f"{name}: {len(raw):,} bytes is over the limit of {MAX_UPLOAD:,} bytes "
                         "for a scenario sent to the web app; split it or use the command line")
    document = parse_document(raw, name, as_json=name.lower().endswith(".json"))
    return scenario_from_document(document)


def problem_json(problem: Problem) -> dict[str, object]:
    """A located problem as the API returns it (``text`` is the CLI's line)."""
    return {"file": problem.file, "line": problem.line, "path": problem.path,
            "message": problem.message, "text": str(problem)}
