"""Negotiations on Monte Carlo draws (:mod:`zopa.protocols.on_draws`) against a loop over draws.

The yardstick is the route before the batched one: per draw, ``problem_from_arrays`` on
``state.arrays(d)`` and the one-problem engine with the draw's seed. Every run's result must be
the same (agreement, outcome, round, walk-away), for any chunk of runs and table budget; draws
are made coarse (values on a grid of quarters) so that utilities tie and the tie order of the
sorted offers matters.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrays_strategies import make_arrays, scenario_arrays
from zopa import links as lk
from zopa.app.negotiation import negotiate, negotiation_problem, strategy_from_text
from zopa.errors import UsageError
from zopa.protocols import run_mediated, run_sao
from zopa.protocols.draws import draw_problem, link_allowed
from zopa.protocols.on_draws import DrawResults, draw_seed, negotiate_on_draws
from zopa.protocols.space import problem_from_arrays, space_from_arrays
from zopa.protocols.strategies import TimeBased, agent_views
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays
from zopa.seeds import as_seed_sequence, child_sequence
from zopa.timeline.state import State
from zopa.uncertainty.draws import apply_inputs, sample
from zopa.uncertainty.synthetic import spread_inputs

ROOT = Path(__file__).resolve().parent.parent
GAZA = ROOT / "examples" / "gaza-2024-03.yaml"
EU = ROOT / "examples" / "eu-recovery-2020.yaml"
STRATEGIES = ("boulware", "linear", "conceder", "hardliner", "aspiration:2", "random",
              "tit-for-tat", "tit-for-tat:kindness=0.5", "boulware:deadline_accept=0.3")


def coarse_draws(arrays: ScenarioArrays, draws: int, seed: int) -> State:
    """``draws`` perturbations of the scenario's ideal points, saliences, red lines and BATNAs,
    rounded to quarters of each scale (ties between outcomes are then common)."""
    rng = np.random.default_rng(seed)
    state = State.from_arrays(arrays, draws)
    span = arrays.hi - arrays.lo
    ideal = np.clip(np.round(state.ideal / span * 4 + rng.integers(-1, 2, state.ideal.shape))
                    / 4, 0, 1) * span + arrays.lo
    red = np.where(rng.random(state.red_line.shape) < 0.3, np.nan, state.red_line)
    red = np.clip(np.round((red - arrays.lo) / span * 4 + rng.integers(-1, 2, red.shape)) / 4,
                  0, 1) * span + arrays.lo
    salience = np.where(np.isnan(ideal), 0.0, rng.integers(0, 3, ideal.shape) / 2)
    batna = np.round(rng.random(state.batna.shape) * 0.8, 1)
    return state.with_values(ideal=ideal, red_line=red, salience=salience, batna=batna)


def with_link(arrays: ScenarioArrays) -> ScenarioArrays:
    """The arrays with one link: the first two issues' normalised values add up to at most 1."""
    m = arrays.n_issues
    coefficients = np.zeros((1, m))
    coefficients[0, : min(2, m)] = 1.0
    a, b, rows = lk.link_rows(coefficients, ["<="], np.array([1.0 * arrays.hi[:2].sum()]),
                              arrays.lo, arrays.hi)
    return arrays.with_values(link_ids=("l0",), link_matrix=a, link_bound=b, link_row=rows)


def loop_over_draws(state: State, names: list[str], protocol: str, runs: int, n_steps: int,
                    seed: np.random.SeedSequence, resolution: int, first: int = 0
                    ) -> DrawResults:
    """The per-draw route: one problem and one engine call a draw."""
    engine = run_sao if protocol == "sao" else run_mediated
    agreed, outcome, step, walked, rational = [], [], [], [], []
    for d in range(state.draws):
        problem = problem_from_arrays(state.arrays(d), None, resolution)
        found = engine(problem, [strategy_from_text(n) for n in names], n_steps=n_steps,
                       runs=runs, seed=draw_seed(seed, first + d))
        agreed.append(found.agreed)
        outcome.append(found.outcome)
        step.append(found.step)
        walked.append(found.walked_away)
        rational.append(bool(problem.rational.any()))
    agreed_all = np.array(agreed)
    return DrawResults(runs, agreed_all.sum(axis=1), np.array(rational), agreed=agreed_all,
                       outcome=np.array(outcome), step=np.array(step),
                       walked_away=np.array(walked))


