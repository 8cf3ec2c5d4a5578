"""Sobol indices and Morris screening over declared uncertain inputs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import qmc

from zopa.errors import BudgetError, UsageError
from zopa.scenario.uncertain import UncertainInput
from zopa.uncertainty.sensitivity import morris, saltelli_rows, sobol


def uniform(low: float, high: float, label: str) -> UncertainInput:
    return UncertainInput("ideal", 0, 0, "uniform", (low, high), (low + high) / 2, low, high,
                          label)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 3).filter(lambda a: abs(a) > 0.05),
                          st.floats(-2, 2), st.floats(0.1, 3)), min_size=1, max_size=5),
       st.integers(0, 2**32))
def test_additive_function_indices_match_the_analytic_values(
        terms: list[tuple[float, float, float]], seed: int) -> None:
    a = np.array([t[0] for t in terms])
    inputs = [uniform(low, low + width, f"x{i}") for i, (_, low, width) in enumerate(terms)]
    var = np.array([width**2 / 12 for _, _, width in terms])
    expected = a**2 * var / np.sum(a**2 * var)  # additive: S1 = ST = a_i^2 var_i / sum
    result = sobol(inputs, lambda x: x @ a, 2**10, seed)
    for d in result.drivers:
        assert d.first is not None and d.first_conf is not None
        assert d.total is not None and d.total_conf is not None
        assert abs(d.first - expected[d.index]) <= d.first_conf + 1e-9
        assert abs(d.total - expected[d.index]) <= d.total_conf + 1e-9
    totals = [d.total for d in result.drivers]
    assert totals == sorted(totals, reverse=True)
    assert result.evaluations == 2**10 * (len(terms) + 2)


def test_ishigami_indices_match_the_published_values() -> None:
    inputs = [uniform(-np.pi, np.pi, f"x{i + 1}") for i in range(3)]
    result = sobol(inputs, ishigami, 2**13, 7)
    by_label = {d.label: d for d in result.drivers}
    for label, s1, st_ in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert by_label[label].first == pytest.approx(s1, abs=0.03)
        assert by_label[label].total == pytest.approx(st_, abs=0.03)
    assert [d.label for d in result.drivers] == ["x1", "x2", "x3"]


def test_second_order_finds_the_ishigami_interaction() -> None:
    inputs = [uniform(-np.pi, np.pi, f"x{i + 1}") for i in range(3)]
    result = sobol(inputs, ishigami, 2**12, 3, second_order=True)
    assert result.evaluations == 2**12 * 8
    s2 = {i.labels: i.value for i in result.interactions}
    assert s2[("x1", "x3")] == pytest.approx(0.2437, abs=0.05)  # = ST3, x3 acts only with x1
    assert abs(s2[("x1", "x2")]) < 0.05 and abs(s2[("x2", "x3")]) < 0.05


def test_the_design_is_salibs() -> None:
    from SALib.sample import sobol as salib_design

    k, n = 3, 16
    problem = {"num_vars": k, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * k}
    for second in (False, True):
        ours = saltelli_rows(qmc.Sobol(2 * k, scramble=True, seed=5).random(n), second)
        theirs = salib_design.sample(problem, n, calc_second_order=second, seed=5)
        np.testing.assert_array_equal(ours, theirs)


def test_morris_ranks_an_input_without_effect_last() -> None:
    inputs = [uniform(0, 1, "strong"), uniform(0, 1, "none"), uniform(0, 2, "weak")]
    result = morris(inputs, lambda x: 5 * x[:, 0] + x[:, 2] ** 2, 40, 11)
    assert [d.label for d in result.drivers] == ["strong", "weak", "none"]
    assert result.drivers[-1].mu_star == 0.0 and result.drivers[-1].sigma == 0.0
    assert result.evaluations == 40 * 4
    assert all(d.first is None and d.mu_star_conf is not None for d in result.drivers)


def test_morris_rejects_odd_levels() -> None:
    with pytest.raises(UsageError, match="even"):
        morris([uniform(0, 1, "x")], lambda x: x[:, 0], 10, 1, levels=3)


def test_choice_triangular_and_truncated_normal_inputs_are_honoured() -> None:
    inputs = [
        UncertainInput("red_line", 1, 0, "choice", (600.0, 700.0, 1000.0, 0.5, 0.3, 0.2),
                       700.0, 0.0, 2000.0, "red line of hamas on prisoners"),
        UncertainInput("batna", 0, None, "triangular", (0.5, 0.6, 0.7), 0.6, 0.0, 1.0,
                       "batna of israel"),
        UncertainInput("salience", 0, 0, "normal", (0.9, 0.2), 0.9, 0.0, 1.0, "salience"),
    ]
    seen: list[np.ndarray] = []

    def evaluate(values: np.ndarray) -> np.ndarray:
        assert values.shape[0] <= 1000
        seen.append(values.copy())
        return values[:, 0] / 1000 + values[:, 1] + values[:, 2]

    result = sobol(inputs, evaluate, 2**11, 4, chunk=1000)
    values = np.concatenate(seen)
    assert values.shape == (result.evaluations, 3)
    choice, share = np.unique(values[:, 0], return_counts=True)
    assert choice.tolist() == [600.0, 700.0, 1000.0]
    np.testing.assert_allclose(share / share.sum(), [0.5, 0.3, 0.2], atol=0.01)
    triangle = stats.triang(c=0.5, loc=0.5, scale=0.2)
    assert stats.kstest(values[:, 1], triangle.cdf).statistic < 0.01
    assert values[:, 2].min() >= 0.0 and values[:, 2].max() <= 1.0
    ranked = [d.label for d in result.drivers]
    assert ranked[-1] == "batna of israel"  # variance 0.0017 against about 0.02 for the others


def test_an_output_that_never_moves_is_reported_not_nan() -> None:
    inputs = [uniform(0, 1, "a"), uniform(0, 1, "b")]
    for result in (sobol(inputs, lambda x: np.zeros(len(x)), 64, 1),
                   morris(inputs, lambda x: np.zeros(len(x)), 10, 1)):
        assert result.constant and "no input moves it" in result.note
        numbers = [v for d in result.drivers for v in vars(d).values() if isinstance(v, float)]
        assert numbers and all(v == 0.0 for v in numbers)
        json.dumps(result.as_dict(), allow_nan=False)


def test_same_seed_same_result_whatever_the_chunk() -> None:
    inputs = [uniform(-np.pi, np.pi, f"x{i}") for i in range(3)]
    first = sobol(inputs, ishigami, 2**8, 42)
    assert sobol(inputs, ishigami, 2**8, 42, chunk=7) == first
    assert sobol(inputs, ishigami, 2**8, 43) != first
    assert morris(inputs, ishigami, 12, 42) == morris(inputs, ishigami, 12, 42, chunk=5)


def test_samples_are_rounded_up_to_a_power_of_two() -> None:
    result = sobol([uniform(0, 1, "x")], lambda x: x[:, 0], 100, 1)
    assert result.samples == 128 and result.evaluations == 128 * 3


def test_refusals_say_what_to_do() -> None:
    one = [uniform(0, 1, "x")]
    with pytest.raises(UsageError, match="no uncertain inputs"):
        sobol([], lambda x: x[:, 0], 64, 1)
    with pytest.raises(UsageError, match="no uncertain inputs"):
        morris([], lambda x: x[:, 0], 10, 1)
    many = [uniform(0, 1, f"x{i}") for i in range(100)]
    with pytest.raises(BudgetError, match=r"limit of 10,000,000.*max_evaluations=13369344"):
        sobol(many, lambda x: x[:, 0], 2**17, 1)
    with pytest.raises(BudgetError, match=r"max_evaluations=384"):
        sobol(one, lambda x: x[:, 0], 100, 1, max_evaluations=300)
    with pytest.raises(BudgetError, match="max_samples="):
        sobol(one, lambda x: x[:, 0], 2**18, 1)
    with pytest.raises(BudgetError, match="max_evaluations"):
        morris(one, lambda x: x[:, 0], 10**6, 1)
    with pytest.raises(UsageError, match="one number per row"):
        sobol(one, lambda x: x, 64, 1)
    with pytest.raises(UsageError, match="not finite"):
        sobol(one, lambda x: np.where(x[:, 0] < 0.5, np.nan, x[:, 0]), 64, 1)
    with pytest.raises(UsageError, match="samples"):
        sobol(one, lambda x: x[:, 0], 0, 1)
    with pytest.raises(UsageError, match="at least 2 trajectories"):
        morris(one, lambda x: x[:, 0], 1, 1)
    with pytest.raises(UsageError, match="use more samples"):  # varies only in the AB rows
        sobol([uniform(0, 1, "a"), uniform(0, 1, "b")],
              lambda x: (np.arange(len(x)) % 4 == 1).astype(float), 1, 1)
    with pytest.raises(UsageError, match="seed"):
        sobol(one, lambda x: x[:, 0], 64, -1)


def test_the_result_as_json_is_ranked() -> None:
    inputs = [uniform(0, 1, "small"), uniform(0, 1, "large")]
    out = sobol(inputs, lambda x: x[:, 0] + 3 * x[:, 1], 64, 2).as_dict()
    assert [d["label"] for d in out["drivers"]] == ["large", "small"]
    assert out["method"] == "sobol" and "mu_star" not in out["drivers"][0]


def test_importing_the_module_does_not_load_salib() -> None:
    code = ("import sys, zopa.uncertainty.sensitivity\n"
            "print(any(m.split('.')[0] == 'SALib' for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_a_yes_no_output_like_zopa_exists() -> None:
    import warnings

    inputs = [uniform(0, 1, "a"), uniform(0, 1, "b"), uniform(0, 1, "none")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = sobol(inputs, lambda x: (x[:, 0] + x[:, 1] > 1.8).astype(float), 2**10, 5)
    by_label = {d.label: d for d in result.drivers}
    assert result.drivers[-1].label == "none" and by_label["none"].total == 0.0
    assert by_label["a"].total == pytest.approx(by_label["b"].total, abs=0.1)


def test_progress_hears_every_evaluation_and_changes_nothing() -> None:
    """The design is evaluated a chunk of rows at a time for the progress report: the same
    indices as in one go, and the chunks cover every evaluation once."""
    from zopa import app
    from zopa.progress import Chunk
    from zopa.scenario import load_scenario

    class Recorder:
        def __init__(self) -> None:
            self.total, self.chunks, self.ended = 0, [], False

        def started(self, total: int, unit: str, label: str) -> None:
            self.total = total

        def chunk_done(self, chunk: Chunk) -> None:
            self.chunks.append(chunk)

        def finished(self) -> None:
            self.ended = True

    scenario = load_scenario("examples/gaza-2024-03.yaml")
    heard = Recorder()
    watched = app.sensitivity(scenario, "forecast:ceasefire_days", method="sobol", samples=64,
                              progress=heard)
    plain = app.sensitivity(scenario, "forecast:ceasefire_days", method="sobol", samples=64)
    assert watched.drivers == plain.drivers
    assert heard.ended and heard.total == watched.evaluations > 4096  # more than one chunk
    assert sum(c.size for c in heard.chunks) == heard.total
    assert [c.start for c in heard.chunks] == sorted(c.start for c in heard.chunks)
