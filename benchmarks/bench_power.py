"""Exact voting power: zopa against powerindex (PyPI) on the same weighted games.

Not a test: run ``python benchmarks/bench_power.py`` (``--quick`` for one run per case). For each
game both libraries run here, one after the other, and the script checks that they agree. zopa's
time is that of its exact results: swing counts as Python integers and every index as an exact
fraction (converted to floats only for the comparison); powerindex computes floats. Per case it
prints ``ratio: NNx  zopa vs powerindex, <case>`` where NN is powerindex's time divided by zopa's
(above 1: zopa is faster). Times are the best of a few runs.

Up to 170 players both compute both indices. Beyond, powerindex's Shapley-Shubik fails (it turns
``n!`` into a float), so the ratio is for the Banzhaf index alone (zopa's Banzhaf-only path) and
zopa's time for both indices, exact, is printed on its own line — among them the 1,000-member
game with weights 1 to 10.

Double majorities have no powerindex form. The EU Council's population criterion alone (in
thousands of people, a weighted game with a quota of about 292,000) is compared, and zopa's times
are printed for the full rule (55 % of members, 65 % of population, blocking minority of four) and
for random double majorities of 24 members with weights 1 to 4 and of 48 with equal weights.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import powerindex

from zopa.institutions.bodies import builtin_body
from zopa.institutions.power import voting_power, weighted_swings
from zopa.institutions.rules import DecisionRule
from zopa.scenario.schema import Body

POWERINDEX_SHAPLEY_LIMIT = 170  # math.factorial(171) overflows a float


def best_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
        if best > 5.0:  # one run of a slow case is precise enough
            break
    return best, out


def weighted_rule(weights: list[int], quota: int) -> DecisionRule:
    members = [{"id": f"m{i}", "weight": w} for i, w in enumerate(weights)]
    body = {"id": "B", "name": "weighted game", "members": members,
            "rule": {"quota": quota, "basis": "votes"}}
    return DecisionRule.from_body(Body.model_validate(body))


def zopa_both(rule: DecisionRule) -> tuple[np.ndarray, np.ndarray]:
    """Both indices, exact (the public API), as floats for the comparison."""
    p = voting_power(rule)
    return np.array([float(x) for x in p.shapley_shubik]), np.array([float(x) for x in p.banzhaf])


def zopa_banzhaf(weights: list[int], quota: int) -> np.ndarray:
    """The normalised Banzhaf index alone, exact: swing totals without sizes, then fractions."""
    swings = [r[0] for r in weighted_swings(weights, quota, by_size=False)]
    total = sum(swings)
    return np.array([float(Fraction(s, total)) for s in swings])


def powerindex_indices(weights: list[int], quota: int, shapley: bool) -> tuple[Any, np.ndarray]:
    game = powerindex.Game(quota, weights)
    game.calc_banzhaf()
    if not shapley:
        return None, np.array(game.banzhaf)
    game.calc_shapley_shubik()
    return np.array(game.shapley_shubik), np.array(game.banzhaf)


def cases(rng: np.random.Generator) -> list[tuple[str, list[int], int]]:
    out = [("15 players, UN Security Council as [39; 7 x 5, 1 x 10]", [7] * 5 + [1] * 10, 39)]
    for n in (50, 100, 150, 200):
        w = rng.integers(1, 30, n).tolist()
        out.append((f"{n} players, weights 1-29, quota half + 1", w, sum(w) // 2 + 1))
    w = rng.integers(1, 11, 1000).tolist()
    out.append(("1000 players, weights 1-10, quota half + 1", w, sum(w) // 2 + 1))
    eu = builtin_body("eu-council-qmv")
    pops = [round((m.population or 0) / 1000) for m in eu.members]
    out.append(("27 players, EU population criterion (thousands, 65 %)", pops,
                -(-65 * sum(pops) // 100)))
    return out


def double_majority(n: int, equal: bool, rng: np.random.Generator) -> DecisionRule:
    weights = [1] * n if equal else rng.integers(1, 5, n).tolist()
    members = [{"id": f"m{i}", "weight": w, "population": int(p)}
               for i, (w, p) in enumerate(zip(weights, rng.integers(1, 10**8, n), strict=True))]
    body = {"id": "DM", "name": "double majority", "members": members,
            "rule": {"quota": 0.55, "basis": "members", "population_quota": 0.65,
                     "blocking_minority": 4}}
    return DecisionRule.from_body(Body.model_validate(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per library and case")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    rng = np.random.default_rng(2024)
    for name, weights, quota in cases(rng):
        rule = weighted_rule(weights, quota)
        t_both, (ss_z, bz_z) = best_time(lambda r=rule: zopa_both(r), repeats)
        if len(weights) <= POWERINDEX_SHAPLEY_LIMIT:
            t_pi, (ss_p, bz_p) = best_time(
                lambda w=weights, q=quota: powerindex_indices(w, q, True), repeats
            )
            gap = max(np.abs(bz_z - bz_p).max(), np.abs(ss_z - ss_p).max())
            t_zopa = t_both
            label = f"{name}, both indices"
        else:
            t_zopa, bz_only = best_time(lambda w=weights, q=quota: zopa_banzhaf(w, q), repeats)
            t_pi, (_, bz_p) = best_time(
                lambda w=weights, q=quota: powerindex_indices(w, q, False), repeats
            )
            gap = max(np.abs(bz_z - bz_p).max(), np.abs(bz_only - bz_p).max())
            label = f"{name}, Banzhaf only (powerindex's Shapley-Shubik overflows beyond 170)"
            print(f"zopa {t_both:.4f} s for both indices, exact, Shapley-Shubik sums to "
                  f"{float(ss_z.sum()):.15f}: {name}")
        print(f"zopa {t_zopa:.4f} s, powerindex {t_pi:.4f} s, largest difference {gap:.1e}: "
              f"{label}")
        print(f"ratio: {t_pi / t_zopa:.1f}x  zopa vs powerindex, {label}")
    rule = DecisionRule.from_body(builtin_body("eu-council-qmv"))
    t_eu, _ = best_time(lambda: voting_power(rule), repeats)
    print(f"zopa {t_eu:.4f} s: EU Council QMV, full double majority, 27 members "
          "(no powerindex form)")
    for n, equal in ((24, False), (48, True)):
        rule = double_majority(n, equal, rng)
        t_dm, p = best_time(lambda r=rule: voting_power(r), repeats)
        kind = "equal weights" if equal else "weights 1-4"
        print(f"zopa {t_dm:.4f} s ({p.method}): double majority of {n} members, {kind}, 55 % of "
              "weight, 65 % of population, blocking minority of 4 (no powerindex form)")


if __name__ == "__main__":
    main()
