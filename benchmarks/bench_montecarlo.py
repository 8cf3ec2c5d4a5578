"""Benchmark: Monte Carlo over a scenario's uncertainty, batched, against the per-draw app route.

    .venv/bin/python benchmarks/bench_montecarlo.py           # a few minutes
    .venv/bin/python benchmarks/bench_montecarlo.py --quick   # smoke test
    .venv/bin/python benchmarks/bench_montecarlo.py --cases c # only case (c)

On examples/gaza-2024-03.yaml, with two sets of uncertain inputs: the file's declared ones, and
those plus a uniform band of +-10 % on every number (``zopa.uncertainty.synthetic``: every
capability, BATNA, ideal point, salience and red line, as the issue asks of the example). Cases:

(a) compromise forecast + each party's acceptance of it + the per-issue zone;
(b) full ZOPA existence across issues (``zone_exists``, exact: screens plus ``analyse_zone`` on
    the draws they leave open);
(c) bdm, 10 rounds (all draws at once, ``ExpectedUtilityModel.run_batch``);
(d) 100 SAO negotiations a draw between the parties, Boulware strategies, on the 7-point space
    (a loop over draws, each a batch of 100 negotiations).

Each batched case runs through ``zopa.uncertainty.montecarlo.run`` (sampling, building the state,
evaluating) and prints draws per second on one core (BLAS threads pinned to 1; no parallelism);
``ratio`` compares its time a draw with the route a user writes without this feature: perturb the
pydantic ``Scenario`` with ``model_copy`` and call ``zopa.app.forecast`` / ``zopa.app.zone`` /
``zopa.app.negotiate`` once a draw (timed on a few hundred draws or fewer, extrapolated per draw).
Both routes are timed after an untimed warm-up (one draw; a run on up to 3,000 draws, 2 for (d)), so
that the first case does not pay for imports, first calls and the allocator's first large blocks.
Peak memory: tracemalloc peak of 10^6 draws of case (a) in chunks, keeping only sums (memory
bounded whatever the number of draws) and keeping the forecast of every draw.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from zopa import app  # noqa: E402
from zopa.protocols.catalog import BOULWARE  # noqa: E402
from zopa.protocols.on_draws import negotiate_on_draws  # noqa: E402
from zopa.scenario import load_scenario, to_arrays  # noqa: E402
from zopa.scenario.arrays import ScenarioArrays  # noqa: E402
from zopa.scenario.schema import Scenario  # noqa: E402
from zopa.scenario.schema.institutions import RelationKind  # noqa: E402
from zopa.scenario.uncertain import UncertainInput  # noqa: E402
from zopa.seeds import as_seed_sequence  # noqa: E402
from zopa.timeline.state import State  # noqa: E402
from zopa.uncertainty import batch, montecarlo  # noqa: E402
from zopa.uncertainty.draws import Sampler, apply_inputs, sample  # noqa: E402
from zopa.uncertainty.synthetic import spread_inputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "gaza-2024-03.yaml"
SEED = 2024

Evaluate = Callable[[State, int], dict[str, np.ndarray]]


def perturbed(scenario: Scenario, inputs: Sequence[UncertainInput], row: np.ndarray) -> Scenario:
    """The scenario with each input set to its value in ``row``, by ``model_copy`` (the route a
    user writes without zopa's Monte Carlo)."""
    actors = list(scenario.actors)
    positions = {a: dict(p) for a, p in scenario.positions.items()}
    relations = list(scenario.relations)
    kinds = list(RelationKind)
    for spec, value in zip(inputs, row.tolist(), strict=True):
        actor = actors[spec.actor]
        if spec.target == "relation":
            key = (actor.id, actors[spec.to or 0].id, kinds[spec.kind or 0])
            at = next(i for i, r in enumerate(relations)
                      if (r.source_actor, r.target, r.kind) == key)
            relations[at] = relations[at].model_copy(update={"strength": value})
            continue
        if spec.target in ("capability", "batna"):
            cited = getattr(actor, spec.target).model_copy(update={"value": value})
            actors[spec.actor] = actor.model_copy(update={spec.target: cited})
            continue
        issue = scenario.issues[spec.issue or 0]
        position = positions[actor.id][issue.id]
        point: float | int = int(value) if issue.options is not None else value
        if spec.target == "salience":
            point = value
        positions[actor.id][issue.id] = position.model_copy(update={spec.target: point})
    return scenario.model_copy(update={"actors": actors, "positions": positions,
                                       "relations": relations})


def evaluate_a(state: State, start: int) -> dict[str, np.ndarray]:
    forecast = batch.compromise(state)
    parties = batch.member_view(state)
    low, high = batch.issue_zones(state, parties)
    return {"forecast": forecast, "accept": batch.verdicts(state, forecast, parties).acceptable,
            "zone_low": low, "zone_high": high}


def evaluate_b(state: State, start: int) -> dict[str, np.ndarray]:
    found = batch.zone_exists(state)
    return {"zopa": found.feasible, "fallback": found.fallback}


def evaluate_c(state: State, start: int) -> dict[str, np.ndarray]:
    return {"bdm": batch.forecast("bdm", state, rounds=10, seed=SEED, start=start)}


def evaluate_d(state: State, start: int) -> dict[str, np.ndarray]:
    """100 Boulware SAO negotiations a draw between the parties, on the 7-point space: every
    draw of the chunk at once (``zopa.protocols.on_draws``, what ``zopa negotiate --samples``
    runs; Boulware plays every run of a draw alike, so one is played a draw)."""
    parties = int(state.base.members(None).size)
    found = negotiate_on_draws(state, [BOULWARE.make()] * parties, n_steps=100, runs=100,
                               seed=as_seed_sequence(SEED), first=start, resolution=7)
    return {"deal_share": found.agreement_rate}


def app_route(case: str, scenario: Scenario, inputs: Sequence[UncertainInput], draws: int
              ) -> float:
    """Seconds a draw of the per-draw app route for ``case`` (after one untimed warm-up draw)."""

    def one(row: np.ndarray) -> None:
        s = perturbed(scenario, inputs, row)
        if case == "a":
            app.forecast(s, model="compromise")
        elif case == "b":
            app.zone(s)
        elif case == "c":
            app.forecast(s, model="bdm", rounds=10)
        else:
            app.negotiate(app.negotiation_problem(s, resolution=7), runs=100, rounds=100,
                          keep_runs=False)

    values = sample(inputs, 0, draws + 1, SEED)
    one(values[0])
    start = time.perf_counter()
    for row in values[1:]:
        one(row)
    return (time.perf_counter() - start) / draws


def batched(arrays: ScenarioArrays, inputs: Sequence[UncertainInput], draws: int,
            evaluate: Evaluate, warm_up: int = 3_000, **options: object
            ) -> tuple[float, montecarlo.MonteCarlo]:
    """Seconds a draw of the Monte Carlo run, and the run; after an untimed run on ``warm_up``
    draws (at most ``draws``: a chunk's worth, so that the timed run finds the allocator warm)."""
    base = State.from_arrays(arrays)
    sampler = Sampler(inputs)  # the inputs' targets prepared once for every chunk

    def state_at(values: np.ndarray) -> State:  # refills one chunk's arrays
        return sampler.apply(base, values, reuse=True)

    montecarlo.run(state_at, inputs, min(draws, warm_up), SEED, evaluate)  # type: ignore[arg-type]
    start = time.perf_counter()
    result = montecarlo.run(state_at, inputs, draws, SEED, evaluate, **options)  # type: ignore[arg-type]
    return (time.perf_counter() - start) / draws, result


def evaluation_only(arrays: ScenarioArrays, inputs: Sequence[UncertainInput], draws: int,
                    evaluate: Evaluate, repeat: int = 5) -> float:
    """Seconds a draw of ``evaluate`` alone, on a state of ``draws`` draws built beforehand."""
    state = apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, draws, SEED))
    evaluate(state, 0)
    start = time.perf_counter()
    for _ in range(repeat):
        evaluate(state, 0)
    return (time.perf_counter() - start) / repeat / draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few draws: a smoke test")
    parser.add_argument("--cases", default="abcd",
                        help="cases to run, e.g. 'c' (default abcd; the memory and EU lines "
                             "need 'b' and 'a')")
    args = parser.parse_args()
    quick = args.quick
    scenario = load_scenario(EXAMPLE)
    arrays = to_arrays(scenario)
    settings = {"declared": tuple(arrays.uncertainty),
                "every number +-10%": (*arrays.uncertainty, *spread_inputs(arrays, 0.1))}
    sizes = {"a": (20, 20_000) if quick else (300, 1_000_000),
             "b": (10, 2_000) if quick else (200, 100_000),
             "c": (5, 20) if quick else (50, 3_000),
             "d": (2, 3) if quick else (20, 60)}
    evaluators = {"a": evaluate_a, "b": evaluate_b, "c": evaluate_c, "d": evaluate_d}
    titles = {"a": "(a) compromise + acceptance + issue zones",
              "b": "(b) full ZOPA existence", "c": "(c) bdm 10 rounds",
              "d": "(d) 100 SAO negotiations a draw"}
    print(f"{EXAMPLE.name}: {arrays.n_actors} actors, {arrays.n_issues} issues, "
          f"{arrays.n_links} links; one process, BLAS threads 1")
    for label, inputs in settings.items():
        print(f"\n--- inputs: {label} ({len(inputs)} uncertain numbers)")
        for case, (per_draw_n, batched_n) in sizes.items():
            if case not in args.cases:
                continue
            slow = app_route(case, scenario, inputs, per_draw_n)
            fast, result = batched(arrays, inputs, batched_n, evaluators[case],
                                   warm_up=2 if case == "d" else 3_000)
            extra = ""
            if case == "b":
                fb = int(result.outputs["fallback"].sum())
                extra = (f"; P(ZOPA) {result.outputs['zopa'].mean():.3f}, "
                         f"{fb} of {batched_n} draws solved by analyse_zone")
            if case in "ab":
                alone = evaluation_only(arrays, inputs, result.chunk, evaluators[case])
                extra += f"; evaluation alone {1.0 / alone:,.0f} draws/s/core"
            print(f"{titles[case]}: {1.0 / fast:,.0f} draws/s/core "
                  f"({batched_n:,} draws, chunk {result.chunk:,}){extra}")
            print(f"ratio: {slow / fast:,.1f}x  zopa batched vs per-draw app route, "
                  f"{titles[case]}, {label} ({per_draw_n} app draws at {slow * 1e3:.1f} ms)")
    if "b" not in args.cases or "a" not in args.cases:
        return
    eu = to_arrays(load_scenario(ROOT / "examples" / "eu-recovery-2020.yaml"))
    n = 200 if quick else 5_000
    fast, result = batched(eu, spread_inputs(eu, 0.1), n, evaluate_b)
    print(f"\n(b) on eu-recovery-2020.yaml, every number +-10% (zones rarely empty): "
          f"{1.0 / fast:,.0f} draws/s/core, P(ZOPA) {result.outputs['zopa'].mean():.3f}, "
          f"{int(result.outputs['fallback'].sum())} of {n} draws solved by analyse_zone")
    inputs = settings["every number +-10%"]
    n = 20_000 if quick else 1_000_000
    for keep, what in (((), "sums only"), (("forecast",), "forecast of every draw kept")):
        tracemalloc.start()
        seconds, _ = batched(arrays, inputs, n, evaluate_a, keep=keep, keep_values=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak memory, {n:,} draws of (a), {what}: {peak / 2**20:,.1f} MiB "
              f"(under tracemalloc: {seconds * n:.1f} s)")


if __name__ == "__main__":
    main()
