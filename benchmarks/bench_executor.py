"""Benchmark: 10^6 Monte Carlo draws of the March 2024 example on the executors.

    .venv/bin/python benchmarks/bench_executor.py            # about a minute or two
    .venv/bin/python benchmarks/bench_executor.py --quick    # 10^5 draws, a smoke test

What ``zopa forecast examples/gaza-2024-03.yaml --samples 1000000`` computes (the compromise
forecast, each party's acceptance and the ZOPA on every draw, after the last event), in chunks
of 4,096 draws (245 chunks), on:

- ``in-process``: one worker, no pool (the reference time ``T1``, and the cost of one chunk);
- ``local x2``: two worker processes (``LocalExecutor(2)``, from the first chunk);
- ``ray x2``: Ray in local mode with two CPUs (``ray.init(num_cpus=2)``).

Each executor runs the work twice on the same workers: ``cold`` includes starting them (the
pool's processes importing numpy and zopa; Ray's start is timed apart), ``warm`` does not.
``speed-up`` is ``T1 / warm``; ``overhead/chunk`` is the worker time a chunk costs beyond its
in-process work, ``(warm x workers - T1) / chunks`` (sending the chunk and its result, waiting;
negative if the workers ran faster than the single process). The answers of every run are
checked to equal the in-process ones. The numbers in docs/executors.md come from this script.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from zopa.app.common import replay  # noqa: E402
from zopa.app.uncertain import CHUNK, uncertain_final  # noqa: E402
from zopa.executors.local import LocalExecutor  # noqa: E402
from zopa.models.base import make_model  # noqa: E402
from zopa.results.timeline import UncertainState  # noqa: E402
from zopa.scenario import load_scenario  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "gaza-2024-03.yaml"


def timed(timeline: Any, draws: int, executor: Any) -> tuple[float, UncertainState]:
    """Seconds for ``draws`` draws on ``executor``, and the answers."""
    began = time.perf_counter()
    found = uncertain_final(timeline, make_model("compromise"), None, draws, 1,
                            executor=executor)
    return time.perf_counter() - began, found


def main() -> None:
    """Time the executors and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 draws")
    parser.add_argument("--no-ray", action="store_true", help="skip Ray")
    args = parser.parse_args()
    draws = 100_000 if args.quick else 1_000_000
    chunks = -(-draws // CHUNK)
    timeline, _ = replay(load_scenario(EXAMPLE), (), None)
    timed(timeline, CHUNK, None)  # warm-up: imports, first calls
    t1, reference = timed(timeline, draws, None)
    print(f"{draws:,} draws in {chunks} chunks of {CHUNK:,}; in-process {t1:.2f} s "
          f"({draws / t1:,.0f} draws/s, {t1 / chunks * 1e3:.1f} ms a chunk)")
    print(f"{'executor':<12}{'workers':>8}{'start s':>9}{'cold s':>8}{'warm s':>8}"
          f"{'speed-up':>10}{'overhead/chunk ms':>19}")
    rows: list[tuple[str, int, float, float, float]] = [("in-process", 1, 0.0, t1, t1)]
    local = LocalExecutor(2, start_seconds=0)
    try:
        cold, first = timed(timeline, draws, local)
        warm, second = timed(timeline, draws, local)
    finally:
        local.close()
    assert first == reference and second == reference, "local results differ"
    rows.append(("local", 2, 0.0, cold, warm))
    if not args.no_ray:
        import ray

        from zopa.executors.ray import RayExecutor

        began = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        start = time.perf_counter() - began
        try:
            on_ray = RayExecutor()
            cold, first = timed(timeline, draws, on_ray)
            warm, second = timed(timeline, draws, on_ray)
        finally:
            ray.shutdown()
        assert first == reference and second == reference, "Ray results differ"
        rows.append(("ray", 2, start, cold, warm))
    for name, workers, start, cold, warm in rows:
        overhead = (warm * workers - t1) / chunks * 1e3
        print(f"{name:<12}{workers:>8}{start:>9.2f}{cold:>8.2f}{warm:>8.2f}{t1 / warm:>10.2f}"
              f"{overhead:>19.2f}")


if __name__ == "__main__":
    main()
