"""Exact voting power: published Security Council values, powerindex on random weighted games,
the three methods against each other, and the axioms of the indices (hypothesis)."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import numpy as np
import powerindex
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from institutions_strategies import any_rules, make_rule, weighted_rules
from zopa.institutions.bodies import builtin_body
from zopa.institutions.power import fraction_text, voting_power, weighted_swings
from zopa.institutions.power_generating import estimate, window_counts
from zopa.institutions.rules import DecisionRule


def same_counts(rule: DecisionRule, method: str) -> bool:
    """The method gives exactly the swing counts of listing every coalition."""
    counts = voting_power(rule, method).swings_by_size  # type: ignore[arg-type]
    return counts == voting_power(rule, "enumerate").swings_by_size


def test_security_council_published_values() -> None:
    # Shapley-Shubik: 421/2145 = 0.1963 per permanent member, 4/2145 = 0.00186 per elected member
    # (Shapley & Shubik 1954, for the 11-member Council; for the 15-member Council e.g.
    # Felsenthal & Machover 1998, The Measurement of Voting Power, sec. 6.3). Banzhaf swings:
    # 848 per permanent, 84 per elected member; normalised 0.1669 and 0.0165 (ibid.).
    rule = DecisionRule.from_body(builtin_body("un-security-council"))
    p = voting_power(rule)
    ss = dict(zip(rule.member_ids, p.shapley_shubik, strict=True))
    assert ss["US"] == Fraction(421, 2145) and float(ss["US"]) == pytest.approx(0.1963, abs=1e-4)
    assert ss["MT"] == Fraction(4, 2145) and float(ss["MT"]) == pytest.approx(0.0019, abs=1e-4)
    assert sum(p.shapley_shubik) == 1
    assert p.swings == (848,) * 5 + (84,) * 10
    assert float(p.banzhaf[0]) == pytest.approx(0.1669, abs=1e-4)
    assert float(p.banzhaf[5]) == pytest.approx(0.0165, abs=1e-4)
    assert p.banzhaf_absolute[0] == Fraction(848, 2**14)
    assert voting_power(rule, "generating").swings_by_size == p.swings_by_size


def test_eu_qmv_split_matches_enumeration_on_a_sub_council() -> None:
    body = builtin_body("eu-council-qmv")
    members = body.members[:5] + body.members[-9:]  # 14 members: enumeration is cheap
    sub = body.model_copy(update={"members": members})
    rule = DecisionRule.from_body(sub)
    assert same_counts(rule, "split")


def test_eu_qmv_full_council() -> None:
    rule = DecisionRule.from_body(builtin_body("eu-council-qmv"))
    p = voting_power(rule)
    assert p.method == "split"
    ss = [float(x) for x in p.shapley_shubik]
    assert sum(p.shapley_shubik) == 1
    assert ss == sorted(ss, reverse=True)  # members are listed by population
    # Germany's Shapley-Shubik index under the 2014 double majority is about 0.17-0.18
    # (Kóczy 2016, "Population or equality?", Table 1, for 2014-2019 populations).
    assert 0.16 < ss[0] < 0.19


def test_hundreds_of_players_exact_and_matching_powerindex() -> None:
    rng = np.random.default_rng(7)
    weights = rng.integers(1, 20, 150).tolist()
    quota = sum(weights) // 2 + 1
    rows = weighted_swings(weights, quota)
    swings = [sum(r) for r in rows]
    assert max(swings) > 2**64  # beyond int64: the counts are exact Python integers
    rule = make_rule([float(w) for w in weights], float(quota))
    p = voting_power(rule)
    game = powerindex.Game(quota, weights)
    game.calc_banzhaf()  # its Shapley-Shubik takes seconds here; compared on 60 players below
    np.testing.assert_allclose([float(x) for x in p.banzhaf], game.banzhaf, rtol=1e-9)
    assert sum(p.shapley_shubik) == 1
    weights, quota = weights[:60], sum(weights[:60]) // 2 + 1
    p = voting_power(make_rule([float(w) for w in weights], float(quota)))
    game = powerindex.Game(quota, weights)
    game.calc_shapley_shubik()
    np.testing.assert_allclose([float(x) for x in p.shapley_shubik], game.shapley_shubik, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=2, max_size=12), st.data())
def test_matches_powerindex_on_random_games(weights: list[int], data: st.DataObject) -> None:
    # powerindex's generating functions slice [quota - w : quota], which wraps for w >= quota,
    # and it short-cuts such games; compare on games where no member wins alone.
    quota = data.draw(st.integers(max(weights) + 1, max(max(weights) + 1, sum(weights))))
    if quota > sum(weights):
        return
    game = powerindex.Game(quota, weights)
    game.calc_banzhaf()
    game.calc_shapley_shubik()
    p = voting_power(make_rule([float(w) for w in weights], float(quota)), "generating")
    if sum(p.swings) == 0:
        return
    np.testing.assert_allclose([float(x) for x in p.banzhaf], game.banzhaf, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose([float(x) for x in p.shapley_shubik], game.shapley_shubik, rtol=1e-9,
                               atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(weighted_rules(max_n=10))
def test_generating_functions_equal_enumeration(rule: DecisionRule) -> None:
    assert same_counts(rule, "generating")


@settings(max_examples=150, deadline=None)
@given(any_rules(max_n=10))
def test_split_equals_enumeration_for_double_majorities(rule: DecisionRule) -> None:
    # equal or unequal member weights, vetoes, blocking minorities, every basis
    if rule.population_quota is None:
        return
    assert same_counts(rule, "split")


@settings(max_examples=100, deadline=None)
@given(any_rules())
def test_shapley_shubik_sums_to_one(rule: DecisionRule) -> None:
    p = voting_power(rule)
    wins_at_all = sum(p.swings) > 0
    assert sum(p.shapley_shubik) == (1 if wins_at_all else 0)
    assert all(0 <= x <= 1 for x in p.banzhaf_absolute)
    if wins_at_all:
        assert sum(p.banzhaf) == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=9), st.data())
def test_a_dummy_has_no_power(weights: list[int], data: st.DataObject) -> None:
    # even weights and an even quota: a member of weight 1 never changes a coalition's fate
    quota = 2 * data.draw(st.integers(1, sum(weights)))
    rule = make_rule([2.0 * w for w in weights] + [1.0], float(quota))
    for method in ("enumerate", "generating"):
        p = voting_power(rule, method)  # type: ignore[arg-type]
        assert p.swings[-1] == 0 and p.shapley_shubik[-1] == 0 and p.banzhaf[-1] == 0


@settings(max_examples=80, deadline=None)
@given(any_rules(max_n=7), st.data())
def test_symmetric_members_have_equal_power(rule: DecisionRule, data: st.DataObject) -> None:
    # duplicate a member: the copy and the original are interchangeable in every coalition
    i = data.draw(st.integers(0, rule.n - 1))
    weights = [*rule.weight.tolist(), float(rule.weight[i])]
    pops = None
    if rule.population is not None:
        pops = [*rule.population.tolist(), float(rule.population[i])]
    veto = [int(k) for k in np.flatnonzero(rule.veto)] + ([rule.n] if rule.veto[i] else [])
    twin = make_rule(
        weights, rule.quota, basis=rule.basis.value, veto=veto,
        abstention="veto" if rule.abstention_is_veto else "not_veto", populations=pops,
        population_quota=rule.population_quota, blocking_minority=rule.blocking_minority,
    )
    p = voting_power(twin)
    assert p.shapley_shubik[i] == p.shapley_shubik[-1]
    assert p.swings[i] == p.swings[-1]


def test_veto_holders_in_weighted_games() -> None:
    # [3; 1,1,1] with member 0 holding a veto: 0 swings {1},{2},{1,2}; 1 swings only {0,2}
    rows = weighted_swings([1, 1, 1], 3, [True, False, False])
    assert rows == [[0, 0, 1], [0, 0, 1], [0, 0, 1]]
    rows = weighted_swings([1, 1, 1], 2, [True, False, False])
    assert [sum(r) for r in rows] == [3, 1, 1]


@settings(max_examples=60, deadline=None)
@given(weighted_rules(max_n=12))
def test_banzhaf_only_totals_equal_sums_by_size(rule: DecisionRule) -> None:
    weights, _ = rule.integer_weights
    by_size = weighted_swings(weights, rule.integer_quota(), rule.veto)
    totals = weighted_swings(weights, rule.integer_quota(), rule.veto, by_size=False)
    assert [[sum(r)] for r in by_size] == totals


@settings(max_examples=60, deadline=None)
@given(any_rules(max_n=9))
def test_generating_equals_enumeration_for_any_basis(rule: DecisionRule) -> None:
    # every basis (votes, share of members, present and voting) and veto semantics
    if rule.population_quota is not None:
        return
    assert same_counts(rule, "generating")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=11), st.data())
def test_table_and_recurrence_agree_with_brute_force(
    weights: list[int], data: st.DataObject
) -> None:
    cap = data.draw(st.integers(-1, sum(weights) + 1))
    n = len(weights)
    losing = [0] * (n + 1)
    for mask in range(1 << n):
        chosen = [w for i, w in enumerate(weights) if mask >> i & 1]
        losing[len(chosen)] += sum(chosen) < cap
    for way in ("table", "recurrence"):
        by_size = window_counts(weights, cap, True, way)
        assert by_size[0] == losing
        assert by_size == window_counts(weights, cap, True, "table")
    totals = window_counts(weights, cap, False)
    assert totals[0] == [sum(losing)]
    assert {v: [sum(c)] for v, c in by_size[1].items()} == totals[1]


def test_a_thousand_members_with_small_weights() -> None:
    # exact Shapley-Shubik and Banzhaf of 1,000 members with weights 1..10: the values of members
    # of equal weight are equal, Shapley-Shubik sums to exactly 1, heavier is never weaker, and the
    # Banzhaf-only path (one table over weights) agrees with the sizes of the recurrence
    rng = np.random.default_rng(1000)
    weights = rng.integers(1, 11, 1000).tolist()
    quota = sum(weights) // 2 + 1
    assert estimate(weights, quota).way == "recurrence"
    p = voting_power(make_rule([float(w) for w in weights], float(quota)))
    assert p.method == "generating"
    values = Counter(zip(p.shapley_shubik, p.banzhaf, strict=True))  # summed per distinct value
    assert sum(k * ss for (ss, _), k in values.items()) == 1
    assert sum(k * bz for (_, bz), k in values.items()) == 1
    by_weight: dict[int, set[Fraction]] = {}
    for w, ss in zip(weights, p.shapley_shubik, strict=True):
        by_weight.setdefault(w, set()).add(ss)
    assert all(len(values) == 1 for values in by_weight.values())
    ordered = [next(iter(by_weight[w])) for w in sorted(by_weight)]
    assert ordered == sorted(ordered) and ordered[0] > 0
    totals = weighted_swings(weights, quota, by_size=False)
    assert [r[0] for r in totals] == list(p.swings)
    assert max(p.swings) > 2**900  # exact integers far beyond 64 bits
    assert p.to_dict()["members"]["m0"]["shapley_shubik_exact"] == str(p.shapley_shubik[0])


def test_two_hundred_members_banzhaf_matches_powerindex() -> None:
    rng = np.random.default_rng(200)
    weights = rng.integers(1, 30, 200).tolist()
    quota = sum(weights) // 2 + 1
    p = voting_power(make_rule([float(w) for w in weights], float(quota)))
    assert sum(p.shapley_shubik) == 1
    game = powerindex.Game(quota, weights)
    game.calc_banzhaf()
    np.testing.assert_allclose([float(x) for x in p.banzhaf], game.banzhaf, rtol=1e-12)
    totals = weighted_swings(weights, quota, by_size=False)
    assert [r[0] for r in totals] == list(p.swings)


def test_forty_eight_equal_members() -> None:
    # [k; 1 x 48]: every member swings the C(47, k - 1) coalitions of k - 1 others; all equal
    for k in (1, 25, 33, 48):
        p = voting_power(make_rule([1.0] * 48, float(k)))
        assert p.swings == (math.comb(47, k - 1),) * 48
        assert p.shapley_shubik == (Fraction(1, 48),) * 48
        assert p.swings_by_size[0][k - 1] == math.comb(47, k - 1)


def test_long_exact_fractions_are_printed() -> None:
    big = 10**5000 + 12345
    assert fraction_text(Fraction(big, 7)) == "1" + "0" * 4995 + "12345/7"
    assert fraction_text(Fraction(-big)) == "-1" + "0" * 4995 + "12345"
    assert fraction_text(Fraction(421, 2145)) == "421/2145"
