"""Hypothesis strategies for random valid :class:`ScenarioArrays` (parties x issues).

Shared by the model and analysis tests. Values are generated directly on the normalised 0-1
scales (``lo = 0``, ``hi = 1``) except for option issues, whose scale is ``0..K-1``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from zopa import utility as u
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays, from_matrices

make_arrays = from_matrices
"""Arrays from matrices (:func:`zopa.scenario.arrays.from_matrices`)."""


def imported_arrays(scenario_yaml: str, folder: Path) -> ScenarioArrays:
    """Arrays of an importer's YAML output, through the same loader users run."""
    path = folder / "imported.yaml"
    path.write_text(scenario_yaml)
    return to_arrays(load_scenario(path))


@st.composite
def scenario_arrays(
    draw: st.DrawFn,
    min_actors: int = 1,
    max_actors: int = 4,
    max_issues: int = 3,
    red_lines: bool = True,
    options: bool = True,
) -> ScenarioArrays:
    n = draw(st.integers(min_actors, max_actors))
    m = draw(st.integers(1, max_issues))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    counts = [int(rng.integers(2, 5)) if options and rng.random() < 0.3 else 0 for _ in range(m)]
    hi = np.array([c - 1.0 if c else 1.0 for c in counts])
    lo = np.zeros(m)
    ideal = rng.random((n, m)) * hi
    for j, c in enumerate(counts):
        if c:
            ideal[:, j] = rng.integers(0, c, n)
    salience = np.round(rng.random((n, m)), 2)
    prefers = rng.choice(np.array([u.PEAKED, u.MORE, u.LESS], dtype=np.int8), (n, m))
    red = np.full((n, m), np.nan)
    if red_lines:
        has = rng.random((n, m)) < 0.4
        # a red line between the ideal point and the end of the scale it concedes towards
        toward_low = np.where(
            prefers == u.MORE, True, np.where(prefers == u.LESS, False, rng.random((n, m)) < 0.5)
        )
        frac = rng.random((n, m))
        target = np.where(toward_low, ideal * (1 - frac), ideal + (hi - ideal) * frac)
        for j, c in enumerate(counts):
            if c:
                target[:, j] = np.rint(target[:, j])
        red = np.where(has, target, np.nan)
    return make_arrays(
        ideal,
        salience,
        rng.uniform(1, 100, n),
        lo=lo,
        hi=hi,
        batna=np.round(rng.random(n) * 0.8, 2),
        red_line=red,
        prefers=prefers,
        options=tuple(tuple(f"o{k}" for k in range(c)) if c else None for c in counts),
    )


def package_grid(s: ScenarioArrays, points: int = 21) -> np.ndarray:
    """Every package on a regular grid (normalised), options at their exact values: ``(k, m)``."""
    axes = []
    for names in s.options:
        axes.append(
            np.arange(len(names)) / (len(names) - 1) if names else np.linspace(0, 1, points)
        )
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.ravel() for g in mesh], axis=-1)
