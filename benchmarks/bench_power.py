"""Exact voting power: zopa against powerindex (PyPI) on the same weighted games.

Not a test: run ``python benchmarks/bench_power.py`` (``--quick`` for fewer repeats). For each game
both libraries compute the Shapley-Shubik and normalised Banzhaf indices; the script checks that
they agree and prints, per case, ``ratio: NNx  zopa vs powerindex, <case>`` where NN is
powerindex's time divided by zopa's (above 1: zopa is faster). Times are the best of a few runs.

The EU Council's double majority has no powerindex form; its population criterion alone (in
thousands of people, a weighted game with a quota of about 292,000) is compared, and zopa's time
for the full rule (55 % of members, 65 % of population, blocking minority of four) is printed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from math import factorial
from typing import Any

import numpy as np
import powerindex

from zopa.institutions.bodies import builtin_body
from zopa.institutions.power import voting_power, weighted_swings
from zopa.institutions.rules import DecisionRule


def best_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
        if best > 5.0:  # one run of a slow case is precise enough
            break
    return best, out


def zopa_indices(
    weights: list[int], quota: int, shapley: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Both indices, or (like powerindex beyond 170 players) Banzhaf alone."""
    n = len(weights)
    if not shapley:
        totals = np.array([float(r[0]) for r in weighted_swings(weights, quota, by_size=False)])
        return np.full(n, np.nan), totals / totals.sum()
    rows = weighted_swings(weights, quota)
    swings = np.array([float(sum(r)) for r in rows])
    # Shapley-Shubik from swings by size with exact integers, as zopa.institutions.power does
    coef = [factorial(s) * factorial(n - 1 - s) for s in range(n)]
    ss = np.array([sum(c * k for c, k in zip(coef, r, strict=True)) / factorial(n) for r in rows])
    return ss, swings / swings.sum()


def powerindex_indices(weights: list[int], quota: int) -> tuple[np.ndarray, np.ndarray]:
    """Both indices; Shapley-Shubik is NaN where powerindex cannot compute it (it converts
    n! to a float, which overflows beyond 170 players)."""
    game = powerindex.Game(quota, weights)
    game.calc_banzhaf()
    if len(weights) > 170:  # checked first: it would do the work and then fail
        return np.full(len(weights), np.nan), np.array(game.banzhaf)
    game.calc_shapley_shubik()
    return np.array(game.shapley_shubik), np.array(game.banzhaf)


def cases(rng: np.random.Generator) -> list[tuple[str, list[int], int]]:
    out = [("15 players, UN Security Council as [39; 7 x 5, 1 x 10]", [7] * 5 + [1] * 10, 39)]
    for n in (50, 200):
        w = rng.integers(1, 30, n).tolist()
        out.append((f"{n} players, weights 1-29, quota half + 1", w, sum(w) // 2 + 1))
    eu = builtin_body("eu-council-qmv")
    pops = [round((m.population or 0) / 1000) for m in eu.members]
    out.append(("27 players, EU population criterion (thousands, 65 %)", pops,
                -(-65 * sum(pops) // 100)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per library and case")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    rng = np.random.default_rng(2024)
    for name, weights, quota in cases(rng):
        shapley = len(weights) <= 170
        t_zopa, (ss_z, bz_z) = best_time(
            lambda w=weights, q=quota, s=shapley: zopa_indices(w, q, s), repeats
        )
        t_pi, (ss_p, bz_p) = best_time(lambda w=weights, q=quota: powerindex_indices(w, q), repeats)
        gap = np.abs(bz_z - bz_p).max()
        if shapley:
            gap = max(gap, np.abs(ss_z - ss_p).max())
        else:
            name += " (Banzhaf only: powerindex's Shapley-Shubik overflows beyond 170)"
            t_both, _ = best_time(lambda w=weights, q=quota: zopa_indices(w, q), repeats)
            print(f"zopa {t_both:.4f} s for both indices, exact: {name}")
        print(f"zopa {t_zopa:.4f} s, powerindex {t_pi:.4f} s, largest difference {gap:.1e}: {name}")
        print(f"ratio: {t_pi / t_zopa:.1f}x  zopa vs powerindex, {name}")
    rule = DecisionRule.from_body(builtin_body("eu-council-qmv"))
    t_eu, _ = best_time(lambda: voting_power(rule), repeats)
    print(f"zopa {t_eu:.4f} s: EU Council QMV, full double majority, 27 members "
          "(no powerindex form)")


if __name__ == "__main__":
    main()
