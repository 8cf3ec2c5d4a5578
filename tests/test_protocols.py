"""Negotiation engines: batched == step-by-step, individual rationality, walk-away, mediation,
outcome spaces from scenarios, and SAO runs equal to NegMAS's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa.errors import UsageError
from zopa.importers.genius import load_genius_folder
from zopa.protocols import (
    NegotiationProblem,
    OutcomeSpace,
    TimeBased,
    TitForTat,
    make_strategy,
    problem_from_arrays,
    reference_mediated,
    reference_sao,
    run_mediated,
    run_sao,
)
from zopa.protocols.strategies import Strategy
from zopa.scenario import load_scenario, to_arrays

DATA = Path(__file__).parent / "data" / "genius"

SCENARIO = """
meta: {title: Pause talks (protocol tests), as_of: 2024-03-20}
actors:
  - {id: north, name: North, capability: 60, batna: 0.3}
  - {id: south, name: South, capability: 25, batna: 0.2}
  - {id: broker, name: Broker, role: mediator, capability: 15}
issues:
  - {id: pause, name: Pause, unit: weeks, range: [0, 12]}
  - {id: exchange, name: Exchange, options: [none, partial, full]}
positions:
  north:
    pause: {ideal: 2, salience: 0.8, red_line: 6, prefers: less}
    exchange: {ideal: full, salience: 0.9, red_line: partial, prefers: more}
  south:
    pause: {ideal: 12, salience: 0.9, red_line: 4, prefers: more}
    exchange: {ideal: none, salience: 0.5, red_line: full}
  broker:
    pause: {ideal: 6, salience: 0.6}
