"""The Nash solution of problems too large for SLSQP (smoothing with continuation) agrees with
the exact SLSQP solution, and requests beyond the limit are refused at once."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zopa import utility as u
from zopa.analysis import bargaining as bg
from zopa.analysis.packages import Parties
from zopa.errors import BudgetError


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_smoothed_nash_matches_slsqp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k, m = int(rng.integers(2, 6)), int(rng.integers(1, 6))
    ideal = rng.uniform(0, 1, (k, m))
    weights = u.salience_weights(rng.uniform(0.1, 1, (k, m)))
    prefers = rng.choice([u.PEAKED, u.MORE, u.LESS], (k, m)).astype(np.int8)
    batna = rng.uniform(0, 0.3, k)
    box = (np.zeros(m), np.ones(m))
    exact = bg.nash_solution(Parties(ideal, weights, prefers, batna), *box)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bg, "SLSQP_LIMIT", 0)
        smooth = bg.nash_solution(Parties(ideal, weights, prefers, batna), *box)
    if exact is None:
        assert smooth is None
        return
    assert smooth is not None
    assert np.all(smooth.utility >= batna)
    # the smoothed solution alone is within 1e-7 of the best of SLSQP and smoothing together
    gap = bg.nash_product(exact.utility, batna) - bg.nash_product(smooth.utility, batna)
    assert -1e-12 <= gap <= 1e-7


def test_beyond_the_pair_limit_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bg, "MAX_PAIRS", 5)
    ideal = np.array([[0.2, 0.4, 0.6], [0.8, 0.6, 0.4]])
    weights = np.full((2, 3), 1 / 3)
    with pytest.raises(BudgetError, match="beyond the limit of 5 pairs"):
        bg.nash_solution(Parties(ideal, weights, np.zeros((2, 3), np.int8), np.zeros(2)),
                         np.zeros(3), np.ones(3))
