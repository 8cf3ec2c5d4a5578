"""The run store: location, schema migrations, what a run keeps, and ``zopa runs``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from zopa.cli.app import app
from zopa.errors import Interrupted
from zopa.progress import Chunk
from zopa.store import schema
from zopa.store.connection import StoreError
from zopa.store.location import store_path, storing_off
from zopa.store.watcher import StoreWatcher
from zopa.store.writer import RunInfo, open_store, store_result

ROOT = Path(__file__).resolve().parent.parent
GAZA = ROOT / "examples" / "gaza-2024-03.yaml"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_location_option_then_environment_then_data_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZOPA_STORE", str(tmp_path / "env.duckdb"))
    assert store_path(tmp_path / "opt.duckdb") == tmp_path / "opt.duckdb"
    assert store_path() == tmp_path / "env.duckdb"
    monkeypatch.delenv("ZOPA_STORE")
    default = store_path()
    assert default.name == "runs.duckdb" and "zopa" in default.parent.name.lower()
    assert not storing_off()
    monkeypatch.setenv("ZOPA_NO_STORE", "1")
    assert storing_off()


def test_the_tests_store_in_their_own_folder(_run_store: Path) -> None:
    code, out, _ = run("forecast", str(GAZA), "--json")
    assert code == 0 and json.loads(out)["format"] == "zopa.forecast/1"
    assert rows(_run_store, "SELECT count(*) FROM runs WHERE command = 'forecast'")[0][0] >= 1


def _v1_store(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        schema.create(con, upto=1)
        con.execute("INSERT INTO runs (id, command, status) VALUES (nextval('run_ids'), "
                    "'forecast', 'done')")
        con.execute("INSERT INTO outcomes (run_id, issue, value) VALUES (1, 'days', 42)")


def test_a_version_1_store_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    _v1_store(path)
    assert rows(path, "SELECT max(version) FROM schema_version") == [(1,)]
    con = open_store(path)
    try:
        assert schema.version(con) == schema.VERSION == 2
        assert con.execute("SELECT id, command, result FROM runs").fetchall() == [
            (1, "forecast", None)]
        assert con.execute("SELECT count(*) FROM vote_results").fetchall() == [(0,)]
    finally:
        con.close()
    result = _forecast()
    run_id = store_result(path, result, RunInfo("forecast", (), GAZA))
    assert run_id == 2  # the sequence of version 1 goes on
    assert rows(path, "SELECT issue, value FROM outcomes WHERE run_id = 1") == [("days", 42.0)]


def test_reading_an_old_store_migrates_it(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    _v1_store(path)
    code, out, _ = run("runs", "list", "--store", str(path), "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)["runs"]] == [1]
    assert rows(path, "SELECT max(version) FROM schema_version") == [(2,)]


def test_a_store_of_a_newer_zopa_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with duckdb.connect(str(path)) as con:
        schema.create(con)
        con.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP)")
    with pytest.raises(StoreError, match="newer"):
        open_store(path)


def _forecast(model: str = "compromise", samples: int = 0, file: Path = GAZA):  # type: ignore[no-untyped-def]
    from zopa import app as use_cases
    from zopa.scenario.loader import load_scenario

    return use_cases.forecast(load_scenario(file), model=model, samples=samples, seed=1,
                              file=str(file))


def test_a_forecast_is_normalised_into_tables(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    code, out, _ = run("forecast", str(GAZA), "--model", "bdm", "--samples", "50", "--seed",
                       "3", "--json", "--store", str(store))
    assert code == 0
    printed = json.loads(out)
    (run_id, command, kind, model, seed, samples, status, result), = rows(
        store, "SELECT id, command, kind, model, seed, samples, status, result FROM runs")
    assert (command, kind, model, seed, samples, status) == ("forecast", "forecast", "bdm", "3",
                                                             50, "done")
    assert json.loads(str(result)) == printed
    outcomes = dict(rows(store, "SELECT issue, value FROM outcomes"))
    assert outcomes == {k: v["value"] for k, v in printed["outcome"].items()}
    last = len(printed["rounds"]) - 1
    assert rows(store, f"SELECT count(DISTINCT round) FROM rounds WHERE run_id = {run_id}") == [
        (last + 1,)]
    assert rows(store, "SELECT p_zopa, p_zopa_se, draws FROM timeline") == [
        (printed["uncertain"]["p_zopa"]["p"], printed["uncertain"]["p_zopa"]["se"], 50)]
    (hash_, text), = rows(store, "SELECT hash, text FROM scenarios")
    assert text == GAZA.read_text(encoding="utf-8") and len(str(hash_)) == 64


@pytest.mark.parametrize(("argv", "table", "count"), [
    (["timeline", str(GAZA), "--samples", "20"], "timeline", 12),
    (["vote", str(GAZA), "--draft", "draft_res_2728"], "votes", 15),
    (["vote", str(GAZA), "--event", "unsc_res_2728"], "vote_results", 1),
    (["power", "--builtin", "un-security-council"], "power", 15),
    (["negotiate", str(GAZA), "--runs", "5"], "negotiations", 1),
    (["sensitivity", str(GAZA), "--output", "gap", "--samples", "2"], "drivers", None),
    (["backtest", str(ROOT / "examples" / "records" / "unsc-gaza-2023-2024.yaml")],
     "backtest_scores", None),
])
def test_each_command_keeps_its_own_rows(tmp_path: Path, argv: list[str], table: str,
                                         count: int | None) -> None:
    store = tmp_path / "s.duckdb"
    code, _, err = run(*argv, "--json", "--store", str(store))
    assert code == 0, err
    n = rows(store, f"SELECT count(*) FROM {table}")[0][0]
    assert n == count if count is not None else n > 0
    code, _, _ = run(*argv, "--json", "--store", str(store), "--no-store")
    assert code == 0 and rows(store, "SELECT count(*) FROM runs") == [(1,)]


def test_list_by_scenario_content_and_command(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    copy = tmp_path / "renamed.yaml"
    shutil.copyfile(GAZA, copy)
    other = tmp_path / "other.yaml"
    other.write_text(GAZA.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    for file in (GAZA, copy, other):
        assert run("zone", str(file), "--json", "--store", str(store))[0] == 0
    code, out, _ = run("runs", "list", "--store", str(store), "--scenario", str(copy), "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)["runs"]] == [2, 1]
    code, out, _ = run("runs", "list", "--store", str(store), "--command", "forecast", "--json")
    assert json.loads(out)["runs"] == []
    code, out, _ = run("runs", "list", "--store", str(store))
    assert code == 0 and "zone" in out


def test_compare_names_input_and_output_changes(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    changed = tmp_path / "changed.yaml"
    changed.write_text(GAZA.read_text(encoding="utf-8").replace("title:", "title: X", 1),
                       encoding="utf-8")
    run("forecast", str(GAZA), "--model", "median", "--json", "--store", str(store))
    run("forecast", str(changed), "--model", "bdm", "--seed", "4", "--json", "--store",
        str(store))
    code, out, _ = run("runs", "compare", "1", "2", "--store", str(store), "--json")
    assert code == 0
    diff = json.loads(out)
    assert not diff["inputs"]["same_scenario"]
    assert diff["inputs"]["scenario_lines_added"] == 1
    assert diff["inputs"]["params"]["model"] == {"a": "median", "b": "bdm"}
    assert diff["inputs"]["seed"] == {"a": None, "b": "4"}
    changed_issues = {c["key"] for c in diff["outputs"] if c["table"] == "outcomes"
                      and c["column"] == "value"}
    assert "prisoners_per_hostage" in changed_issues
    code, out, _ = run("runs", "compare", "1", "2", "--store", str(store))
    assert code == 0 and "model: median -> bdm" in out


def test_show_and_unknown_runs(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    run("zone", str(GAZA), "--json", "--store", str(store))
    code, out, _ = run("runs", "show", "1", "--store", str(store), "--json")
    shown = json.loads(out)
    assert code == 0 and shown["tables"]["outcomes"] == 7
    assert shown["result"]["format"] == "zopa.zone/1"
    code, _, err = run("runs", "show", "7", "--store", str(store))
    assert code == 2 and err.strip() == "error: no run 7 in the store (see `zopa runs list`)"
    code, _, err = run("runs", "show", "1", "--store", str(tmp_path / "none.duckdb"))
    assert code == 2 and "empty" in err


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_export_reads_back_with_sql(tmp_path: Path, suffix: str) -> None:
    store = tmp_path / "s.duckdb"
    for model in ("compromise", "median"):
        run("forecast", str(GAZA), "--model", model, "--json", "--store", str(store))
    out = tmp_path / f"out{suffix}"
    code, _, err = run("runs", "export", "2", "-o", str(out), "--store", str(store))
    assert code == 0, err
    read = "read_csv_auto" if suffix == ".csv" else "read_parquet"
    got = duckdb.sql(f"SELECT r.model, count(*) FROM {read}('{tmp_path}/out.runs{suffix}') r "
                     f"JOIN {read}('{tmp_path}/out.outcomes{suffix}') o ON o.run_id = r.id "
                     "GROUP BY r.model").fetchall()
    assert got == [("median", 7)]
    code, _, _ = run("runs", "export", "--all", "-o", str(out), "--store", str(store))
    assert duckdb.sql(f"SELECT count(*) FROM {read}('{tmp_path}/out.runs{suffix}')").fetchall() \
        == [(2,)]
    code, _, err = run("runs", "export", "--all", "-o", str(tmp_path / "x.txt"), "--store",
                       str(store))
    assert code == 2 and ".parquet or .csv" in err


def test_gc_keeps_the_newest_runs(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    for _ in range(3):
        run("zone", str(GAZA), "--json", "--store", str(store))
    code, out, _ = run("runs", "gc", "--keep", "1", "--store", str(store), "--json")
    assert code == 0 and json.loads(out)["removed"] == 2
    assert rows(store, "SELECT id FROM runs") == [(3,)]
    assert rows(store, "SELECT DISTINCT run_id FROM outcomes") == [(3,)]
    assert rows(store, "SELECT count(*) FROM scenarios") == [(1,)]


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "s.duckdb"
    store_result(store, _forecast(), RunInfo("forecast", (), GAZA))
    import zopa.store.writer as writer

    real, calls = writer.insert, []

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise duckdb.IOException("IO Error: No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "insert", failing)
    with pytest.raises(StoreError, match="disk is full"):
        store_result(store, _forecast("bdm"), RunInfo("forecast", (), GAZA))
    assert rows(store, "SELECT id, status FROM runs") == [(1, "done")]
    assert rows(store, "SELECT DISTINCT run_id FROM outcomes") == [(1,)]
    assert rows(store, "SELECT count(*) FROM rounds WHERE run_id <> 1") == [(0,)]


def test_the_watcher_keeps_each_chunk_and_an_interruption(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    watcher = StoreWatcher(store, RunInfo("timeline", ("timeline",), GAZA), interval=0)
    watcher.started(300, "draws", "timeline, 300 draws")
    assert rows(store, "SELECT status, items_total, unit FROM runs") == [
        ("running", 300, "draws")]
    for k in range(2):
        watcher.chunk_done(Chunk(k, 100 * k, 100 * (k + 1), {"zopa": float(k)}))
        assert rows(store, "SELECT items_done FROM runs") == [(100 * (k + 1),)]
    watcher.close("interrupted")
    assert rows(store, "SELECT status, items_done FROM runs") == [("interrupted", 200)]
    assert rows(store, "SELECT chunk, start, stop, name, value FROM chunks ORDER BY chunk") == [
        (0, 0, 100, "zopa", 0.0), (1, 100, 200, "zopa", 1.0)]
    assert watcher.error is None and watcher.kept_chunks == 2


def test_a_busy_store_keeps_chunks_for_later(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    watcher = StoreWatcher(store, RunInfo("timeline"), interval=0)
    watcher.started(200, "draws", "t")
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.readline()", str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        watcher.chunk_done(Chunk(0, 0, 100))
        assert watcher.kept_chunks == 0  # the store was busy: the chunk waits
    finally:
        holder.communicate("go\n", timeout=30)
    watcher.chunk_done(Chunk(1, 100, 200))
    assert watcher.kept_chunks == 2
    assert rows(store, "SELECT count(*), max(stop) FROM chunks") == [(2, 200)]


def test_an_interrupted_command_says_what_the_store_kept(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    from zopa.cli.common import guarded, store_watcher

    store = tmp_path / "s.duckdb"

    @guarded
    def work() -> None:
        progress = store_watcher("timeline", store=store, no_store=False, scenario_file=GAZA)
        progress.started(1000, "draws", "timeline")
        for k in range(3):
            progress.chunk_done(Chunk(k, 100 * k, 100 * (k + 1)))
        raise Interrupted(300, 1000, "draws")

    with pytest.raises(typer.Exit) as stopped:
        work()
    assert stopped.value.exit_code == 130
    err = capsys.readouterr().err
    assert "interrupted after 300 of 1,000 draws; the run store kept 3 chunks (300 draws) as " \
           "run 1" in err
    assert rows(store, "SELECT status, items_done FROM runs") == [("interrupted", 300)]


def test_no_store_means_no_watcher(tmp_path: Path) -> None:
    from zopa.cli.common import store_watcher
    from zopa.progress import NO_PROGRESS

    assert store_watcher("x", store=tmp_path / "s.duckdb", no_store=True) is NO_PROGRESS
    assert not (tmp_path / "s.duckdb").exists()


def test_chunks_that_come_fast_are_written_together(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    watcher = StoreWatcher(store, RunInfo("timeline"), interval=3600)
    watcher.started(300, "draws", "t")
    for k in range(3):
        watcher.chunk_done(Chunk(k, 100 * k, 100 * (k + 1)))
    assert watcher.kept_chunks == 1  # the first, then the rest wait for the interval
    watcher.finished()
    assert watcher.kept_chunks == 3
    assert rows(store, "SELECT count(*), max(stop) FROM chunks") == [(3, 300)]


def test_ctrl_c_outside_the_use_case_still_marks_the_run(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    from zopa.cli.common import guarded, store_watcher

    store = tmp_path / "s.duckdb"

    @guarded
    def work() -> None:
        progress = store_watcher("negotiate", store=store, no_store=False)
        progress.started(10, "runs", "negotiate")
        progress.chunk_done(Chunk(0, 0, 5))
        raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as stopped:
        work()
    assert stopped.value.exit_code == 130
    assert "interrupted; the run store kept 1 chunks (5 runs) as run 1" in capsys.readouterr().err
    assert rows(store, "SELECT status FROM runs") == [("interrupted",)]


def test_every_command_with_a_result_takes_the_store_options() -> None:
    from typer.main import get_command

    root: Any = get_command(app)
    vote = root.commands["vote"]
    commands = {name: root.commands[name] for name in (
        "forecast", "zone", "timeline", "compare", "sensitivity", "negotiate", "analyze",
        "power", "backtest", "score", "compare-decision")}
    commands.update({"vote predict": vote.commands["predict"], "vote fit": vote.commands["fit"]})
    for name, command in commands.items():
        assert {"store", "no_store"} <= {p.name for p in command.params}, name
