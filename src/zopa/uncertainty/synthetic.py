"""Made-up uncertainty on every number of a scenario, for tests, benchmarks and stress tests.

A scenario file declares the uncertainty an analyst believes in (:mod:`zopa.scenario.uncertain`).
To exercise the Monte Carlo code on every kind of input, :func:`spread_inputs` instead makes each
capability, BATNA, ideal point, salience and red line uniform on a band around its stated value.
"""

from __future__ import annotations

import numpy as np

from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.uncertain import UncertainInput


def spread_inputs(arrays: ScenarioArrays, share: float = 0.15,
                  targets: tuple[str, ...] = ("capability", "batna", "ideal", "salience",
                                              "red_line")) -> tuple[UncertainInput, ...]:
    """Uniform inputs on ``value +- share`` of each number's range (capability: ``+- share``
    of itself; BATNA and salience: of 0-1; ideal point and red line: of the issue's scale),
    clipped to the range; option issues move by whole options.

    >>> from zopa.scenario.arrays import from_matrices
    >>> a = from_matrices(np.array([[0.2], [0.8]]), np.ones((2, 1)))
    >>> [(i.target, i.params) for i in spread_inputs(a, 0.1, ("ideal",))][0]
    ('ideal', (0.1, 0.30000000000000004))
    """
    out: list[UncertainInput] = []

    def add(target: str, actor: int, issue: int | None, value: float, low: float, high: float,
            width: float, discrete: bool = False) -> None:
        band = (max(low, value - share * width), min(high, value + share * width))
        out.append(UncertainInput(target, actor, issue, "uniform", band, value, low, high,
                                  f"{target} of {arrays.actor_ids[actor]}", discrete=discrete))

    for i in range(arrays.n_actors):
        c = float(arrays.capability[i])
        if "capability" in targets:
            add("capability", i, None, c, 1e-9 * c, float("inf"), c)
        if "batna" in targets:
            add("batna", i, None, float(arrays.batna[i]), 0.0, 1.0, 1.0)
        for j in range(arrays.n_issues):
            if np.isnan(arrays.ideal[i, j]):
                continue
            lo, hi = float(arrays.lo[j]), float(arrays.hi[j])
            discrete = arrays.options[j] is not None
            if "ideal" in targets:
                add("ideal", i, j, float(arrays.ideal[i, j]), lo, hi, hi - lo, discrete)
            if "salience" in targets:
                add("salience", i, j, float(arrays.salience[i, j]), 0.0, 1.0, 1.0)
            if "red_line" in targets and not np.isnan(arrays.red_line[i, j]):
                add("red_line", i, j, float(arrays.red_line[i, j]), lo, hi, hi - lo, discrete)
    return tuple(out)