def assert_same(got: DrawResults, expected: DrawResults) -> None:
    for name in ("agreements", "rational", "agreed", "outcome", "step", "walked_away"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
    np.testing.assert_array_equal(got.agreement_rate,
                                  [float(a.mean()) for a in np.asarray(expected.agreed)])


@settings(max_examples=40, deadline=None)
@given(arrays=scenario_arrays(min_actors=2, max_actors=3, max_issues=3),
       seed=st.integers(0, 2**16), draws=st.integers(1, 9), runs=st.integers(1, 4),
       names=st.lists(st.sampled_from(STRATEGIES), min_size=3, max_size=3),
       link=st.booleans(), protocol=st.sampled_from(["sao", "sao", "mediated"]))
def test_draws_equal_the_loop_over_draws(arrays: ScenarioArrays, seed: int, draws: int,
                                         runs: int, names: list[str], link: bool,
                                         protocol: str) -> None:
    arrays = with_link(arrays) if link else arrays
    state = coarse_draws(arrays, draws, seed)
    chosen = names[: arrays.members(None).size]
    sequence = as_seed_sequence(seed)
    expected = loop_over_draws(state, chosen, protocol, runs, 12, sequence, resolution=5)
    for chunk, budget in ((1, 1), (7, 50), (draws * runs, 1 << 20)):
        got = negotiate_on_draws(state, [strategy_from_text(n) for n in chosen],
                                 protocol=protocol, n_steps=12, runs=runs, seed=sequence,
                                 resolution=5, chunk=chunk, budget=budget, keep_runs=True)
        assert_same(got, expected)
    counted = negotiate_on_draws(state, [strategy_from_text(n) for n in chosen],
                                 protocol=protocol, n_steps=12, runs=runs, seed=sequence,
                                 resolution=5, chunk=5, budget=100)
    np.testing.assert_array_equal(counted.agreements, expected.agreements)
    np.testing.assert_array_equal(counted.rational, expected.rational)
    assert counted.agreed is None


@settings(max_examples=40, deadline=None)
@given(arrays=scenario_arrays(min_actors=2, max_actors=3, max_issues=3),
       seed=st.integers(0, 2**16), draws=st.integers(1, 6), link=st.booleans())
def test_draw_views_answer_as_agent_views(arrays: ScenarioArrays, seed: int, draws: int,
                                           link: bool) -> None:
    """Run by run, a :class:`DrawView` answers as the one-draw ``AgentView`` of the run's draw,
    also for levels within ``NEAR`` (1e-6) of an outcome's utility, where the nearer one wins."""
    arrays = with_link(arrays) if link else arrays
    state = coarse_draws(arrays, draws, seed)
    members = arrays.members(None)
    space = space_from_arrays(arrays, 5)
    problem = draw_problem(state, members, space, link_allowed(arrays, space))
    rng = np.random.default_rng(seed)
    runs = 40
    draw = np.sort(rng.integers(0, draws, runs))
    one = [agent_views(problem_from_arrays(state.arrays(d), None, 5), 10) for d in range(draws)]
    for a, view in enumerate(problem.views(draw)):
        utilities = np.concatenate([[0.5], problem.tables[a].utility])
        level = np.where(rng.random(runs) < 0.5, rng.random(runs),
                         rng.choice(utilities, runs) + rng.uniform(-2e-6, 2e-6, runs))
        uniform = rng.random(runs)
        outcome = rng.integers(-1, space.n_outcomes, runs)
        for r in range(runs):
            single = one[int(draw[r])][a]
            assert view.best[r] == single.best and view.floor[r] == single.floor[0]
            assert view.value(outcome)[r] == single.value(outcome[r : r + 1])[0]
            assert (view.lowest_at_least(level)[r]
                    == single.lowest_at_least(level[r : r + 1])[0])
            assert (view.random_at_least(level, uniform)[r]
                    == single.random_at_least(level[r : r + 1], uniform[r : r + 1])[0])


def test_red_lines_within_a_hair_of_the_grid() -> None:
    """Terms of the red-line violation below the 1e-9 tolerance that add up beyond it: the
    outcome is refused, as the one-draw path refuses it (per-issue candidates are only a
    pre-selection)."""
    arrays = make_arrays(np.array([[0.9, 0.9], [0.1, 0.1]]), np.ones((2, 2)),
                         red_line=np.array([[0.5, 0.5], [np.nan, np.nan]]))
    state = State.from_arrays(arrays, 4)
    hair = np.array([0.0, 0.3e-9, 0.6e-9, 2e-9])  # per draw, how far beyond the grid point
    red = state.red_line.copy()
    red[:, 0, :] += hair[:, None]
    state = state.with_values(red_line=red)
    members = arrays.members(None)
    space = space_from_arrays(arrays, 5)
    problem = draw_problem(state, members, space, None)
    for d in range(4):
        one = problem_from_arrays(state.arrays(d), None, 5)
        for a, table in enumerate(problem.tables):
            allowed = np.flatnonzero(np.isfinite(one.decision_utilities[:, a]))
            mine = table.outcome[table.start[d] : table.start[d + 1]]
            np.testing.assert_array_equal(mine, allowed)
    counts = problem.tables[0].count.tolist()
    assert counts[0] == counts[1] == 9 and counts[2] == 8 and counts[3] == 4


@pytest.mark.parametrize("path", [GAZA, EU], ids=["gaza", "eu"])
@pytest.mark.parametrize("name", ["boulware", "random", "tit-for-tat"])
def test_examples_with_every_number_uncertain(path: Path, name: str) -> None:
    arrays = to_arrays(load_scenario(path))
    inputs = (*arrays.uncertainty, *spread_inputs(arrays, 0.1))
    state = apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, 6, 11))
    names = [name] * arrays.members(None).size
    sequence = as_seed_sequence(3)
    expected = loop_over_draws(state, names, "sao", 3, 40, sequence, resolution=4, first=10)
    got = negotiate_on_draws(state, [strategy_from_text(n) for n in names], n_steps=40, runs=3,
                             seed=sequence, resolution=4, first=10, keep_runs=True)
    assert_same(got, expected)


