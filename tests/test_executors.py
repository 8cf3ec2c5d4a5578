"""Executors: the same numbers in this process, on local worker processes and on Ray (local
mode), whatever the order chunks finish in; a failed chunk retried once, then reported; the
progress bar only on a terminal; an interruption counted (Ctrl-C itself: tests/test_signals.py)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zopa import app
from zopa.app import uncertain
from zopa.errors import Interrupted, UsageError
from zopa.executors import ChunkFailed, ExecutorSettings, Span, Stages, run_chunks, spans
from zopa.executors.local import LocalExecutor
from zopa.progress import Chunk
from zopa.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
GAZA = str(ROOT / "examples" / "gaza-2024-03.yaml")
ZOPA = Path(sys.executable).parent / "zopa"


@pytest.fixture(scope="session")
def ray_local() -> Iterator[Any]:
    """Ray in local mode, started once for the session and always shut down; this module's
    chunk functions are sent by value (Ray's workers do not have the tests on their path)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        from zopa.executors.ray import RayExecutor

        yield RayExecutor()
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalExecutor]:
    """Two local worker processes, used from the first chunk on (no timing of the work)."""
    executor = LocalExecutor(2, start_seconds=0)
    try:
        yield executor
    finally:
        executor.close()


class Recorder:
    """A watcher that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def started(self, total: int, unit: str, label: str) -> None:
        self.calls.append(("started", (total, unit)))

    def chunk_done(self, chunk: Chunk) -> None:
        self.calls.append(("chunk", chunk))

    def finished(self) -> None:
        self.calls.append(("finished", None))

    def chunks(self) -> list[Chunk]:
        return [c for kind, c in self.calls if kind == "chunk"]


def test_timeline_draws_are_the_same_on_every_executor(pool: LocalExecutor,
                                                       ray_local: Any) -> None:
    scenario = load_scenario(GAZA)
    here = app.timeline(scenario, samples=20_000, seed=7, gap_draws=3, model="median")
    watched = Recorder()
    local = app.timeline(scenario, samples=20_000, seed=7, gap_draws=3, model="median",
                         executor=pool, progress=watched)
    on_ray = app.timeline(scenario, samples=20_000, seed=7, gap_draws=3, model="median",
                          executor=ray_local)
    assert here.rows[-1].uncertain is not None and here.rows[-1].uncertain.draws == 20_000
    assert local == here
    assert on_ray == here
    assert app.timeline(scenario, samples=20_000, seed=8, model="median") != here
    chunks = watched.chunks()
    assert sorted(c.index for c in chunks) == list(range(5))
    assert sum(c.size for c in chunks) == 20_000
    assert watched.calls[0] == ("started", (20_000, "draws"))
    assert watched.calls[-1] == ("finished", None)


def test_100000_draws_on_ray_equal_local_from_the_command_line(tmp_path: Path,
                                                                ray_local: Any) -> None:
    found = []
    for executor in ("local", "ray"):
        done = subprocess.run(
            [str(ZOPA), "timeline", GAZA, "--samples", "100000", "--seed", "11", "--json",
             "--executor", executor, "--workers", "2"],
            capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        found.append(json.loads(done.stdout))
    assert found[0]["rows"][-1]["uncertain"]["draws"] == 100_000
    assert found[0] == found[1]


def test_other_draws_are_the_same_on_local_workers(pool: LocalExecutor) -> None:
    scenario = load_scenario(GAZA)
    assert (app.zone(scenario, samples=9_000, seed=3, executor=pool)
            == app.zone(scenario, samples=9_000, seed=3))
    here = app.compare(scenario, ["history", "us_vetoes_2728"], samples=5_000, seed=2)
    watched = Recorder()
    assert app.compare(scenario, ["history", "us_vetoes_2728"], samples=5_000, seed=2,
                       executor=pool, progress=watched) == here
    chunks = watched.chunks()  # two branches of two chunks: one piece of work
    assert [c for c in watched.calls if c[0] == "started"] == [("started", (10_000, "draws"))]
    assert sorted(c.index for c in chunks) == [0, 1, 2, 3]
    assert sorted((c.start, c.stop) for c in chunks) == [
        (0, 4096), (4096, 5000), (5000, 9096), (9096, 10_000)]


def test_vote_and_negotiation_draws_are_the_same_on_local_workers(
        pool: LocalExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uncertain, "CHUNK", 100)  # several chunks of these slower draws
    scenario = load_scenario(GAZA)
    vote = app.predict_vote(scenario, "draft_res_2728", samples=300, seed=1,
                            use_record=False, executor=pool)
    assert vote == app.predict_vote(scenario, "draft_res_2728", samples=300, seed=1,
                                    use_record=False)
    problem = app.negotiation_problem(scenario, resolution=3)
    watched = Recorder()
    here = app.negotiate(problem, runs=2, rounds=20, seed=4, samples=250)
    assert app.negotiate(problem, runs=2, rounds=20, seed=4, samples=250,
                         executor=pool, progress=watched) == here
    assert here.uncertain is not None and here.uncertain.draws == 250
    starts = [i for i, (kind, _) in enumerate(watched.calls) if kind == "started"]
    assert [watched.calls[i][1] for i in starts] == [(2, "runs"), (250, "draws")]
    draws = sorted((c.start, c.stop) for kind, c in watched.calls[starts[1]:] if kind == "chunk")
    assert draws == [(0, 100), (100, 200), (200, 250)]


def test_forecast_grid_lists_each_points_forecast(pool: LocalExecutor) -> None:
    scenario = load_scenario(GAZA)
    grid = app.parse_grid(["q=0.5,1", "t=0.5, 0.9"])
    found = app.forecast_grid(scenario, grid, model="bdm")
    assert [p.parameters for p in found.points] == [
        {"q": "0.5", "t": "0.5"}, {"q": "0.5", "t": "0.9"}, {"q": "1", "t": "0.5"},
        {"q": "1", "t": "0.9"}]
    for point in found.points:
        assert point.forecast == app.forecast(scenario, model="bdm", params=point.parameters)
    assert found.points[0].forecast.parameters["q"] == 0.5
    assert app.forecast_grid(scenario, grid, model="bdm", executor=pool) == found
    drawn = app.forecast_grid(scenario, {"q": ["0.5", "0.8"]}, model="bdm", samples=500, seed=1)
    assert [p.forecast.uncertain.draws for p in drawn.points  # type: ignore[union-attr]
            ] == [500, 500]
    assert found.to_json()["format"] == "zopa.forecast-grid/1"


@pytest.mark.parametrize("protocol", ["sao", "mediated"])
def test_many_negotiations_split_over_workers_give_the_same_runs(pool: LocalExecutor,
                                                                  protocol: str) -> None:
    problem = app.negotiation_problem(load_scenario(GAZA), resolution=3)
    options: dict[str, Any] = {"protocol": protocol, "strategies": ["random"], "rounds": 30,
                               "runs": 1_500, "seed": 9, "reservation_noise": 0.05}
    here = app.negotiate(problem, **options)
    watched = Recorder()
    split = app.negotiate(problem, **options, executor=pool, progress=watched)
    assert split == here
    assert sorted((c.start, c.stop) for c in watched.chunks()) == [
        (0, 256), (256, 512), (512, 768), (768, 1024), (1024, 1280), (1280, 1500)]
    assert app.negotiate(problem, **{**options, "seed": 10}) != here


@pytest.mark.parametrize(("grid", "message"), [
    (["q"], "--grid wants PARAM=VALUE"),
    (["q=1,1"], "a value is given twice"),
    (["q=1", "q=2"], "given twice"),
    (["q=1,"], "an empty value"),
    (["nope=1"], "has no parameter 'nope'"),
    (["q=-5"], "q"),
])
def test_bad_grids_are_one_line_exit_2(grid: list[str], message: str) -> None:
    args = [a for g in grid for a in ("--grid", g)]
    done = subprocess.run([str(ZOPA), "forecast", GAZA, "-m", "bdm", *args],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr


def test_grid_and_param_may_not_set_the_same_parameter() -> None:
    with pytest.raises(UsageError, match="both --param and --grid"):
        app.forecast_grid(load_scenario(GAZA), {"q": ["1"]}, model="bdm", params={"q": "2"})


def _flaky(folder: Path, span: Span) -> int:
    """Fails the first time each chunk runs (a marker file says it ran), then works."""
    marker = folder / f"ran-{span.start}"
    if not marker.exists():
        marker.write_text("x")
        raise RuntimeError(f"first try of {span.start}")
    return span.start * 10


def _broken(folder: Path, span: Span) -> int:
    """Chunk 1 always fails."""
    if span.start == 4:
        raise RuntimeError("boom")
    return span.start


@pytest.mark.parametrize("where", ["here", "pool", "ray"])
def test_a_failed_chunk_is_retried_once_then_reported(where: str, tmp_path: Path,
                                                      pool: LocalExecutor,
                                                      request: pytest.FixtureRequest) -> None:
    executor: Any = {"here": LocalExecutor(1), "pool": pool}.get(where) or request.getfixturevalue(
        "ray_local")
    found: dict[int, int] = {}
    run_chunks(executor, _flaky, tmp_path, spans(12, 4),
               lambda span, value: found.__setitem__(span.start, value))
    assert found == {0: 0, 4: 40, 8: 80}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ran-0", "ran-4", "ran-8"]
    with pytest.raises(ChunkFailed, match=r"^chunk 1 \(items 4\.\.7\) failed twice: "
                                          r"RuntimeError: boom$"):
        run_chunks(executor, _broken, tmp_path, spans(12, 4), lambda span, value: None)


def test_executor_settings_are_checked() -> None:
    with pytest.raises(UsageError, match="unknown executor"):
        ExecutorSettings("dask")
    with pytest.raises(UsageError, match="add --executor ray"):
        ExecutorSettings("local", address="10.0.0.1:6379")
    done = subprocess.run([str(ZOPA), "zone", GAZA, "--samples", "10", "--executor", "slurm"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stderr.startswith("error: unknown executor 'slurm'")


def test_a_missing_ray_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from zopa.executors import ray as ray_executor

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(UsageError, match=r"^--executor ray needs Ray: pip install 'zopa\[ray\]'$"):
        ray_executor.RayExecutor()


def test_stages_count_an_interruption_across_runs() -> None:
    watched = Recorder()
    with pytest.raises(Interrupted) as caught, Stages(watched, 30, "draws", "") as stages:
        stages.next(10).chunk_done(Chunk(0, 0, 10))
        stages.next(10)
        raise Interrupted(4, 10, "draws")
    assert (caught.value.done, caught.value.total) == (14, 30)
    assert watched.calls[-1] == ("finished", None)


def test_a_chunk_interrupted_in_process_reports_what_was_done() -> None:
    def stop_at_second(shared: None, span: Span) -> int:
        if span.start:
            raise KeyboardInterrupt
        return 1

    watched = Recorder()
    with pytest.raises(Interrupted, match="interrupted after 5 of 10 draws"):
        run_chunks(LocalExecutor(1), stop_at_second, None, spans(10, 5), lambda s, v: None,
                   progress=watched)
    assert watched.calls[-1] == ("finished", None)


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    done = subprocess.run([str(ZOPA), "timeline", GAZA, "--samples", "20000", "--workers", "1"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and done.stderr == ""


def test_a_progress_bar_on_a_terminal_but_not_with_json() -> None:
    def stderr_on_a_terminal(*extra: str) -> str:
        main, other = pty.openpty()
        env = {**os.environ, "COLUMNS": "200", "TERM": "xterm"}
        process = subprocess.Popen(
            [str(ZOPA), "timeline", GAZA, "--samples", "60000", "--workers", "1", *extra],
            stdout=subprocess.DEVNULL, stderr=other, env=env)
        os.close(other)
        chunks = []
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=120)
        os.close(main)
        assert process.returncode == 0
        return b"".join(chunks).decode("utf-8", "replace")

    drawn = stderr_on_a_terminal()
    assert "draws/s" in drawn and "60,000 draws" in drawn
    assert stderr_on_a_terminal("--json") == ""
