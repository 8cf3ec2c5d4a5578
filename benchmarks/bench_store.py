"""The run store's speed and size (docs/store.md records the numbers).

- runs stored per second: small forecasts (compromise model on the bundled example) computed by
  :func:`zopa.app.forecast` and stored by :func:`zopa.store.writer.store_result`, each run its
  own connection and transaction, as the command line does;
- per-draw rows: 10^6 rows into ``chunks`` in one statement, and 1,000 chunks one transaction
  each (as :class:`zopa.store.watcher.StoreWatcher` keeps them while work runs);
- the query "P(ZOPA) per date for scenario X over its last 100 runs", on a store of 150 timeline
  runs (12 dates each) and the rows above;
- the store's size per 10^6 per-draw rows.

    .venv/bin/python benchmarks/bench_store.py [--runs 200] [--draws 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from zopa import app
from zopa.progress import Chunk
from zopa.scenario.loader import load_scenario
from zopa.store.writer import (
    RunInfo,
    add_chunks,
    begin_run,
    insert_arrays,
    open_store,
    store_result,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "gaza-2024-03.yaml"
QUERY = """
SELECT t.date, avg(t.p_zopa) AS p_zopa, avg(t.p_zopa_se) AS se, count(*) AS runs
FROM timeline t
JOIN (SELECT id FROM runs WHERE scenario_hash = ? AND kind = 'timeline'
      ORDER BY id DESC LIMIT 100) r ON r.id = t.run_id
GROUP BY t.date ORDER BY t.date
"""


def main() -> None:
    """Print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="forecasts stored")
    parser.add_argument("--draws", type=int, default=1_000_000, help="per-draw rows")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="zopa-bench-store-"))
    store = folder / "runs.duckdb"
    scenario = load_scenario(EXAMPLE)

    start = time.perf_counter()
    stored = 0.0
    for _ in range(args.runs):
        result = app.forecast(scenario, model="compromise", file=str(EXAMPLE))
        t0 = time.perf_counter()
        store_result(store, result, RunInfo("forecast", ("forecast",), EXAMPLE))
        stored += time.perf_counter() - t0
    total = time.perf_counter() - start
    print(f"forecasts computed and stored: {args.runs / total:.1f} runs/s "
          f"(storing alone: {args.runs / stored:.1f} runs/s, {1000 * stored / args.runs:.1f} "
          "ms a run)")

    timeline = app.timeline(scenario, samples=200, seed=1, file=str(EXAMPLE))
    for _ in range(150):
        store_result(store, timeline, RunInfo("timeline", ("timeline",), EXAMPLE))

    before = store.stat().st_size
    con = open_store(store)
    run_id = begin_run(con, RunInfo("timeline"), store, unit="draws", total=args.draws)
    n = args.draws
    rng = np.random.default_rng(0)
    frame = {"run_id": np.full(n, run_id, dtype=np.int64), "chunk": np.arange(n, dtype=np.int32),
             "start": np.arange(n, dtype=np.int64), "stop": np.arange(1, n + 1, dtype=np.int64),
             "name": np.full(n, "gap", dtype=object), "value": rng.random(n)}
    t0 = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    insert_arrays(con, "chunks", frame)
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t0
    con.close()
    grown = store.stat().st_size - before
    print(f"per-draw rows, one statement: {n / seconds:,.0f} rows/s ({n:,} rows in "
          f"{seconds:.2f} s); store size: {grown / 2**20 * 1e6 / n:.1f} MiB per 10^6 draws")

    con = open_store(store)
    run_id = begin_run(con, RunInfo("timeline"), store, unit="draws", total=1000)
    t0 = time.perf_counter()
    for k in range(1000):
        add_chunks(con, run_id, [Chunk(k, 100 * k, 100 * (k + 1), {"zopa": 1.0})])
    seconds = time.perf_counter() - t0
    print(f"chunks one transaction each (connection kept open): {1000 / seconds:,.0f} chunks/s")
    con.close()
    t0 = time.perf_counter()
    for k in range(100):
        con = open_store(store)
        add_chunks(con, run_id, [Chunk(k, 0, 1)])
        con.close()
    seconds = time.perf_counter() - t0
    print(f"chunks with the store opened for each (the watcher): {100 / seconds:,.0f} chunks/s")

    con = open_store(store)
    digest = con.execute("SELECT hash FROM scenarios").fetchone()
    assert digest is not None
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        rows = con.execute(QUERY, [digest[0]]).fetchall()
        times.append(time.perf_counter() - t0)
    con.close()
    print(f"P(ZOPA) per date over the scenario's last 100 runs: {len(rows)} dates, "
          f"{1000 * statistics.median(times):.1f} ms (median of 20)")
    print(f"store: {store.stat().st_size / 2**20:.1f} MiB")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