def test_per_run_parameters_play_every_run() -> None:
    """A strategy with one exponent a run is not played once a draw: each run keeps its own."""
    arrays = to_arrays(load_scenario(EU))
    inputs = spread_inputs(arrays, 0.1)
    state = apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, 4, 2))
    n, runs = arrays.members(None).size, 5
    strategies = [TimeBased(exponent=np.linspace(0.2, 6.0, runs))] * n
    assert not strategies[0].same_every_run
    sequence = as_seed_sequence(1)
    got = negotiate_on_draws(state, strategies, n_steps=40, runs=runs, seed=sequence,
                             resolution=4, keep_runs=True, chunk=3)
    for d in range(state.draws):
        problem = problem_from_arrays(state.arrays(d), None, 4)
        found = run_sao(problem, strategies, n_steps=40, runs=runs, seed=draw_seed(sequence, d))
        np.testing.assert_array_equal(got.step[d], found.step)  # type: ignore[index]
        np.testing.assert_array_equal(got.outcome[d], found.outcome)  # type: ignore[index]
    assert any(len(set(row.tolist())) > 1 for row in np.asarray(got.agreed))  # runs differ


def test_draws_with_and_without_agreement() -> None:
    """Draws where some runs agree and others do not, against the loop over draws."""
    arrays = to_arrays(load_scenario(EU))
    inputs = spread_inputs(arrays, 0.1)
    state = apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, 30, 11))
    names = ["conceder"] * arrays.members(None).size
    sequence = as_seed_sequence(3)
    got = negotiate_on_draws(state, [strategy_from_text(n) for n in names], n_steps=40, runs=2,
                             seed=sequence, resolution=4, keep_runs=True)
    assert 0 < got.agreements.sum() < 30 * 2
    assert got.rational.any() and not got.rational.all()
    assert_same(got, loop_over_draws(state, names, "sao", 2, 40, sequence, resolution=4))


def test_negotiate_samples_is_the_loop_over_draws() -> None:
    """``negotiate(..., samples=N)``: the same summary as a loop over the draws would give."""
    scenario = load_scenario(GAZA)
    source = negotiation_problem(scenario, resolution=4)
    result = negotiate(source, runs=4, rounds=30, seed=5, samples=9, keep_runs=False,
                       strategies=["random"])
    assert result.uncertain is not None and source.timeline is not None
    from zopa.app.uncertain import SEED_STREAM

    root = as_seed_sequence(5)
    inputs = source.timeline.inputs
    state = source.timeline.final(sample(inputs, 0, 9, child_sequence(root, SEED_STREAM)),
                                  draws=9)
    expected = loop_over_draws(state, ["random"] * 2, "sao", 4, 30, child_sequence(root, 1),
                               resolution=4)
    rates = np.asarray(expected.agreed).mean(axis=1)
    assert result.uncertain.agreement_rate == expected.agreements.sum() / 36
    assert result.uncertain.agreement_rate_interval == [
        float(x) for x in np.quantile(rates, [0.05, 0.5, 0.95])]
    assert result.uncertain.p_acceptable_outcomes == float(np.mean(expected.rational))


def test_bad_calls_are_usage_errors() -> None:
    state = State.from_arrays(to_arrays(load_scenario(GAZA)))
    boulware = [strategy_from_text("boulware")] * 2
    seed = as_seed_sequence(0)
    with pytest.raises(UsageError, match="protocol"):
        negotiate_on_draws(state, boulware, protocol="auction", seed=seed)
    with pytest.raises(UsageError, match="strategies"):
        negotiate_on_draws(state, boulware[:1], seed=seed)
    with pytest.raises(UsageError, match="runs"):
        negotiate_on_draws(state, boulware, runs=0, seed=seed)
