"""Start-up time of the ``zopa`` command against a bare interpreter start, in the same run.

For ``zopa --help``, ``zopa validate EXAMPLE``, ``zopa forecast EXAMPLE`` (compromise) and
``zopa zone EXAMPLE``, each process is timed whole (median of ``--repeat`` runs, after one
warm-up) and compared with ``python -c pass``. Goals (issue 16): ``--help`` at most 15x a bare
start, ``validate`` at most 25x.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZOPA = str(Path(sys.executable).parent / "zopa")


def cases(example: str) -> list[tuple[str, list[str], float | None]]:
    """The command lines timed, with their goal (times a bare interpreter start)."""
    return [
        ("zopa --help", [ZOPA, "--help"], 15.0),
        ("zopa validate EXAMPLE", [ZOPA, "validate", example], 25.0),
        ("zopa forecast EXAMPLE", [ZOPA, "forecast", example], None),
        ("zopa zone EXAMPLE", [ZOPA, "zone", example], None),
    ]


def timed(argv: list[str], repeat: int) -> float:
    """Median wall time of ``argv`` over ``repeat`` runs, after one warm-up run."""
    subprocess.run(argv, capture_output=True, check=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--example", default=str(ROOT / "examples" / "gaza-2024-03.yaml"),
                        help="scenario file (an older zopa needs the example of its own time)")
    args = parser.parse_args()
    bare = timed([sys.executable, "-c", "pass"], args.repeat)
    print(f"bare interpreter: {bare * 1000:.1f} ms")
    for label, argv, goal in cases(args.example):
        took = timed(argv, args.repeat)
        met = goal is not None and took / bare <= goal
        verdict = "" if goal is None else f"  (goal <= {goal:g}x: {'met' if met else 'MISSED'})"
        print(f"ratio: {took / bare:.1f}x  {label} vs bare python ({took * 1000:.0f} ms)"
              f"{verdict}")


if __name__ == "__main__":
    main()
