"""Faults of the run store, each made real in its own process: two writers at once, a writer
that holds the store too long, ``kill -9`` in the middle of a run, a store that cannot be
written, a full disk. In every case the command's result is printed whole; a store that cannot
take the run costs one ``note:`` line on stderr, and no committed run is ever lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from zopa.store.connection import WAITING

ROOT = Path(__file__).resolve().parent.parent
GAZA = str(ROOT / "examples" / "gaza-2024-03.yaml")
ZOPA = str(Path(sys.executable).parent / "zopa")
HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2]))")


def zopa(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([ZOPA, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def zone(store: Path) -> None:
    """``zopa zone`` stored in ``store``."""
    p = zopa("zone", GAZA, "--json", "--store", str(store))
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0 and not err, err


def hold(store: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that holds the store's lock for ``seconds``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def runs(store: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(store), read_only=True) as con:
        con.execute("SET python_enable_replacements = false")
        tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        if ("runs",) not in tables:
            return []
        return con.execute("SELECT id, status FROM runs ORDER BY id").fetchall()


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    holder = hold(store, 600.0)  # a third process holds the store until both wait for it
    procs = [zopa("zone", GAZA, "--json", "--store", str(store)) for _ in range(2)]
    try:
        for p in procs:
            assert p.stderr is not None and p.stderr.readline().strip() == WAITING
    finally:
        holder.kill()
        holder.wait()
    for p in procs:  # each takes the store in turn (one writer at a time), neither gives up
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and err == "", err
        assert json.loads(out)["format"] == "zopa.zone/1"
    assert runs(store) == [(1, "done"), (2, "done")]


def test_a_store_held_too_long_costs_a_note_not_the_result(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    holder = hold(store, 600.0)
    try:
        p = zopa("zone", GAZA, "--json", "--store", str(store), env={"ZOPA_STORE_WAIT": "1"})
        out, err = p.communicate(timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert p.returncode == 0
    assert json.loads(out)["format"] == "zopa.zone/1"
    lines = err.strip().splitlines()
    assert lines == [WAITING, f"note: the run was not stored: run store {store}: still in use "
                     "by another zopa process after 1 s; use --store PATH or --no-store"]
    assert runs(store) == []


CHUNKS = """
import sys, time
from pathlib import Path
from zopa.progress import Chunk
from zopa.store.watcher import StoreWatcher
from zopa.store.writer import RunInfo
w = StoreWatcher(Path(sys.argv[1]), RunInfo("timeline"), interval=0)
w.started(10**9, "draws", "endless")
k = 0
while True:
    w.chunk_done(Chunk(k, 100 * k, 100 * (k + 1), {"zopa": 1.0}))
    print(k, flush=True)
    k += 1
"""

STORE_LOOP = """
import sys
from pathlib import Path
from zopa import app
from zopa.scenario.loader import load_scenario
from zopa.store.writer import RunInfo, store_result
result = app.forecast(load_scenario(sys.argv[2]), model="bdm")
while True:
    store_result(Path(sys.argv[1]), result, RunInfo("forecast"))
    print("stored", flush=True)
