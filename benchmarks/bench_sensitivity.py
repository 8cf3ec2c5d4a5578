"""Benchmark: the time of a Sobol analysis with about 10^5 model evaluations (issue 11).

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py [--evaluations N] [--repeats R]``

Two cheap, vectorised outputs over the uncertainty of ``examples/gaza-2024-03.yaml``; for each,
the base sample is the power of 2 that brings ``samples * (k + 2)`` nearest to ``--evaluations``
(default 10^5), and the script prints the evaluations made, the best time of a few runs (design,
inverse distribution functions, model, SALib's analysis with its bootstrap), the part of it spent
in the model, and the top drivers.

- ``linear``: a weighted sum of the inputs the example declares (today its two BATNAs), so the
  time is that of the machinery alone.
- ``compromise``: the capability- and salience-weighted mean of the ideal points on
  ``hostages_phase1``, computed with numpy from a :class:`zopa.timeline.state.State` that
  :func:`zopa.uncertainty.draws.apply_inputs` filled with the drawn values. Its inputs are the
  declared ones plus uncertainty added here for the benchmark only (the example does not declare
  it): every actor's capability uniform within +-20 %, and each position on the issue with its
  salience uniform within +-0.1 (kept in [0, 1]) and its ideal point uniform within +-10 % of the
  issue's range (kept in it).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from zopa.scenario.arrays import to_arrays
from zopa.scenario.loader import load_scenario
from zopa.scenario.uncertain import UncertainInput, uncertain_inputs
from zopa.timeline.state import State
from zopa.uncertainty.draws import apply_inputs
from zopa.uncertainty.sensitivity import SensitivityResult, sobol

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "gaza-2024-03.yaml"
ISSUE = "hostages_phase1"


def uniform(target: str, actor: int, issue: int | None, value: float, half: float, low: float,
            high: float, label: str) -> UncertainInput:
    a, b = max(low, value - half), min(high, value + half)
    return UncertainInput(target, actor, issue, "uniform", (a, b), value, low, high, label)


def compromise_case() -> tuple[list[UncertainInput], Callable[[np.ndarray], np.ndarray]]:
    scenario = load_scenario(EXAMPLE)
    arrays = to_arrays(scenario)
    j = list(arrays.issue_ids).index(ISSUE)
    lo, hi = float(arrays.lo[j]), float(arrays.hi[j])
    inputs = list(uncertain_inputs(scenario))
    for i, actor in enumerate(arrays.actor_ids):
        cap = float(arrays.capability[i])
        inputs.append(uniform("capability", i, None, cap, 0.2 * cap, 1e-9, math.inf,
                              f"capability of {actor}"))
    for i, actor in enumerate(arrays.actor_ids):
        ideal, sal = float(arrays.ideal[i, j]), float(arrays.salience[i, j])
        if np.isnan(ideal) or sal == 0.0:
            continue
        inputs.append(uniform("salience", i, j, sal, 0.1, 0.0, 1.0,
                              f"salience of {actor} on {ISSUE}"))
        inputs.append(uniform("ideal", i, j, ideal, 0.1 * (hi - lo), lo, hi,
                              f"ideal of {actor} on {ISSUE}"))
    base = State.from_arrays(arrays)

    def forecast(values: np.ndarray) -> np.ndarray:
        state = apply_inputs(base, inputs, values)
        ideal = state.ideal[:, :, j]
        weight = state.capability * state.salience[:, :, j]
        weight = np.where(np.isnan(ideal), 0.0, weight)
        return np.sum(weight * np.nan_to_num(ideal), axis=1) / np.sum(weight, axis=1)

    return inputs, forecast


def linear_case() -> tuple[list[UncertainInput], Callable[[np.ndarray], np.ndarray]]:
    inputs = list(uncertain_inputs(load_scenario(EXAMPLE)))
    weights = np.arange(1.0, len(inputs) + 1.0)
    return inputs, lambda values: values @ weights


def timed(inputs: list[UncertainInput], evaluate: Callable[[np.ndarray], np.ndarray],
          evaluations: int, repeats: int) -> tuple[float, float, SensitivityResult]:
    """Best total time, the model's share of that run, and the result."""
    k = len(inputs)
    samples = 1 << max(0, round(math.log2(evaluations / (k + 2))))
    in_model = [0.0]

    def clocked(values: np.ndarray) -> np.ndarray:
        start = time.perf_counter()
        out = evaluate(values)
        in_model[0] += time.perf_counter() - start
        return out

    best, model, result = math.inf, math.inf, None
    for _ in range(repeats):
        in_model[0] = 0.0
        start = time.perf_counter()
        result = sobol(inputs, clocked, samples, seed=2024)
        seconds = time.perf_counter() - start
        if seconds < best:
            best, model = seconds, in_model[0]
    assert result is not None
    return best, model, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10**5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    from SALib.analyze import sobol as _  # noqa: F401  (import time is not the analysis's)

    print(f"import SALib and scipy.stats: {time.perf_counter() - start:.2f} s (once a process)")
    for name, case in (("linear", linear_case), ("compromise", compromise_case)):
        inputs, evaluate = case()
        seconds, model, result = timed(inputs, evaluate, args.evaluations, args.repeats)
        top = ", ".join(f"{d.label} (ST {d.total:.2f})" for d in result.drivers[:3])
        print(f"sobol {name}: {len(inputs)} inputs, {result.samples:,} samples, "
              f"{result.evaluations:,} model evaluations: {seconds:.3f} s, of which the model "
              f"{model:.3f} s; top drivers: {top}")


if __name__ == "__main__":
    main()
