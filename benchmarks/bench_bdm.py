"""Benchmark: zopa's expected-utility models against the peer replications, per round.

Run: ``.venv/bin/python benchmarks/bench_bdm.py [--peer-large] [--peers PATH]``

- ``bdm`` at 10, 100 and 1,000 actors against dmasad/BDM_DecisionModel_Replication (the
  1,000-actor peer round takes ~5 minutes, so it runs only with ``--peer-large``; otherwise the
  figure measured in ``peers/README.md`` is quoted, not re-measured), and ``bdm`` alone at 10,000
  actors with its peak memory;
- ``bdm-scholz`` at 10 and 20 actors against jmckib/bdm-scholz-expected-utility-model (the
  replication of Scholz's code), checking that both give the same positions.

Synthetic actors as ``shared/models/bdm/make_synth.py`` makes them: numpy
``default_rng(12345 + n)``, capability U(0.01, 1), position U(0, 100), salience U(0.1, 1).
The peers live in ``../shared/peers`` (a clone of zopa has no such folder: those cases are
skipped with a message).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from zopa.models.bdm import PAPER, SCHOLZ_CODE, Variant, issue_round

ROOT = Path(__file__).resolve().parents[1]
DMASAD_1000_S = 311.0  # peers/README.md: dmasad at 1,000 actors, s/round on this box


def synthetic(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capability, position, salience of ``n`` actors, as make_synth.py draws them."""
    rng = np.random.default_rng(12345 + n)
    c, x, s = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):  # drawn in make_synth.py's order: c, x, s per actor
        c[i] = round(float(rng.uniform(0.01, 1.0)), 4)
        x[i] = round(float(rng.uniform(0, 100)), 2)
        s[i] = round(float(rng.uniform(0.1, 1.0)), 3)
    return c, x, s


def eu_example() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    with (ROOT / "tests" / "data" / "import" / "scholz2011_eu_example.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    col = lambda k: np.array([float(r[k]) for r in rows])  # noqa: E731
    return [r["Actor"] for r in rows], col("Capability"), col("Position"), col("Salience")


def zopa_round(c: np.ndarray, x: np.ndarray, s: np.ndarray, variant: Variant,
               repeat: int = 3) -> tuple[float, np.ndarray]:
    dx = float(x.max() - x.min())
    best, out = np.inf, x
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = issue_round(x, c, s, dx, variant).x
        best = min(best, time.perf_counter() - t0)
    return best, out


def load_peer(peers: Path, module: str) -> Any | None:
    folder = peers / "bdm"
    if not (folder / f"{module}.py").exists():
        return None
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(folder))


def dmasad_round(peer: Any, c: np.ndarray, x: np.ndarray, s: np.ndarray) -> float:
    actors = [peer.Actor(f"A{i}", None, float(x[i]), float(c[i]), float(s[i]))
              for i in range(x.size)]
    model = peer.Model(actors, float(x.max()), float(x.min()), Q=1.0, T=1.0)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        model.run_model()
    return time.perf_counter() - t0


def jmckib_round(peer: Any, names: list[str], c: np.ndarray, x: np.ndarray,
                 s: np.ndarray) -> tuple[float, np.ndarray]:
    rows = [{"Actor": a, "Capability": str(ci), "Position": str(xi), "Salience": str(si)}
            for a, ci, xi, si in zip(names, c, x, s, strict=True)]
    model = peer.BDMScholzModel(rows)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        model.update_risk_aversions()
        model.update_positions()
    return time.perf_counter() - t0, np.array([a.x for a in model.actors])


def ratio_line(zopa_s: float, peer_s: float | None, what: str, peer: str,
               note: str = "") -> None:
    if peer_s is None:
        print(f"zopa {zopa_s * 1e3:9.2f} ms  {what} (per round); {peer}: skipped ({note})")
        return
    print(f"ratio: {peer_s / zopa_s:8.1f}x  zopa vs {peer}, {what} (per round)"
          f"   [zopa {zopa_s * 1e3:.2f} ms, {peer} {peer_s * 1e3:.1f} ms]{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers")
    parser.add_argument("--peer-large", action="store_true",
                        help="also run dmasad at 1,000 actors (about 5 minutes)")
    parser.add_argument("--largest", type=int, default=10_000)
    args = parser.parse_args()
    dmasad = load_peer(args.peers, "GroupDecisionModel_py3")
    jmckib = load_peer(args.peers, "bdm_scholz_model_py3")
    missing = f"no peer at {args.peers}"

    for n in (10, 100, 1000):
        c, x, s = synthetic(n)
        t_zopa, _ = zopa_round(c, x, s, PAPER)
        if dmasad is None:
            ratio_line(t_zopa, None, f"bdm {n:,} actors", "dmasad", missing)
        elif n == 1000 and not args.peer_large:
            ratio_line(t_zopa, DMASAD_1000_S, f"bdm {n:,} actors", "dmasad",
                       "  (peer time from peers/README.md, not re-measured; --peer-large)")
        else:
            ratio_line(t_zopa, dmasad_round(dmasad, c, x, s), f"bdm {n:,} actors", "dmasad")

    names, c, x, s = eu_example()
    cases = [("EU example, 10 actors", names, c, x, s)]
    c20, x20, s20 = synthetic(20)
    cases.append(("20 actors", [f"A{i:04d}" for i in range(20)], c20, x20, s20))
    for label, nm, cc, xx, ss in cases:
        t_zopa, ours = zopa_round(cc, xx, ss, SCHOLZ_CODE)
        if jmckib is None:
            ratio_line(t_zopa, None, f"bdm-scholz {label}", "jmckib", missing)
            continue
        t_peer, theirs = jmckib_round(jmckib, nm, cc, xx, ss)
        same = np.abs(ours - theirs).max()
        ratio_line(t_zopa, t_peer, f"bdm-scholz {label}", "jmckib",
                   f"  max |position difference| {same:.1e}")

    c, x, s = synthetic(args.largest)
    tracemalloc.start()
    t0 = time.perf_counter()
    issue_round(x, c, s, float(x.max() - x.min()), PAPER)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"bdm {args.largest:,} actors: {seconds:.1f} s per round, "
          f"peak memory {peak / 2**20:.0f} MiB (tracemalloc)")


if __name__ == "__main__":
    main()