"""


def test_kill_9_in_the_middle_of_chunks_keeps_every_committed_chunk(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    zone(store)
    p = subprocess.Popen([sys.executable, "-c", CHUNKS, str(store)], stdout=subprocess.PIPE,
                         text=True)
    assert p.stdout is not None
    for _ in range(5):
        last = int(p.stdout.readline())
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert runs(store) == [(1, "done"), (2, "running")]  # the killed run says it never ended
    with duckdb.connect(str(store), read_only=True) as con:
        kept = con.execute("SELECT count(*), max(chunk) FROM chunks WHERE run_id = 2").fetchone()
        done = con.execute("SELECT items_done FROM runs WHERE id = 2").fetchone()
        first = con.execute("SELECT count(*) FROM outcomes WHERE run_id = 1").fetchone()
    assert kept is not None and kept[0] >= last + 1 and kept[1] + 1 == kept[0]
    assert done == (100 * kept[0],)  # chunks and the run's count move in one transaction
    assert first == (7,)


def test_kill_9_while_storing_loses_at_most_that_run(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    p = subprocess.Popen([sys.executable, "-c", STORE_LOOP, str(store), GAZA],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    for _ in range(3):
        assert p.stdout.readline().strip() == "stored"
    time.sleep(0.137)  # somewhere inside a later run's transaction, most likely
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    stored = runs(store)
    assert len(stored) >= 3 and all(status == "done" for _, status in stored)
    with duckdb.connect(str(store), read_only=True) as con:
        counts = con.execute("SELECT r.id, count(o.issue) FROM runs r LEFT JOIN outcomes o "
                             "ON o.run_id = r.id GROUP BY r.id").fetchall()
        orphans = con.execute("SELECT count(*) FROM rounds WHERE run_id NOT IN "
                              "(SELECT id FROM runs)").fetchone()
    assert all(n == 7 for _, n in counts)
    assert orphans == (0,)


@pytest.mark.parametrize("where", ["below-a-file", "proc"])
def test_a_store_that_cannot_be_created_costs_a_note(tmp_path: Path, where: str) -> None:
    # Root may write anywhere chmod forbids, so these are places no one can create a file: a
    # folder that is a regular file, and /proc.
    if where == "below-a-file":
        (tmp_path / "file").write_text("x")
        store = tmp_path / "file" / "runs.duckdb"
    else:
        store = Path("/proc/zopa-no-such-folder/runs.duckdb")
        if not Path("/proc").is_dir():
            pytest.skip("no /proc")
    p = zopa("zone", GAZA, "--json", "--store", str(store))
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0 and json.loads(out)["format"] == "zopa.zone/1"
    assert err.startswith(f"note: the run was not stored: run store {store}: it cannot be "
                          "created or written here (")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes into read-only folders; the cases above cover it")
def test_a_read_only_folder_costs_a_note(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        p = zopa("zone", GAZA, "--json", "--store", str(folder / "runs.duckdb"))
        out, err = p.communicate(timeout=60)
    finally:
        folder.chmod(0o755)
    assert p.returncode == 0 and json.loads(out)["format"] == "zopa.zone/1"
    assert "cannot be written" in err or "cannot be created" in err


def test_a_read_only_store_file_is_still_read(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    zone(store)
    holder = subprocess.Popen(  # a reader holds it read-only: readers share, writers wait
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], "
         "read_only=True); print('held', flush=True); sys.stdin.readline()", str(store)],
        stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        p = zopa("runs", "list", "--json", "--store", str(store))
        out, err = p.communicate(timeout=60)
    finally:
        holder.communicate("go\n", timeout=30)
    assert p.returncode == 0, err
    assert [r["id"] for r in json.loads(out)["runs"]] == [1]


FULL = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
sys.argv = ["zopa", *sys.argv[2:]]
from zopa.cli.app import main
main()
"""


def full_disk(limit: int, store: Path) -> tuple[int, str, str]:
    """``zopa forecast`` with files limited to ``limit`` bytes (stdout is a pipe: no limit)."""
    done = subprocess.run([sys.executable, "-c", FULL, str(limit), "forecast", GAZA, "--model",
                           "bdm", "--json", "--store", str(store)],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


NOTE_FULL = ("the disk is full (or the file size limit reached); use --store PATH or "
             "--no-store")


def test_a_full_disk_on_a_new_store_leaves_no_broken_file(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    code, out, err = full_disk(4096, store)
    assert code == 0 and json.loads(out)["model"] == "bdm"
    assert err.strip() == f"note: the run was not stored: run store {store}: {NOTE_FULL}"
    assert not store.exists()


def test_a_full_disk_keeps_the_runs_stored_before(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    zone(store)
    code, out, err = full_disk(30_000, store)
    assert code == 0 and json.loads(out)["model"] == "bdm"
    assert err.strip() == f"note: the run was not stored: run store {store}: {NOTE_FULL}"
    assert runs(store) == [(1, "done")]
    zone(store)
    assert [status for _, status in runs(store)] == ["done", "done"]
