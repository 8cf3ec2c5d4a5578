"""Benchmark: zopa's exchange model against decide (foarsitter/decide-exchange-model), per round.

Run: ``.venv/bin/python benchmarks/bench_exchange.py [--peers PATH] [--peer-python PYTHON]``

Cases: decide's sample (10 actors x 6 issues), and seeded synthetic sets of 15 x 13 and 60 x 8.
zopa runs in its default precision (decimal: reproduces decide); the binary64 mode's time is
shown in brackets.
decide runs in a subprocess (``--peer-python``, default this interpreter), which needs blinker,
peewee, structlog, typesystem==0.2.5, pandas and matplotlib; without them, or without
``../shared/peers``, the peer is skipped with a message. Both sides time only the model loop of
each round (decide without its file writers) and run the same input file, read by zopa through
``zopa import-decide``. The peak memory of the largest case is reported.

Each side runs the rounds once untimed (warm-up: first calls, caches), then the two sides
alternate ``--repeat`` times: decide runs the rounds once, timed, and zopa runs them again and
again for as long as decide took (so both sides' times span the same stretch of a machine that
may be busy). A side's time is the median over the repeats of its mean time per round; the
ratio line also gives the lowest and highest ratio of the paired repeats. Times are CPU times
of the process (``time.process_time``): other work on the machine delays a run but adds little
to them. The synthetic cases run one repeat (decide takes minutes a round there); ``--case``
picks cases by name.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from zopa.importers.decide import read_decide
from zopa.models.exchange_round import Precision, Start, run_round

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3
REPEAT = 7

# Runs decide's own loop on FILE for ROUNDS rounds, WARMUP times untimed and then once timed,
# and prints the timed run's seconds per round as JSON.
PEER_DRIVER = r"""
import json, sys, time, tempfile, random
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from decide.data.reader import InputDataFile
from decide.data.modelfactory import ModelFactory
from decide.model import equalgain
from decide.model.observers.observer import Observable
from decide.model.utils import ModelLoop
equalgain.EqualGainModel.ALLOW_RANDOM = False

def run():
    random.seed(0)
    model = ModelFactory(InputDataFile.open(Path(sys.argv[2])))(
        model_klass=equalgain.EqualGainModel, randomized_value=0.0)
    events = Observable(model_ref=model,
                        output_directory=Path(tempfile.gettempdir()) / "decide_obs")
    loop = ModelLoop(model, events, 0)
    times = []
    for _ in range(int(sys.argv[3])):
        t0 = time.process_time(); loop.loop(); times.append(time.process_time() - t0)
    return times

for _ in range(int(sys.argv[4])):
    run()
print(json.dumps(run()))
"""


def synthetic_file(folder: Path, n: int, m: int) -> Path:
    """A decide input file with ``n`` actors x ``m`` issues, seeded by the sizes."""
    rng = np.random.default_rng(1000 * n + m)
    lines = [f"#A\tA{i:03d}\tA{i:03d}" for i in range(n)]
    for j in range(m):
        lines += [f"#P\tI{j:02d}\tI{j:02d}", f"#M\tI{j:02d}\t0", f"#M\tI{j:02d}\t100"]
    power = np.round(rng.uniform(0.1, 1.0, n), 2)
    for i in range(n):
        for j in range(m):
            x, s = round(float(rng.uniform(0, 100))), round(float(rng.uniform(0.1, 1.0)), 2)
            lines.append(f"#D\tA{i:03d}\tI{j:02d}\t{x}\t{s}\t{power[i]}")
    path = folder / f"synthetic_{n}x{m}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def zopa_rounds(
    path: Path, rounds: int, precision: Precision = "decimal"
) -> tuple[list[float], int]:
    table = read_decide(path)
    actors, issues = list(table.actor_names), list(table.issue_names)
    x = np.full((len(actors), len(issues)), np.nan)
    s = np.zeros_like(x)
    c = np.zeros_like(x)
    for r in table.rows:
        i, j = actors.index(r.actor), issues.index(r.issue)
        x[i, j], s[i, j], c[i, j] = r.position, r.salience, r.capability
    lo = np.array([table.bounds[k][0] for k in issues])
    hi = np.array([table.bounds[k][1] for k in issues])
    start = Start.of(x, lo, hi, precision)
    times, count = [], 0
    for _ in range(rounds):
        t0 = time.process_time()
        result = run_round(start, s, c)
        times.append(time.process_time() - t0)
        start = result.next
        count += len(result.exchanges)
    return times, count


def peer_rounds(
    python: str, peers: Path, path: Path, rounds: int, warmup: int = 0
) -> list[float] | str:
    source = peers / "decide"
    if not (source / "decide").is_dir():
        return f"no peer at {source}"
    done = subprocess.run([python, "-c", PEER_DRIVER, str(source), str(path), str(rounds),
                           str(warmup)],
                          capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return f"decide did not run ({last}); install the bench extra"
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def compare(args: argparse.Namespace, label: str, path: Path, repeat: int) -> None:
    """Time zopa and decide on one case, alternating repeats, and print the ratio line."""
    zopa_rounds(path, args.rounds)  # warm-up
    binary_s = float(np.mean(zopa_rounds(path, args.rounds, "float")[0]))
    ours: list[float] = []
    theirs: list[float] = []
    count = 0
    for _ in range(repeat):
        peer = peer_rounds(args.peer_python, args.peers, path, args.rounds, warmup=1)
        if isinstance(peer, str):
            times, count = zopa_rounds(path, args.rounds)
            print(f"zopa {float(np.mean(times)) * 1e3:9.2f} ms  exchange {label} (per round, "
                  f"{count} exchanges); decide: skipped ({peer})")
            return
        theirs.append(float(np.mean(peer)))
        # zopa's rounds again and again for as long as decide's took: both sides' times then
        # span the same stretch of a (maybe busy) machine
        spent: list[float] = []
        while not spent or sum(spent) < sum(peer):
            times, count = zopa_rounds(path, args.rounds)
            spent += times
        ours.append(float(np.mean(spent)))
    zopa_s, peer_s = float(np.median(ours)), float(np.median(theirs))
    paired = [p / z for z, p in zip(ours, theirs, strict=True)]
    print(f"ratio: {peer_s / zopa_s:8.1f}x  zopa vs decide, exchange {label} (per round)"
          f"   [median of {len(paired)}: zopa {zopa_s * 1e3:.1f} ms (precision=float "
          f"{binary_s * 1e3:.1f} ms), decide {peer_s * 1e3:.0f} ms; paired ratios "
          f"{min(paired):.1f}x-{max(paired):.1f}x; {count} exchanges in {args.rounds} rounds]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers")
    parser.add_argument("--peer-python", default=sys.executable)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--repeat", type=int, default=REPEAT,
                        help="timed repeats of the sample case (the median is compared)")
    parser.add_argument("--case", action="append", default=[],
                        help="run only the cases whose name holds this text (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [("sample 10 x 6", ROOT / "tests" / "data" / "import" / "decide_sample_data.txt",
                  args.repeat),
                 ("synthetic 15 x 13", synthetic_file(folder, 15, 13), 1),
                 ("synthetic 60 x 8", synthetic_file(folder, 60, 8), 1)]
        cases = [c for c in cases if not args.case or any(k in c[0] for k in args.case)]
        for label, path, repeat in cases:
            compare(args, label, path, repeat)
        tracemalloc.start()
        zopa_rounds(cases[-1][1], 1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"exchange {cases[-1][0]}: peak memory {peak / 2**20:.0f} MiB (tracemalloc, 1 round)")


if __name__ == "__main__":
    main()