"""


def random_problem(seed: int, n_agents: int, red_lines: bool) -> NegotiationProblem:
    rng = np.random.default_rng(seed)
    cards = tuple(int(c) for c in rng.integers(2, 5, size=int(rng.integers(1, 4))))
    space = OutcomeSpace(
        issues=tuple(f"i{j}" for j in range(len(cards))),
        labels=tuple(tuple(range(c)) for c in cards),
        points=tuple(np.linspace(0, 1, c) for c in cards),
    )
    k = space.n_outcomes
    # Rounded utilities: ties between outcomes are common, the hard case for tie-breaking.
    u = np.round(rng.random((k, n_agents)), 1)
    acceptable = rng.random((k, n_agents)) > 0.2 if red_lines else None
    return NegotiationProblem(space, tuple(f"a{i}" for i in range(n_agents)), u,
                              np.round(rng.random(n_agents) * 0.5, 2), acceptable)


STRATEGY_NAMES = ["boulware", "linear", "conceder", "hardliner", "random", "tit-for-tat"]


def strategies_for(names: list[str], runs: int, rng: np.random.Generator) -> list[Strategy]:
    out: list[Strategy] = []
    for name in names:
        if name == "aspiration":  # per-run exponents
            out.append(TimeBased(exponent=rng.uniform(0.2, 5.0, size=runs)))
        else:
            out.append(make_strategy(name))
    return out


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_agents=st.integers(2, 3),
    names=st.lists(st.sampled_from([*STRATEGY_NAMES, "aspiration"]), min_size=3, max_size=3),
    runs=st.integers(1, 7),
    n_steps=st.integers(1, 25),
    red_lines=st.booleans(),
    protocol=st.sampled_from(["sao", "mediated"]),
)
def test_batched_equals_step_by_step(seed: int, n_agents: int, names: list[str], runs: int,
                                     n_steps: int, red_lines: bool, protocol: str) -> None:
    problem = random_problem(seed, n_agents, red_lines)
    rng = np.random.default_rng(seed)
    reservation = np.round(rng.random((runs, n_agents)) * 0.6, 2)
    strategies = strategies_for(names[:n_agents], runs, rng)
    kwargs = {"n_steps": n_steps, "runs": runs, "seed": seed, "reservation": reservation}
    if protocol == "sao":
        batched = run_sao(problem, strategies, chunk=3, **kwargs)  # type: ignore[arg-type]
        reference = reference_sao(problem, strategies, **kwargs)  # type: ignore[arg-type]
    else:
        batched = run_mediated(problem, strategies, chunk=3, **kwargs)  # type: ignore[arg-type]
        reference = reference_mediated(problem, strategies, **kwargs)  # type: ignore[arg-type]
    assert batched.same_as(reference)
    # Agreements are individually rational for every party (all of them accepted it).
    for r in np.flatnonzero(batched.agreed):
        o = batched.outcome[r]
        assert np.all(problem.decision_utilities[o] >= reservation[r])
        np.testing.assert_array_equal(batched.utilities[r], problem.utilities[o])
    assert np.all(batched.timed_out == (~batched.agreed & (batched.walked_away < 0)))
    assert np.all(batched.step[batched.timed_out] == n_steps - 1)


def test_walk_away_when_nothing_beats_the_reservation_value() -> None:
    problem = random_problem(3, 3, red_lines=False)
    best = problem.utilities.max(axis=0)
    reservation = np.array([0.0, best[1] + 0.1, 0.0])
    for engine in (run_sao, run_mediated):
        result = engine(problem, [make_strategy("linear")] * 3, reservation=reservation, runs=2)
        assert result.walked_away.tolist() == [1, 1]
        assert result.step.tolist() == [0, 0]
        assert not result.agreed.any() and not result.timed_out.any()


def test_sao_round_semantics_on_a_tiny_problem() -> None:
    # Two outcomes; agent 0 likes outcome 0, agent 1 outcome 1. Hardliners never agree; a
    # hardliner against a conceder gets its way: agent 1 accepts outcome 0 as soon as its
    # aspiration falls to it, in the round where its level drops below 0.5.
    space = OutcomeSpace(("x",), (("a", "b"),), (np.array([0.0, 1.0]),))
    problem = NegotiationProblem(space, ("p", "q"), np.array([[1.0, 0.5], [0.5, 1.0]]),
                                 np.zeros(2))
    stuck = run_sao(problem, [make_strategy("hardliner")] * 2, n_steps=10, trace_runs=1)
    assert stuck.timed_out[0] and stuck.step[0] == 9
    assert stuck.trace is not None
    assert stuck.trace[0, :, 0].tolist() == [0] * 10 and stuck.trace[0, :, 1].tolist() == [1] * 10
    # With a third outcome q's floor is 0: its level (1 - t) - 0.001, t = (s + 1) / 11, first
    # falls to 0.6 (its utility of p's offer) when q answers in round s = 4 (t = 5/11).
    space3 = OutcomeSpace(("x",), (("a", "b", "c"),), (np.array([0.0, 0.5, 1.0]),))
    problem3 = NegotiationProblem(space3, ("p", "q"),
                                  np.array([[1.0, 0.6], [0.5, 1.0], [0.2, 0.0]]), np.zeros(2))
    deal = run_sao(problem3, [make_strategy("hardliner"), make_strategy("linear")], n_steps=10)
    assert deal.agreed[0] and deal.outcome[0] == 0 and deal.step[0] == 4


def test_mediated_text_only_improves_for_everyone() -> None:
    problem = load_genius_folder(DATA / "Trilateral").problem()
    result = run_mediated(problem, [make_strategy("boulware")] * 3, n_steps=60, runs=20,
                          seed=5, trace_runs=20)
    assert result.trace is not None
    for r in range(20):
        texts = result.trace[r, :, 0]
        texts = texts[texts >= 0]
        u = problem.utilities[texts]
        assert np.all(np.diff(u, axis=0) >= 0)
    assert result.agreed.mean() > 0.5


def test_seeds_and_stochastic_strategies() -> None:
    problem = load_genius_folder(DATA / "Truce").problem()
    strategies = [make_strategy("random"), make_strategy("random")]
    a = run_sao(problem, strategies, runs=30, seed=1)
    b = run_sao(problem, strategies, runs=30, seed=1)
    c = run_sao(problem, strategies, runs=30, seed=2)
    assert a.same_as(b)
    assert not a.same_as(c)
    # A run's randomness is its own: the first 10 runs of a batch of 30 equal a batch of 10.
    d = run_sao(problem, strategies, runs=10, seed=1)
    assert np.array_equal(a.outcome[:10], d.outcome)


def test_tit_for_tat_mirrors_concessions() -> None:
    problem = load_genius_folder(DATA / "Truce").problem()
    tft = run_sao(problem, [TitForTat(), make_strategy("conceder")], n_steps=50)
    hard = run_sao(problem, [TitForTat(), make_strategy("hardliner")], n_steps=50)
    assert tft.agreed[0]
    assert not hard.agreed[0]  # nothing to mirror: neither side moves


def test_problem_from_a_scenario(tmp_path: Path) -> None:
    path = tmp_path / "pause.yaml"
    path.write_text(SCENARIO)
    arrays = to_arrays(load_scenario(path))
    problem = problem_from_arrays(arrays, resolution=13)
    assert problem.agents == ("north", "south")  # the parties; the broker mediates
    assert problem.space.cardinalities == (13, 3)
    assert problem.space.labels[0][:3] == (0.0, 1.0, 2.0)
    z = problem.space.normalised(np.arange(problem.n_outcomes))
    np.testing.assert_allclose(problem.utilities, arrays.utility(z)[:, :2])
    assert problem.acceptable is not None
    # North's red line: pause at most 6 weeks, exchange at least partial.
    pause = np.array(problem.space.labels[0])[problem.space.decode(np.arange(39))[:, 0]]
    exchange = problem.space.decode(np.arange(39))[:, 1]
    np.testing.assert_array_equal(problem.acceptable[:, 0], (pause <= 6) & (exchange >= 1))
    np.testing.assert_array_equal(problem.reservation, [0.3, 0.2])
    with pytest.raises(UsageError):
        problem_from_arrays(arrays, resolution=1)
    with pytest.raises(UsageError):
        problem_from_arrays(arrays, resolution=3_000_000)  # 9 million outcomes


def test_engine_argument_errors() -> None:
    problem = load_genius_folder(DATA / "Truce").problem()
    with pytest.raises(UsageError):
        run_sao(problem, [make_strategy("linear")])
    with pytest.raises(UsageError):
        run_sao(problem, [make_strategy("linear")] * 2, n_steps=0)
    with pytest.raises(UsageError):
        run_sao(problem, [make_strategy("linear")] * 2, reservation=np.zeros(3))
    with pytest.raises(UsageError):
        make_strategy("stubborn")


def test_time_limit_stops_the_batch() -> None:
    problem = load_genius_folder(DATA / "Truce").problem()
    result = run_sao(problem, [make_strategy("hardliner")] * 2, n_steps=10**6, runs=4,
                     time_limit=0.05)
    assert result.timed_out.all()
    assert result.step.max() < 10**6 - 1


# (exponents, rounds): SAO between NegMAS AspirationNegotiators with these aspiration exponents
# and zopa TimeBased strategies with the same exponents and NegMAS's default tolerance 0.001.
NEGMAS_CASES = [
    ("Truce", (4.0, 4.0), 100),
    ("Truce", (1.0, 1.0), 20),
    ("Truce", (0.25, 2.0), 50),
    ("Truce", (3.0, 0.5), 100),
    ("Trilateral", (4.0, 4.0, 4.0), 100),
    ("Trilateral", (0.25, 2.0, 4.0), 20),
    ("Trilateral", (3.0, 0.5, 1.5), 5),
]


@pytest.mark.parametrize(("domain", "exponents", "rounds"), NEGMAS_CASES)
def test_sao_matches_negmas(domain: str, exponents: tuple[float, ...], rounds: int) -> None:
    pytest.importorskip("negmas")
    import warnings

    from negmas.inout import Scenario
    from negmas.sao import AspirationNegotiator, SAOMechanism

    warnings.filterwarnings("ignore")
    scenario = Scenario.from_genius_folder(DATA / domain, ignore_discount=True)
    mechanism = SAOMechanism(outcome_space=scenario.outcome_space, n_steps=rounds)
    for ufun, e in zip(scenario.ufuns, exponents, strict=True):
        mechanism.add(AspirationNegotiator(aspiration_type=e), ufun=ufun)
    state = mechanism.run()
    problem = load_genius_folder(DATA / domain).problem(normalise=False)
    result = run_sao(problem, [TimeBased(exponent=e) for e in exponents], n_steps=rounds)
    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    ours = outcomes[int(result.outcome[0])] if result.agreed[0] else None
    assert ours == state.agreement
    assert int(result.step[0]) + 1 == state.step  # NegMAS counts rounds done
