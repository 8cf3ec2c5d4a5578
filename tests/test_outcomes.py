"""Outcome analysis: Pareto frontier, Nash / Kalai-Smorodinsky / max-welfare points, distances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from zopa.analysis.outcomes import (
    _frontier_2d,
    _frontier_nd,
    analyse_outcomes,
    distance_to_set,
    is_dominated,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_frontier,
)


def brute_frontier(u: np.ndarray) -> set[int]:
    """Definition: no other outcome at least as good for all and better for one."""
    out = set()
    for i in range(u.shape[0]):
        dominated = np.any(np.all(u >= u[i], axis=1) & np.any(u > u[i], axis=1))
        if not dominated:
            out.add(i)
    return out


# Small integer utilities make ties and duplicates frequent: the hard cases.
tables = st.integers(2, 4).flatmap(
    lambda n: arrays(np.float64, st.tuples(st.integers(1, 60), st.just(n)),
                     elements=st.integers(0, 6).map(float))
)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_frontier_matches_definition(u: np.ndarray) -> None:
    assert set(pareto_frontier(u).tolist()) == brute_frontier(u)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 80), st.just(2)),
              elements=st.integers(0, 5).map(float)))
def test_two_agent_sweep_equals_general_search(u: np.ndarray) -> None:
    assert np.array_equal(_frontier_2d(u), _frontier_nd(u))


@settings(max_examples=100, deadline=None)
@given(tables)
def test_frontier_points_are_mutually_non_dominated(u: np.ndarray) -> None:
    front = u[pareto_frontier(u)]
    for p in front:
        assert not is_dominated(front, p)
        assert not is_dominated(u, p)


@settings(max_examples=100, deadline=None)
@given(tables, st.floats(0.0, 3.0))
def test_nash_point_lies_on_the_frontier(u: np.ndarray, reservation: float) -> None:
    d = np.full(u.shape[1], reservation)
    rational = np.all(u >= d, axis=1)
    analysis = analyse_outcomes(u, d, rational)
    if analysis.nash is None:
        assert analysis.frontier.size == 0 or not np.any(np.all(u[analysis.frontier] >= d, axis=1))
        return
    assert analysis.nash in set(analysis.frontier.tolist())
    assert not is_dominated(u[rational], u[analysis.nash])
    # It maximises the Nash product over all acceptable outcomes, not just the frontier.
    best = np.prod(u[rational] - d, axis=1).max()
    assert np.prod(u[analysis.nash] - d) == best


def test_points_on_a_known_example() -> None:
    # Three agreements on a line, one dominated outcome, disagreement at (0, 0).
    u = np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0], [0.5, 0.5], [0.9, 0.2]])
    front = pareto_frontier(u)
    assert front.tolist() == [1, 4, 0, 2]  # by welfare: 1.2, 1.1, 1.0, 1.0 (index breaks the tie)
    assert nash_point(u, front, np.zeros(2)) == 1
    assert max_welfare_point(u, front) == 1
    ideal = u.max(axis=0)
    assert kalai_smorodinsky_point(u, front, np.zeros(2), ideal) == 1
    # Raising agent 0's disagreement utility to 0.55 moves Nash to (0.9, 0.2):
    # (0.6-0.55)*0.6 = 0.03 < (0.9-0.55)*0.2 = 0.07.
    assert nash_point(u, front, np.array([0.55, 0.0])) == 4


def test_distances() -> None:
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    d = distance_to_set(np.array([[1.0, 1.0], [np.nan, np.nan], [0.0, 0.0]]), targets)
    assert d[0] == 1.0
    assert np.isnan(d[1])
    assert d[2] == 1.0
    assert np.isnan(distance_to_set(np.array([[0.5, 0.5]]), np.empty((0, 2)))[0])


def test_frontier_of_a_million_outcomes_is_fast() -> None:
    import time

    rng = np.random.default_rng(1)
    u = rng.random((1_000_000, 2))
    start = time.perf_counter()
    front = pareto_frontier(u)
    assert time.perf_counter() - start < 5.0
    assert set(front.tolist()) == set(np.flatnonzero(_frontier_2d(u)).tolist())
    # Every frontier point beats the others it is compared with on some agent.
    f = u[front]
    order = np.argsort(-f[:, 0])
    assert np.all(np.diff(f[order, 1]) > 0)
