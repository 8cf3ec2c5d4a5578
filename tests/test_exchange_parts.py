"""Exchange model, the parts of a round: candidates, state, selection (pure functions).

The whole round is checked against decide in tests/test_exchange.py; these pin down the pieces
it is made of on inputs small enough to work out by hand.
"""

from __future__ import annotations

from decimal import localcontext

import numpy as np
import pytest

from zopa.models import exchange_exact as xx
from zopa.models.exchange_candidates import (
    candidate_pairs,
    clear_of_crossing,
    equal_gain_magnitudes,
    left_of_outcome,
)
from zopa.models.exchange_selection import NEAR_TIE, near_tie_runs
from zopa.models.exchange_state import open_round, round_tables, sides_by_key


def test_near_tie_runs_are_maximal_chains_of_close_neighbours() -> None:
    gains = [9.0, 5.0, 5.0, 5.0 - NEAR_TIE / 2, 3.0, 2.0, 2.0 - NEAR_TIE / 2, 1.0]
    order = list(range(len(gains)))
    assert near_tie_runs(order, gains) == [(1, 3), (5, 6)]
    assert near_tie_runs([0, 4, 7], gains) == []
    assert near_tie_runs([], gains) == []


def test_sides_by_key_keeps_sides_in_order() -> None:
    keys = np.array([2, 0, 2, 3, 0], dtype=np.intp)
    assert sides_by_key(keys, 5) == [[1, 4], [], [0, 2], [3], []]


def test_equal_gain_magnitudes_move_the_shorter_way() -> None:
    # j moves all the way (gap_p = 10) and i 0.5 times that, within its gap of 20
    mag_i, mag_j, i_all = equal_gain_magnitudes(np.array([20.0]), np.array([10.0]), np.array([0.5]))
    assert (mag_i[0], mag_j[0], bool(i_all[0])) == (5.0, 10.0, False)
    # i would pass j's position (4 > 2): i moves all the way, j 1/A of it
    mag_i, mag_j, i_all = equal_gain_magnitudes(np.array([2.0]), np.array([10.0]), np.array([0.4]))
    assert (mag_i[0], mag_j[0], bool(i_all[0])) == (2.0, 5.0, True)


def test_clear_of_crossing_needs_both_on_one_side() -> None:
    before = np.array([1.0, 1.0, -1.0, 1e-12])
    after = np.array([0.5, -0.5, -2.0, 1.0])
    assert clear_of_crossing(before, after, 1e-9).tolist() == [True, False, True, False]


def test_candidates_pair_opposite_sides_in_decides_order() -> None:
    # two issues; actors 0 and 1 left of both outcomes, 2 right of both, 3 left on p, right on q
    left = np.array([[True, True], [True, True], [False, False], [True, False]])
    usable = np.ones((4, 2), dtype=bool)
    s = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5], [0.5, 0.5]])
    actor, supply = candidate_pairs(left, usable, s)
    # A-D pairs (0, 2) and (1, 2); side i is the actor with the larger s_p / s_q
    assert actor.T.tolist() == [[0, 2], [2, 1]]
    assert supply.T.tolist() == [[1, 0], [1, 0]]
    usable[2, 0] = False  # actor 2 without a usable position on p: no exchange
    assert candidate_pairs(left, usable, s)[0].shape == (2, 0)


def test_left_of_outcome_in_the_rounds_arithmetic() -> None:
    x = np.array([[0.0], [50.0], [100.0]])
    s = np.full((3, 1), 0.5)
    c = np.ones((3, 1))
    with localcontext(xx.CONTEXT):
        exact = tuple(tuple(xx.exact(v) for v in row) for row in x.tolist())
        tables = round_tables(x, exact, s, c)
        # the outcome is 50 exactly: the actor there counts as left of it
        assert left_of_outcome(tables, 3, 1).ravel().tolist() == [True, True, False]


def test_salience_and_power_are_converted_once_per_run() -> None:
    x = np.array([[10.0, 90.0], [80.0, 20.0]])
    s = np.array([[0.9, 0.2], [0.3, 0.7]])
    c = np.ones((2, 2))
    with localcontext(xx.CONTEXT):
        exact = tuple(tuple(xx.exact(v) for v in row) for row in x.tolist())
        first, second = round_tables(x, exact, s, c), round_tables(x, exact, s, c)
        assert first is not second and first.s is second.s and first.denom is second.denom
        other = round_tables(x, exact, s * 0.5, c)
        assert other.s is not first.s
        assert other.s[0][0] == xx.exact(0.45)


@pytest.mark.parametrize("exact", [True, False])
def test_open_round_lists_match_the_candidates(exact: bool) -> None:
    x = np.array([[0.0, 100.0], [100.0, 0.0], [np.nan, 50.0]])
    s = np.array([[0.9, 0.2], [0.2, 0.9], [0.5, 0.5]])
    c = np.ones((3, 2))
    with localcontext(xx.CONTEXT):
        table = tuple(tuple(None if v != v else xx.exact(v) for v in row) for row in x.tolist())
        state, again = open_round(x, table if exact else None, s, c, False)
    assert state.count == len(state.pairs) == len(state.constants) == 1
    # actor 0 (larger s_p / s_q) supplies issue 1 (q) and demands issue 0 (p); actor 1 the reverse
    assert state.pairs == [(0, 1, 1, 0)]
    assert len(state.move) == len(state.room) == len(state.base) == 2 * state.count
    assert state.supplying[0 * 2 + 1] == [0] and state.supplying[1 * 2 + 0] == [1]
    assert state.demanding[0 * 2 + 0] == [0] and state.demanding[1 * 2 + 1] == [1]
    assert state.exact is exact and again == []
