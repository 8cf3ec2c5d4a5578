"""Benchmark: the same SAO negotiations run by NegMAS and by zopa's batched engine, in one process.

    .venv/bin/python benchmarks/bench_sao.py            # default run, a few minutes
    .venv/bin/python benchmarks/bench_sao.py --quick    # smoke test, seconds

Cases: random linear-additive domains with 3 issues x 10 values and 5 issues x 10 values, two
agents (and a 3-party case on 3 x 10), 100 rounds, time-based agents (NegMAS
``AspirationNegotiator`` with exponents 4 (Boulware) and 1 (linear); zopa ``TimeBased`` with the
same exponents and tolerance). Negotiation ``i`` gives every agent the reservation value
``r_i`` drawn uniformly in [0, 0.5] of its utility range, so the runs differ. NegMAS runs a sample
of the negotiations one by one; zopa runs the whole batch; both report negotiations per second,
and the NegMAS sample is checked for equal agreements and rounds. Peak memory: tracemalloc peak
of the zopa batch and the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np

from zopa.importers.genius import GeniusDomain, GeniusProfile
from zopa.protocols import NegotiationResults, TimeBased, run_sao

EXPONENTS = (4.0, 1.0, 2.0)


@dataclass
class Case:
    name: str
    issues: int
    values: int
    agents: int
    negmas_runs: int
    zopa_runs: int


def make_domain(issues: int, values: int, agents: int, seed: int) -> GeniusDomain:
    rng = np.random.default_rng(seed)
    profiles = []
    for a in range(agents):
        w = rng.random(issues)
        profiles.append(GeniusProfile(
            name=f"agent{a}", file="", weights=w / w.sum(),
            evaluations=tuple(rng.random(values) for _ in range(issues)),
            reservation=0.0, discount=1.0))
    return GeniusDomain(
        name=f"random{issues}x{values}", folder="",
        issues=tuple(f"i{j}" for j in range(issues)),
        values=tuple(tuple(f"v{k}" for k in range(values)) for _ in range(issues)),
        profiles=tuple(profiles))


def reservations(domain: GeniusDomain, runs: int, seed: int) -> np.ndarray:
    """Per-run reservation values: a share in [0, 0.5] of each agent's utility range."""
    u = domain.utility_table(normalise=False)
    lo, hi = u.min(axis=0), u.max(axis=0)
    share = np.random.default_rng(seed + 1).uniform(0.0, 0.5, size=(runs, u.shape[1]))
    return lo + share * (hi - lo)


def run_negmas(domain: GeniusDomain, res: np.ndarray, rounds: int) -> tuple[float, list]:
    from negmas.outcomes import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction, TableFun
    from negmas.sao import AspirationNegotiator, SAOMechanism

    issues = [make_issue(list(v), name=n)
              for n, v in zip(domain.issues, domain.values, strict=True)]
    space = make_os(issues)
    results = []
    start = time.perf_counter()
    for r in range(res.shape[0]):
        mechanism = SAOMechanism(outcome_space=space, n_steps=rounds)
        for a, p in enumerate(domain.profiles):
            ufun = LinearAdditiveUtilityFunction(
                values=[TableFun(dict(zip(vals, e.tolist(), strict=True)))
                        for vals, e in zip(domain.values, p.evaluations, strict=True)],
                weights=p.weights.tolist(), outcome_space=space,
                reserved_value=float(res[r, a]))
            mechanism.add(AspirationNegotiator(aspiration_type=EXPONENTS[a]), ufun=ufun)
        state = mechanism.run()
        results.append((state.agreement, state.step))
    return time.perf_counter() - start, results


def run_zopa(domain: GeniusDomain, res: np.ndarray, rounds: int
             ) -> tuple[float, float, NegotiationResults]:
    problem = domain.problem(normalise=False)
    strategies = [TimeBased(exponent=EXPONENTS[a]) for a in range(problem.n_agents)]
    run_sao(problem, strategies, n_steps=rounds, runs=min(64, res.shape[0]),
            reservation=res[:64])  # warm-up
    tracemalloc.start()
    start = time.perf_counter()
    result = run_sao(problem, strategies, n_steps=rounds, runs=res.shape[0], reservation=res)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few negotiations (smoke test)")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import negmas

    scale = 0.1 if args.quick else 1.0
    cases = [
        Case("bilateral SAO 3x10", 3, 10, 2, 200, 50_000),
        Case("bilateral SAO 5x10", 5, 10, 2, 20, 5_000),
        Case("3-party SAO 3x10", 3, 10, 3, 100, 20_000),
    ]
    print(f"negmas {negmas.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"{args.rounds} rounds; time-based agents, exponents {EXPONENTS}")
    for case in cases:
        n_negmas = max(2, int(case.negmas_runs * scale))
        n_zopa = max(n_negmas, int(case.zopa_runs * scale))
        domain = make_domain(case.issues, case.values, case.agents, args.seed)
        res = reservations(domain, n_zopa, args.seed)
        t_negmas, negmas_results = run_negmas(domain, res[:n_negmas], args.rounds)
        t_zopa, peak_mb, result = run_zopa(domain, res, args.rounds)
        outcomes = domain.space()
        same = 0
        for r, (agreement, step) in enumerate(negmas_results):
            ours = (tuple(outcomes.describe(int(result.outcome[r])).values())
                    if result.agreed[r] else None)
            same += ours == agreement and int(result.step[r]) + 1 == step
        rate_negmas = n_negmas / t_negmas
        rate_zopa = n_zopa / t_zopa
        print(f"\n{case.name}: {domain.n_outcomes:,} outcomes")
        print(f"  negmas: {n_negmas:>6} negotiations in {t_negmas:7.2f} s = {rate_negmas:10.1f} /s")
        print(f"  zopa:   {n_zopa:>6} negotiations in {t_zopa:7.2f} s = {rate_zopa:10.1f} /s"
              f"  (peak traced memory {peak_mb:.1f} MB)")
        print(f"  same agreement and round as negmas: {same}/{n_negmas}")
        print(f"ratio: {rate_zopa / rate_negmas:.0f}x  zopa vs negmas, {case.name}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak resident memory: {rss:.0f} MB")


if __name__ == "__main__":
    main()
