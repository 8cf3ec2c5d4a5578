"""Voting power past its limits: estimated before starting, refused at once with one line that
names the limit and how to raise it; and the double-majority methods at their edges."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from institutions_strategies import make_rule
from zopa.errors import UsageError
from zopa.institutions.bodies import builtin_body
from zopa.institutions.power import PowerLimits, voting_power, weighted_swings
from zopa.institutions.power_split import _member_split, equal_split_swings, split_cost
from zopa.institutions.rules import DecisionRule


def refused(call: object, *args: object, **kwargs: object) -> str:
    start = time.perf_counter()
    with pytest.raises(UsageError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert time.perf_counter() - start < 2.0  # at once: nothing was computed
    message = str(info.value)
    assert "\n" not in message
    assert "ZOPA_POWER_MAX_SECONDS" in message and "limit of 60 s and 4 GB" in message
    return message


def double_majority(n: int, equal: bool, seed: int = 1) -> DecisionRule:
    rng = np.random.default_rng(seed)
    weights = [1.0] * n if equal else rng.integers(1, 5, n).astype(float).tolist()
    pops = rng.integers(1, 100_000_000, n).astype(float).tolist()
    return make_rule(weights, 0.55, basis="members", populations=pops, population_quota=0.65,
                     blocking_minority=4)


def test_huge_weighted_games_are_refused_at_once() -> None:
    rng = np.random.default_rng(0)
    weights = rng.integers(1, 10**6, 3000).tolist()
    message = refused(weighted_swings, weights, sum(weights) // 2 + 1, limits=PowerLimits())
    assert message.startswith("exact power of a weighted game of 3000 members")
    rule = make_rule([float(w) for w in weights[:400]], float(sum(weights[:400]) // 2 + 1))
    refused(voting_power, rule, limits=PowerLimits())


def test_large_double_majorities_are_refused_at_once() -> None:
    message = refused(voting_power, double_majority(52, equal=True), limits=PowerLimits())
    assert "the split method for 52 members would take about" in message
    message = refused(voting_power, double_majority(40, equal=False), limits=PowerLimits())
    assert "40 members" in message
    message = refused(voting_power, double_majority(30, equal=False), "enumerate",
                      limits=PowerLimits())
    assert "enumeration of 2^30 coalitions" in message


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOPA_POWER_MAX_SECONDS", "1e-9")
    with pytest.raises(UsageError, match="limit of 1e-09 s"):
        voting_power(make_rule([1.0] * 30, 16.0))
    monkeypatch.setenv("ZOPA_POWER_MAX_SECONDS", "many")
    with pytest.raises(UsageError, match="must be numbers"):
        voting_power(make_rule([1.0] * 3, 2.0))
    monkeypatch.delenv("ZOPA_POWER_MAX_SECONDS")
    monkeypatch.setenv("ZOPA_POWER_MAX_GB", "1e-9")
    with pytest.raises(UsageError, match="GB"):
        voting_power(make_rule([1.0] * 30, 16.0))


def test_a_larger_limit_lets_a_method_run() -> None:
    rule = double_majority(20, equal=False)
    small = PowerLimits(seconds=1e-6)
    with pytest.raises(UsageError):
        voting_power(rule, "enumerate", limits=small)
    assert voting_power(rule, "enumerate", limits=PowerLimits(seconds=600)).method == "enumerate"


def test_double_majority_of_24_members_with_unequal_weights() -> None:
    # 24 members, weights 1..4, 55 % of weight, 65 % of population, blocking minority of 4, by the
    # member-by-member meet in the middle; checked against listing every coalition on 16 members
    rule = double_majority(24, equal=False)
    assert split_cost(rule)[0] < 10
    p = voting_power(rule)
    assert p.method == "split" and sum(p.shapley_shubik) == 1
    part = double_majority(16, equal=False)
    listed = voting_power(part, "enumerate").swings_by_size
    assert voting_power(part, "split").swings_by_size == listed


def test_eu_council_both_split_methods_agree() -> None:
    rule = DecisionRule.from_body(builtin_body("eu-council-qmv"))
    assert equal_split_swings(rule) == _member_split(rule)


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 11), st.data())
def test_equal_weights_split_equals_enumeration(n: int, data: st.DataObject) -> None:
    pops = [float(p) for p in data.draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))]
    veto = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
    basis = data.draw(st.sampled_from(["votes", "members", "present_and_voting"]))
    quota = (float(data.draw(st.integers(1, n))) * 3 if basis == "votes"
             else data.draw(st.sampled_from([0.5, 0.55, 2 / 3, 1.0])))
    rule = make_rule([3.0] * n, quota, basis=basis, veto=veto, populations=pops,
                     population_quota=data.draw(st.sampled_from([0.5, 0.65, 1.0])),
                     blocking_minority=data.draw(st.sampled_from([None, 1, 2, 4])))
    expected = [list(r) for r in voting_power(rule, "enumerate").swings_by_size]
    assert equal_split_swings(rule) == expected
    assert _member_split(rule) == expected
