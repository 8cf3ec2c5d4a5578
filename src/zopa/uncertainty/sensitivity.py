"""Which declared uncertain inputs drive an output: Sobol indices and Morris screening.

Both methods work on the unit hypercube, one coordinate per uncertain input, and map a point to
input values with :func:`zopa.uncertainty.draws.to_values` (the inputs' inverse distribution
functions), so every declared distribution is honoured as it is: truncated normals, triangular
and discrete ``choice`` inputs included. The output is whatever ``evaluate(values)`` returns: one
number per row of values (ZOPA exists as 0/1, a party's shortfall, the forecast on an issue).

* :func:`sobol`: variance-based indices (Sobol 2001) with the Saltelli design and estimators
  (Saltelli et al. 2010) of SALib: the first-order index ``S1`` (the share of the output's
  variance an input explains alone) and the total index ``ST`` (alone and in interactions),
  with bootstrap confidence intervals. ``samples * (k + 2)`` evaluations for ``k`` inputs.
* :func:`morris`: the cheaper elementary-effects screening (Morris 1991, with ``mu_star`` of
  Campolongo et al. 2007): ``trajectories * (k + 1)`` evaluations.

SALib is imported inside the functions: importing zopa or its command line does not load it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.errors import BudgetError, UsageError
from zopa.scenario.uncertain import UncertainInput
from zopa.seeds import as_generator, check_seed, child_sequence
from zopa.uncertainty.draws import to_values
from zopa.utility import FloatArray

Evaluate = Callable[[FloatArray], FloatArray]
"""The model: input values ``(rows, k)`` (columns in the order of the inputs) to outputs
``(rows,)``."""

MAX_EVALUATIONS = 10**7
"""Default limit of model evaluations of one analysis (pass ``max_evaluations`` to go past)."""

MAX_SOBOL_SAMPLES = 2**17
"""Default limit of the Sobol base sample (pass ``max_samples`` to go past): SALib's bootstrap of
the confidence intervals holds several arrays of ``samples * RESAMPLES`` numbers, a peak of about
850 MB at this size."""

CHUNK = 2**16
"""Default number of rows handed to ``evaluate`` at once."""

RESAMPLES = 100
"""Bootstrap resamples of the confidence intervals."""

CONFIDENCE = 0.95
"""Level of the confidence intervals."""

_TINY = 1e-12


@dataclass(frozen=True)
class Driver:
    """One uncertain input's influence on the output.

    Sobol results fill ``first``, ``total`` and their ``*_conf``; Morris results fill
    ``mu_star``, ``mu_star_conf`` and ``sigma``; the other fields are ``None``.

    Attributes:
        label: the input's label, e.g. ``batna of hamas``.
        index: the input's position in the inputs analysed.
        first, first_conf: first-order Sobol index and the half-width of its confidence interval
            (an estimate: an input without effect may come out slightly below 0).
        total, total_conf: total Sobol index and the half-width of its confidence interval.
        mu_star, mu_star_conf: mean absolute elementary effect (output units per the whole
            quantile range of the input) and the half-width of its confidence interval.
        sigma: standard deviation of the elementary effects (large: interactions or
            non-linearity).
    """

    label: str
    index: int
    first: float | None = None
    first_conf: float | None = None
    total: float | None = None
    total_conf: float | None = None
    mu_star: float | None = None
    mu_star_conf: float | None = None
    sigma: float | None = None


@dataclass(frozen=True)
class Interaction:
    """A second-order Sobol index: the share of variance two inputs explain together only."""

    labels: tuple[str, str]
    value: float
    conf: float


@dataclass(frozen=True)
class SensitivityResult:
    """Drivers of one output, largest first.

    Attributes:
        method: ``sobol`` or ``morris``.
        drivers: one per input, ranked by total index (Sobol) or ``mu_star`` (Morris),
            descending; ties keep the inputs' order.
        evaluations: number of model evaluations made.
        samples: the Sobol base sample (a power of 2) or the number of Morris trajectories.
        seed: the seed the design and the bootstrap were drawn from.
        confidence: level of the confidence intervals.
        constant: True if the output took one value in every evaluation: no input moves it, and
            every index is reported as 0 (variance-based indices are otherwise undefined).
        note: a sentence for readers when ``constant`` (empty otherwise).
        interactions: second-order Sobol indices, if asked for (pairs in the inputs' order).
    """

    method: str
    drivers: tuple[Driver, ...]
    evaluations: int
    samples: int
    seed: int
    confidence: float = CONFIDENCE
    constant: bool = False
    note: str = ""
    interactions: tuple[Interaction, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready values (``None`` fields of drivers left out)."""
        return {
            "method": self.method, "evaluations": self.evaluations, "samples": self.samples,
            "seed": self.seed, "confidence": self.confidence, "constant": self.constant,
            "note": self.note,
            "drivers": [{k: v for k, v in vars(d).items() if v is not None} for d in self.drivers],
            "interactions": [{"labels": list(i.labels), "value": i.value, "conf": i.conf}
                             for i in self.interactions],
        }


def sobol(inputs: Sequence[UncertainInput], evaluate: Evaluate, samples: int, seed: int, *,
          second_order: bool = False, max_evaluations: int = MAX_EVALUATIONS,
          max_samples: int = MAX_SOBOL_SAMPLES, chunk: int = CHUNK) -> SensitivityResult:
    """First-order and total Sobol indices of the output over the uncertain inputs.

    The design is SALib's Sobol/Saltelli design (``SALib.sample.sobol.sample`` on ``k`` variables
    in [0, 1], scrambled, the same rows in the same order) built here chunk by chunk, so memory
    stays bounded; the indices are SALib's ``sobol.analyze``.

    Args:
        inputs: the uncertain inputs (see :func:`zopa.scenario.uncertain.uncertain_inputs`).
        evaluate: the model, called on chunks of at most ``chunk`` rows of input values.
        samples: the base sample ``N``, rounded up to a power of 2 (the Sobol sequence's
            balance needs it); the model runs ``N * (k + 2)`` times (``N * (2k + 2)`` with
            ``second_order``).
        seed: seeds the scrambling of the sequence and the bootstrap: same seed, same result.
        second_order: also estimate the indices of pairs of inputs.
        max_evaluations: refuse designs with more model evaluations than this.
        max_samples: refuse base samples (after rounding) larger than this.
        chunk: rows per call of ``evaluate``.

    Returns:
        The drivers ranked by total index.

    Raises:
        UsageError: no inputs, a bad ``samples``, ``seed`` or ``chunk``, or an output of the
            wrong shape or not finite.
        BudgetError: the design needs more than ``max_evaluations`` evaluations, or a base
            sample above ``max_samples``.
    """
    from scipy.stats import qmc

    seed = _check(inputs, samples, seed, chunk, "samples")
    k = len(inputs)
    n = 1 << max(0, math.ceil(math.log2(samples)))
    per_sample = 2 * k + 2 if second_order else k + 2
    _within_budget(n * per_sample, max_evaluations, f"{n:,} samples x {per_sample} runs")
    if n > max_samples:
        raise BudgetError(f"a Sobol base sample of {n:,} is above the limit of {max_samples:,} "
                          f"(the bootstrap's memory, about {n * 6500 / 1e9:.1f} GB): use fewer "
                          f"samples, or pass max_samples={n} to go past it")
    design_rng, analysis_rng = (as_generator(child_sequence(np.random.SeedSequence(seed), i))
                                for i in (0, 1))
    sequence = qmc.Sobol(d=2 * k, scramble=True, seed=design_rng)
    base_rows = 1 << max(0, (chunk // per_sample).bit_length() - 1)  # a power of 2, as n
    y = np.empty(n * per_sample)
    done = 0
    while done < n:
        rows = min(base_rows, n - done)
        part = saltelli_rows(sequence.random(rows), second_order)
        y[done * per_sample: (done + rows) * per_sample] = _run(evaluate, inputs, part)
        done += rows
    labels = [spec.label for spec in inputs]
    constant = _constant(y)
    if constant:
        zeros = [Driver(label, c, 0.0, 0.0, 0.0, 0.0) for c, label in enumerate(labels)]
        pairs = [Interaction((labels[a], labels[b]), 0.0, 0.0)
                 for a, b in _pairs(k)] if second_order else []
        return SensitivityResult("sobol", tuple(zeros), y.size, n, seed, constant=True,
                                 note=_constant_note(y), interactions=tuple(pairs))
    a_and_b = np.r_[y[::per_sample], y[per_sample - 1::per_sample]]
    if np.ptp(a_and_b) <= np.finfo(float).eps:  # SALib would report 0 for every index
        raise UsageError(f"the Sobol indices are undefined with {n:,} samples: the output "
                         "varied, but not between the base sample's points, whose variance "
                         "the indices divide by: use more samples")
    from SALib.analyze import sobol as salib_sobol

    with warnings.catch_warnings():
        # a bootstrap resample of a rarely varying output can be constant; SALib counts it 0
        warnings.filterwarnings("ignore", "Constant values encountered", UserWarning)
        found = salib_sobol.analyze(_problem(k), y, calc_second_order=second_order,
                                    num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                    seed=analysis_rng)
    if not all(np.isfinite(found[key]).all() for key in ("S1", "S1_conf", "ST", "ST_conf")):
        raise UsageError(f"the Sobol indices came out undefined (NaN) with {n:,} samples: "
                         "use more samples")
    drivers = [Driver(label, c, float(found["S1"][c]), float(found["S1_conf"][c]),
                      float(found["ST"][c]), float(found["ST_conf"][c]))
               for c, label in enumerate(labels)]
    drivers.sort(key=lambda d: -(d.total or 0.0))
    interactions = tuple(
        Interaction((labels[a], labels[b]), float(found["S2"][a, b]),
                    float(found["S2_conf"][a, b]))
        for a, b in _pairs(k)) if second_order else ()
    return SensitivityResult("sobol", tuple(drivers), y.size, n, seed,
                             interactions=interactions)


def saltelli_rows(base: FloatArray, second_order: bool = False) -> FloatArray:
    """The Saltelli design's rows for base points ``(rows, 2k)`` of a Sobol sequence.

    Per base point, in SALib's order: ``A`` (the first ``k`` columns), ``AB_j`` (``A`` with
    column ``j`` from ``B``) for each ``j``, with ``second_order`` ``BA_j`` for each ``j``, then
    ``B`` (the last ``k`` columns). ``(rows * (k + 2), k)`` or ``(rows * (2k + 2), k)``.
    """
    base = np.asarray(base, dtype=float)
    rows, k = base.shape[0], base.shape[1] // 2
    a, b = base[:, :k], base[:, k:]
    pick = np.eye(k, dtype=bool)[None]  # AB_j: column j from B
    ab = np.where(pick, b[:, None, :], a[:, None, :])
    blocks = [a[:, None, :], ab]
    if second_order:
        blocks.append(np.where(pick, a[:, None, :], b[:, None, :]))
    blocks.append(b[:, None, :])
    return np.concatenate(blocks, axis=1).reshape(-1, k) if rows else np.empty((0, k))


def morris(inputs: Sequence[UncertainInput], evaluate: Evaluate, trajectories: int, seed: int,
           levels: int = 4, *, max_evaluations: int = MAX_EVALUATIONS // 10,
           chunk: int = CHUNK) -> SensitivityResult:
    """Morris elementary-effects screening of the uncertain inputs (SALib's design and analysis).

    Each input's grid of ``levels`` points in [0, 1] is mapped to the midpoints of ``levels``
    equally likely slices of its distribution (quantiles ``(i + 1/2) / levels``), so an input
    is moved between typical values, never to the ends of an unbounded distribution.
    ``mu_star`` is in output units per the input's whole quantile range (SALib's scale).

    Args:
        inputs: the uncertain inputs.
        evaluate: the model, called on chunks of at most ``chunk`` rows of input values.
        trajectories: number of Morris trajectories ``r`` (at least 2): ``r * (k + 1)`` model
            runs.
        seed: seeds the design and the bootstrap: same seed, same result.
        levels: grid levels per input (even, at least 2).
        max_evaluations: refuse designs with more model evaluations than this (the design is
            held whole, ``k`` numbers an evaluation).
        chunk: rows per call of ``evaluate``.

    Returns:
        The drivers ranked by ``mu_star``.

    Raises:
        UsageError: as :func:`sobol`, fewer than 2 trajectories, or ``levels`` odd or below 2.
        BudgetError: the design needs more than ``max_evaluations`` evaluations.
    """
    seed = _check(inputs, trajectories, seed, chunk, "trajectories")
    if trajectories < 2:
        raise UsageError("Morris screening needs at least 2 trajectories (the spread of the "
                         f"elementary effects), not {trajectories}")
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2 or levels % 2:
        raise UsageError(f"Morris levels must be an even whole number >= 2, not {levels!r}")
    k = len(inputs)
    _within_budget(trajectories * (k + 1), max_evaluations,
                   f"{trajectories:,} trajectories x {k + 1} runs")
    design_rng, analysis_rng = (as_generator(child_sequence(np.random.SeedSequence(seed), i))
                                for i in (0, 1))
    from SALib.analyze import morris as salib_morris
    from SALib.sample import morris as morris_design

    grid = morris_design.sample(_problem(k), trajectories, num_levels=levels, seed=design_rng)
    quantiles = (np.rint(grid * (levels - 1)) + 0.5) / levels
    y = np.concatenate([_run(evaluate, inputs, quantiles[i: i + chunk])
                        for i in range(0, quantiles.shape[0], chunk)])
    labels = [spec.label for spec in inputs]
    if _constant(y):
        zeros = [Driver(label, c, mu_star=0.0, mu_star_conf=0.0, sigma=0.0)
                 for c, label in enumerate(labels)]
        return SensitivityResult("morris", tuple(zeros), y.size, trajectories, seed,
                                 constant=True, note=_constant_note(y))
    found = salib_morris.analyze(_problem(k), grid, y, num_resamples=RESAMPLES,
                                 conf_level=CONFIDENCE, num_levels=levels, seed=analysis_rng)
    drivers = [Driver(label, c, mu_star=float(found["mu_star"][c]),
                      mu_star_conf=float(found["mu_star_conf"][c]),
                      sigma=float(found["sigma"][c]))
               for c, label in enumerate(labels)]
    drivers.sort(key=lambda d: -(d.mu_star or 0.0))
    return SensitivityResult("morris", tuple(drivers), y.size, trajectories, seed)


def _check(inputs: Sequence[UncertainInput], size: int, seed: int, chunk: int, what: str
           ) -> int:
    """The checked seed, after refusing empty inputs and bad sizes."""
    if not inputs:
        raise UsageError("no uncertain inputs to analyse: declare a distribution "
                         "(`uncertainty:`) on at least one number of the scenario")
    for name, value in ((what, size), ("chunk", chunk)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"{name} must be a whole number >= 1, not {value!r}")
    checked = check_seed(seed)
    if checked is None:
        raise UsageError("sensitivity analysis needs a seed (a whole number) to be reproducible")
    return checked


def _within_budget(evaluations: int, limit: int, how: str) -> None:
    if evaluations > limit:
        raise BudgetError(f"{how} = {evaluations:,} model evaluations, above the limit of "
                          f"{limit:,}: use fewer, or pass max_evaluations={evaluations} to go "
                          "past it")


def _problem(k: int) -> dict[str, Any]:
    """SALib's problem: ``k`` variables on [0, 1] (the quantiles of the inputs)."""
    return {"num_vars": k, "names": [f"u{c}" for c in range(k)], "bounds": [[0.0, 1.0]] * k}


def _run(evaluate: Evaluate, inputs: Sequence[UncertainInput], u: FloatArray) -> FloatArray:
    """The model's outputs at unit-cube points ``u``, checked."""
    values = to_values(inputs, np.clip(u, _TINY, 1.0 - _TINY))
    out = np.asarray(evaluate(values), dtype=float)
    if out.shape != (u.shape[0],):
        raise UsageError(f"the model must return one number per row: shape ({u.shape[0]},), "
                         f"not {out.shape}")
    if not np.isfinite(out).all():
        raise UsageError("the model returned values that are not finite numbers (NaN or "
                         "infinite): sensitivity indices need a number for every draw")
    return out


def _constant(y: FloatArray) -> bool:
    return bool(np.ptp(y) == 0.0)


def _constant_note(y: FloatArray) -> str:
    return (f"the output is {float(y[0]):g} in all {y.size:,} evaluations: no input moves it, "
            "so every index is 0")


def _pairs(k: int) -> Iterator[tuple[int, int]]:
    return ((a, b) for a in range(k) for b in range(a + 1, k))
