"""Batched outputs over draws equal the one-scenario code on every draw; the Monte Carlo driver
gives the same results for any chunking and the point forecast without uncertainty."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrays_strategies import scenario_arrays
from zopa import utility as u
from zopa.analysis.zone import analyse_zone
from zopa.app.common import verdicts as app_verdicts
from zopa.app.forecast import forecast_arrays
from zopa.models.base import make_model
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.uncertain import UncertainInput
from zopa.seeds import as_seed_sequence, child_sequence
from zopa.timeline.state import State
from zopa.uncertainty import batch, montecarlo, summary
from zopa.uncertainty.draws import BLOCK, Sampler, apply_inputs, sample, uniforms
from zopa.uncertainty.synthetic import spread_inputs

EXAMPLES = ("examples/gaza-2024-03.yaml", "examples/eu-recovery-2020.yaml")


@cache
def example(path: str) -> ScenarioArrays:
    return to_arrays(load_scenario(path))


def drawn(arrays: ScenarioArrays, inputs: tuple[UncertainInput, ...], draws: int, seed: int
          ) -> State:
    return apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, draws, seed))


def check_static(state: State) -> None:
    for name in ("compromise", "median"):
        got = batch.forecast(name, state)
        for d in range(state.draws):
            want = make_model(name).run(state.arrays(d)).final
            np.testing.assert_allclose(got[d], want, rtol=0, atol=1e-12)


def check_verdicts(state: State, packages: np.ndarray) -> None:
    got = batch.verdicts(state, packages)
    for d in range(state.draws):
        arrays = state.arrays(d)
        want = app_verdicts(arrays, packages[d], arrays.members())
        for k, actor in enumerate(got.members):
            assert got.acceptable[d, k] == want[actor].acceptable
            for field, value in (("utility", got.utility), ("surplus", got.surplus),
                                 ("red_line_violation", got.violation)):
                assert value[d, k] == pytest.approx(getattr(want[actor], field), abs=1e-11)


def check_zones(state: State) -> None:
    low, high = batch.issue_zones(state)
    found = batch.zone_exists(state)
    for d in range(state.draws):
        want = analyse_zone(state.arrays(d))
        np.testing.assert_allclose(low[d], [z.low for z in want.issues], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(high[d], [z.high for z in want.issues], rtol=1e-12,
                                   atol=1e-12)
        assert found.feasible[d] == want.feasible, (d, found.lower[d], found.upper[d])
        assert found.decided[d]
        if found.fallback[d]:
            np.testing.assert_array_equal(found.shortfall[d], want.shortfall)
        else:
            assert np.isnan(found.shortfall[d]).all()


def with_link(arrays: ScenarioArrays, seed: int) -> ScenarioArrays:
    """The arrays with one random link row ``a z <= b`` that some package keeps (seed -1: none)."""
    if seed < 0:
        return arrays
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(1, arrays.n_issues))
    b = a @ rng.random(arrays.n_issues) + rng.uniform(0.0, 0.2, 1)
    return arrays.with_values(link_ids=("l0",), link_matrix=a, link_bound=b,
                              link_row=np.zeros(1, dtype=np.int64))


@st.composite
def uncertain_scenarios(draw: st.DrawFn) -> tuple[ScenarioArrays, tuple[UncertainInput, ...]]:
    arrays = with_link(draw(scenario_arrays(min_actors=2)), draw(st.integers(-1, 2**32 - 1)))
    share = draw(st.sampled_from([0.05, 0.2, 0.5]))
    inputs = spread_inputs(arrays, share)
    keep = draw(st.lists(st.booleans(), min_size=len(inputs), max_size=len(inputs)))
    return arrays, tuple(i for i, k in zip(inputs, keep, strict=True) if k)


@settings(max_examples=60, deadline=None)
@given(uncertain_scenarios(), st.integers(0, 2**32 - 1))
def test_batched_equals_per_draw_on_random_scenarios(
    case: tuple[ScenarioArrays, tuple[UncertainInput, ...]], seed: int
) -> None:
    arrays, inputs = case
    state = drawn(arrays, inputs, 6, seed)
    check_static(state)
    packages = batch.compromise(state)
    check_verdicts(state, packages)
    rng = np.random.default_rng(seed)
    check_verdicts(state, state.base.denormalise(rng.random((6, arrays.n_issues))))
    check_zones(state)


@pytest.mark.parametrize("path", EXAMPLES)
def test_batched_equals_per_draw_on_examples(path: str) -> None:
    arrays = example(path)
    state = drawn(arrays, (*arrays.uncertainty, *spread_inputs(arrays, 0.1)), 24, 7)
    check_static(state)
    check_verdicts(state, batch.compromise(state))
    check_verdicts(state, batch.median(state))
    check_zones(state)


def test_dynamic_models_by_draw_and_seed() -> None:
    arrays = example(EXAMPLES[0])
    state = drawn(arrays, arrays.uncertainty, 3, 5)
    got = batch.forecast("bdm", state, rounds=3, seed=11)
    for d in range(3):
        want = make_model("bdm").run(state.arrays(d), rounds=3).final
        np.testing.assert_array_equal(got[d], want)
    later = batch.forecast("bdm", state.take(slice(1, 3)), rounds=3, seed=11, start=1)
    np.testing.assert_array_equal(later, got[1:])


def evaluate_all(state: State, start: int) -> dict[str, np.ndarray]:
    packages = batch.compromise(state)
    verdict = batch.verdicts(state, packages)
    low, high = batch.issue_zones(state)
    return {"compromise": packages, "median": batch.median(state),
            "accept": verdict.acceptable, "low": low, "high": high,
            "zopa": batch.zone_exists(state).feasible,
            "nash": batch.forecast("nash", state, seed=3, start=start)}


@pytest.mark.parametrize("path", EXAMPLES)
def test_no_uncertainty_gives_the_point_forecast(path: str) -> None:
    arrays = example(path)
    fixed = tuple(dataclasses.replace(i, dist="uniform", params=(i.value, i.value))
                  for i in (*arrays.uncertainty, *spread_inputs(arrays)))
    point = forecast_arrays(arrays)
    zone = analyse_zone(arrays)
    result = montecarlo.run(lambda v: apply_inputs(State.from_arrays(arrays), fixed, v), fixed,
                            5, 1, evaluate_all, chunk=2)
    out = result.outputs
    final = make_model("compromise").run(arrays).final
    np.testing.assert_allclose(out["compromise"], np.broadcast_to(final, (5, arrays.n_issues)),
                               rtol=0, atol=1e-12)
    assert (out["zopa"] == zone.feasible).all()
    assert point.evaluation is not None
    accept = [point.evaluation[a].acceptable for a in batch.verdicts(
        State.from_arrays(arrays), final[None]).members]
    assert (out["accept"] == accept).all()
    np.testing.assert_allclose(out["low"][0], [z.low for z in zone.issues], atol=1e-12)
    np.testing.assert_allclose(out["nash"], np.broadcast_to(
        make_model("nash").run(arrays).final, out["nash"].shape), atol=1e-9, equal_nan=True)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 20))
def test_same_seed_same_result_for_any_chunking(seed: int, draws: int) -> None:
    arrays = example(EXAMPLES[1])
    inputs = (*arrays.uncertainty, *spread_inputs(arrays, 0.1))

    def state_at(values: np.ndarray) -> State:
        return apply_inputs(State.from_arrays(arrays), inputs, values)

    def evaluate(state: State, start: int) -> dict[str, np.ndarray]:
        return {"compromise": batch.compromise(state), "median": batch.median(state),
                "accept": batch.verdicts(state, batch.compromise(state)).acceptable,
                "zopa": batch.zone_exists(state, exact=False).feasible}

    seen: list[np.ndarray] = []

    def recorded(values: np.ndarray) -> State:
        seen.append(values.copy())
        return state_at(values)

    runs = [montecarlo.run(recorded, inputs, draws, seed, evaluate, chunk=1)]
    # the values drawn again on access are those the run used, chunk by chunk
    np.testing.assert_array_equal(runs[0].values, np.concatenate(seen))
    runs += [montecarlo.run(state_at, inputs, draws, seed, evaluate, chunk=c) for c in (7, draws)]
    runs.append(montecarlo.run(state_at, inputs, draws, seed, evaluate))  # chunk from budget
    counted = montecarlo.run(state_at, inputs, draws, seed, evaluate, chunk=3, keep=("median",),
                             keep_values=False)
    assert counted.values is None and set(counted.outputs) == {"median"}
    assert counted.totals["zopa"] == runs[0].outputs["zopa"].sum()
    np.testing.assert_array_equal(counted.totals["accept"], runs[0].outputs["accept"].sum(0))
    for other in runs[1:]:
        np.testing.assert_array_equal(other.values, runs[0].values)
        for name, value in runs[0].outputs.items():
            np.testing.assert_array_equal(other.outputs[name], value)


def test_chunk_size_bounds_memory() -> None:
    state = State.from_arrays(example(EXAMPLES[0]))
    small = montecarlo.chunk_size(state, 1 << 20)
    assert 1 <= small < montecarlo.chunk_size(state, 1 << 26)
    with pytest.raises(ValueError, match="chunk"):
        montecarlo.run(lambda v: state, (), 3, 0, lambda s, i: {}, chunk=0)


def test_summaries() -> None:
    p, se = summary.proportion(np.array([True] * 30 + [False] * 70))
    assert p == pytest.approx(0.3) and se == pytest.approx(np.sqrt(0.3 * 0.7 / 100))
    ps, ses = summary.proportions(np.array([[True, False], [False, False]]))
    assert ps.tolist() == [0.5, 0.0] and ses[1] == 0.0
    q = summary.quantiles(np.column_stack([np.linspace(0, 1, 101), np.full(101, np.nan)]))
    np.testing.assert_allclose(q[:, 0], [0.05, 0.5, 0.95])
    assert np.isnan(q[:, 1]).all()
    assert summary.display_round(0.4213, se=0.005) == (0.42, 2)
    assert summary.display_round(0.4213, se=0.05) == (0.4, 1)
    assert summary.display_round(108.2, width=30.0) == (110.0, -1)
    assert summary.format_estimate(0.4213, width=0.002) == "0.421"


@pytest.mark.parametrize("partial", [False, True])
def test_stated_values(partial: bool) -> None:
    arrays = example("tests/data/golden/import-genius-truce.yaml")
    assert arrays.valuation is not None
    if partial:  # one actor valued on some issues only: distance loss on the others
        mask = arrays.valuation.mask.copy()
        mask[0, 1] = False
        arrays = arrays.with_values(valuation=u.Valuation(arrays.valuation.x,
                                                          arrays.valuation.v, mask))
    state = drawn(arrays, spread_inputs(arrays, 0.3), 12, 3)
    check_static(state)
    check_verdicts(state, batch.compromise(state))
    check_zones(state)
    assert batch.zone_exists(state).fallbacks > 0  # stated values: only the empty-zone screen


@settings(max_examples=30, deadline=None)
@given(uncertain_scenarios(), st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_member_subsets(case: tuple[ScenarioArrays, tuple[UncertainInput, ...]], seed: int,
                        k: int) -> None:
    arrays, inputs = case
    state = drawn(arrays, inputs, 5, seed)
    members = list(arrays.actor_ids[: min(k, arrays.n_actors)])
    found = batch.zone_exists(state, members)
    low, _ = batch.issue_zones(state, members)
    for d in range(state.draws):
        want = analyse_zone(state.arrays(d), members)
        assert found.feasible[d] == want.feasible
        np.testing.assert_allclose(low[d], [z.low for z in want.issues], atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 3 * BLOCK), st.integers(0, BLOCK + 9), st.integers(0, 5),
       st.integers(0, 2**32 - 1))
def test_uniforms_are_rows_of_whole_seeded_blocks(start: int, length: int, k: int, seed: int
                                                  ) -> None:
    """Draw j is row j % BLOCK of block j // BLOCK, a child stream drawn as one (BLOCK, k)
    matrix: jumping into a block gives the same numbers as drawing it whole."""
    got = uniforms(k, start, start + length, seed)
    parent = as_seed_sequence(seed)
    assert got.shape == (length, k)
    for j in sorted({0, length // 2, length - 1}) if length else []:
        block = np.random.default_rng(child_sequence(parent, (start + j) // BLOCK))
        want = block.random((BLOCK, k))[(start + j) % BLOCK]
        np.testing.assert_array_equal(got[j], np.clip(want, 1e-12, 1 - 1e-12))
    out = np.full((length, k), np.nan)
    assert uniforms(k, start, start + length, seed, out=out) is out
    np.testing.assert_array_equal(out, got)


def test_sampler_reuse_refills_read_only_arrays() -> None:
    arrays = example(EXAMPLES[0])
    inputs = (*arrays.uncertainty, *spread_inputs(arrays, 0.2, ("salience", "batna")))
    sampler, base = Sampler(inputs), State.from_arrays(arrays)
    for start, stop in ((0, 9), (9, 14), (14, 23)):  # a shorter chunk uses part of the arrays
        values = sampler.sample(start, stop, 4)
        fresh = apply_inputs(base, inputs, values)
        reused = sampler.apply(base, values, reuse=True)
        for name in ("ideal", "salience", "red_line", "capability", "batna", "relations"):
            np.testing.assert_array_equal(getattr(reused, name), getattr(fresh, name))
            assert not getattr(reused, name).flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        reused.ideal[0, 0, 0] = 1.0
