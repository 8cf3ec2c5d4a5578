"""Start-up time of the ``zopa`` command against a bare interpreter start, in the same run.

For ``zopa --help``, ``zopa validate EXAMPLE``, ``zopa forecast EXAMPLE`` (compromise) and
``zopa zone EXAMPLE``, each process is timed whole (median of ``--repeat`` runs, after one
warm-up) and compared with ``python -c pass``. The runs are interleaved (each round times the
bare start and every command once), so a machine that gets busier or quieter during the run
moves both sides alike. Goals (issue 16): ``--help`` at most 15x a bare start, ``validate`` at
most 25x.

The forecast and zone runs keep their runs in a run store of their own in a temporary folder
(``ZOPA_STORE``), as a user's would, not in the user's data folder; the storing (after the
output is printed: DuckDB's import and one transaction, ~0.15 s) is part of their time.

zopa's modules are compiled to bytecode first, as the first run of any install does; with
``PYTHONDONTWRITEBYTECODE`` set (some sandboxes and CI images) the interpreter would otherwise
recompile an editable install's sources on every run (~35 ms a command).

    .venv/bin/python benchmarks/bench_startup.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZOPA = str(Path(sys.executable).parent / "zopa")
ENV = {**os.environ,
       "ZOPA_STORE": str(Path(tempfile.mkdtemp(prefix="zopa-bench-")) / "runs.duckdb")}
"""The commands' environment: a run store of the benchmark's own."""


def cases(example: str) -> list[tuple[str, list[str], float | None]]:
    """The command lines timed, with their goal (times a bare interpreter start)."""
    return [
        ("zopa --help", [ZOPA, "--help"], 15.0),
        ("zopa validate EXAMPLE", [ZOPA, "validate", example], 25.0),
        ("zopa forecast EXAMPLE", [ZOPA, "forecast", example], None),
        ("zopa zone EXAMPLE", [ZOPA, "zone", example], None),
    ]


def once(argv: list[str]) -> float:
    """Wall time of one run of ``argv``."""
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=ENV)
    return time.perf_counter() - start


def timed(argvs: list[list[str]], repeat: int) -> list[float]:
    """Median wall time of each command line over ``repeat`` interleaved rounds, after one
    warm-up run of each."""
    for argv in argvs:
        once(argv)
    times: list[list[float]] = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, took in zip(argvs, times, strict=True):
            took.append(once(argv))
    return [statistics.median(took) for took in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--example", default=str(ROOT / "examples" / "gaza-2024-03.yaml"),
                        help="scenario file (an older zopa needs the example of its own time)")
    args = parser.parse_args()
    import zopa

    compileall.compile_dir(Path(zopa.__file__).parent, quiet=1)
    timed_cases = cases(args.example)
    bare, *times = timed([[sys.executable, "-c", "pass"]] + [argv for _, argv, _ in timed_cases],
                         args.repeat)
    print(f"bare interpreter: {bare * 1000:.1f} ms")
    for (label, _, goal), took in zip(timed_cases, times, strict=True):
        met = goal is not None and took / bare <= goal
        verdict = "" if goal is None else f"  (goal <= {goal:g}x: {'met' if met else 'MISSED'})"
        print(f"ratio: {took / bare:.1f}x  {label} vs bare python ({took * 1000:.0f} ms)"
              f"{verdict}")


if __name__ == "__main__":
    main()
