"""Decision rules and vote outcomes: the Security Council's March 2024 votes, EU QMV, present and
voting, abstention semantics, and the properties every rule must have (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from institutions_strategies import any_rules, make_rule
from zopa.errors import ScenarioError, UsageError
from zopa.institutions.bodies import builtin_body, builtin_names, load_body_file
from zopa.institutions.outcome import vote_outcome
from zopa.institutions.rules import ABSTAIN, ADOPTED, NO, VETOED, YES, DecisionRule, decide
from zopa.scenario.schema import VoteResult

P5 = ["CN", "FR", "RU", "GB", "US"]


def result(rule: DecisionRule, votes: dict[str, str]) -> VoteResult:
    return vote_outcome(rule, votes).result


@pytest.fixture(scope="module")
def unsc() -> DecisionRule:
    return DecisionRule.from_body(builtin_body("un-security-council"))


@pytest.fixture(scope="module")
def eu() -> DecisionRule:
    return DecisionRule.from_body(builtin_body("eu-council-qmv"))


def test_builtins_are_listed() -> None:
    assert {"un-security-council", "eu-council-qmv"} <= set(builtin_names())


def test_unsc_22_march_2024_us_draft_vetoed_by_russia_and_china(unsc: DecisionRule) -> None:
    # S/2024/239, 22 March 2024: 11 in favour, 3 against (Algeria, China, Russia), 1 abstention
    # (Guyana). UN press release SC/15634.
    votes = dict.fromkeys(unsc.member_ids, "yes")
    votes |= {"RU": "no", "CN": "no", "DZ": "no", "GY": "abstain"}
    out = vote_outcome(unsc, votes)
    assert out.result == VoteResult.vetoed
    assert set(out.vetoed_by) == {"RU", "CN"}
    assert out.tally == "11-3-1"


def test_unsc_resolution_2728_adopted_with_us_abstaining(unsc: DecisionRule) -> None:
    # S/RES/2728 (2024), 25 March 2024: 14 in favour, none against, United States abstaining
    # (UN press release SC/15637). A permanent member's abstention is not a veto (Art. 27(3)).
    votes = dict.fromkeys(unsc.member_ids, "yes") | {"US": "abstain"}
    out = vote_outcome(unsc, votes)
    assert out.result == VoteResult.adopted
    assert out.vetoed_by == ()
    assert out.tally == "14-0-1"
    assert vote_outcome(unsc, votes | {"US": "no"}).result == VoteResult.vetoed


def test_unsc_short_of_nine_fails_even_with_a_p5_no(unsc: DecisionRule) -> None:
    elected = [m for m in unsc.member_ids if m not in P5]
    votes = dict.fromkeys(unsc.member_ids, "abstain") | dict.fromkeys(elected[:8], "yes")
    votes["RU"] = "no"
    out = vote_outcome(unsc, votes)
    assert out.result == VoteResult.failed  # UN practice: not counted as a veto
    assert out.vetoed_by == ("RU",)


def test_absent_members_count_as_absent(unsc: DecisionRule) -> None:
    out = vote_outcome(unsc, dict.fromkeys(unsc.member_ids[:9], "yes"))
    assert out.result == VoteResult.adopted  # 5 P5 + 4 elected yes; 6 absent
    assert len(out.absent) == 6


def test_unanimity_abstention_is_a_veto() -> None:
    rule = make_rule([1, 1, 1], 2, veto=[0], abstention="veto")
    assert result(rule, {"m0": "abstain", "m1": "yes", "m2": "yes"}) == VoteResult.vetoed
    assert result(rule, {"m1": "yes", "m2": "yes"}) == VoteResult.vetoed  # absent
    rule = make_rule([1, 1, 1], 2, veto=[0], abstention="not_veto")
    assert result(rule, {"m0": "abstain", "m1": "yes", "m2": "yes"}) == VoteResult.adopted


def test_eu_qmv_blocking_minority_needs_four(eu: DecisionRule) -> None:
    # Germany, France and Italy hold more than 35 % of the population, but a blocking minority
    # needs at least four members (Art. 16(4) TEU): with three against, QMV is deemed attained.
    votes = dict.fromkeys(eu.member_ids, "yes") | {"DE": "no", "FR": "no", "IT": "no"}
    out = vote_outcome(eu, votes)
    assert out.population_share is not None and out.population_share < 0.65
    assert out.result == VoteResult.adopted
    assert vote_outcome(eu, votes | {"MT": "no"}).result == VoteResult.failed


def test_eu_qmv_member_quota_is_fifteen(eu: DecisionRule) -> None:
    big_first = list(eu.member_ids)  # the data lists members by population, largest first
    for k, result in ((14, VoteResult.failed), (15, VoteResult.adopted)):
        votes = dict.fromkeys(eu.member_ids, "no") | dict.fromkeys(big_first[:k], "yes")
        assert vote_outcome(eu, votes).result == result


def test_present_and_voting_ignores_abstentions() -> None:
    rule = make_rule([1, 1, 1, 1], 0.5, basis="present_and_voting")
    assert result(rule, {"m0": "yes", "m1": "no", "m2": "abstain"}) == VoteResult.adopted
    assert result(rule, {"m0": "yes", "m1": "no", "m2": "no"}) == VoteResult.failed
    assert result(rule, {"m0": "abstain"}) == VoteResult.failed


def test_weighted_votes_and_decimal_quota() -> None:
    rule = make_rule([0.1, 0.2, 0.3], 0.5, basis="members")  # need 0.3 of 0.6
    assert result(rule, {"m2": "yes"}) == VoteResult.adopted
    assert result(rule, {"m1": "yes", "m0": "yes"}) == VoteResult.adopted
    assert result(rule, {"m1": "yes"}) == VoteResult.failed
    assert rule.integer_weights == ((1, 2, 3), 10)
    assert rule.integer_quota() == 3


def test_bad_votes_and_members(unsc: DecisionRule) -> None:
    with pytest.raises(UsageError, match="not a member"):
        vote_outcome(unsc, {"XX": "yes"})
    with pytest.raises(UsageError, match="use yes, no"):
        vote_outcome(unsc, {"US": "maybe"})


def test_body_file_errors_are_located(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "b.yaml"
    path.write_text("body:\n  id: X\n  name: x\n  members: [{id: a}, {id: a}]\n"
                    "  rule: {quota: 1, veto: [zz]}\n")
    with pytest.raises(ScenarioError) as info:
        load_body_file(path)
    text = str(info.value)
    assert "duplicate id" in text and "not a member" in text and f"{path}:" in text


profiles = st.integers(0, 2**32 - 1)


@settings(max_examples=150, deadline=None)
@given(any_rules(), profiles)
def test_a_veto_holders_no_always_defeats_a_draft(rule: DecisionRule, seed: int) -> None:
    rng = np.random.default_rng(seed)
    votes = rng.integers(0, 4, (64, rule.n)).astype(np.int8)
    holders = np.flatnonzero(rule.veto)
    if holders.size == 0:
        return
    votes[:, rng.choice(holders)] = NO
    result, _ = decide(rule, votes)
    assert (result != ADOPTED).all()


@settings(max_examples=150, deadline=None)
@given(any_rules(), profiles)
def test_adding_a_yes_never_turns_adopted_into_failed(rule: DecisionRule, seed: int) -> None:
    rng = np.random.default_rng(seed)
    votes = rng.integers(0, 4, (64, rule.n)).astype(np.int8)
    who = rng.integers(0, rule.n, 64)
    more = votes.copy()
    more[np.arange(64), who] = YES
    before, _ = decide(rule, votes)
    after, _ = decide(rule, more)
    assert not ((before == ADOPTED) & (after != ADOPTED)).any()


@settings(max_examples=100, deadline=None)
@given(any_rules(), profiles)
def test_vetoed_needs_a_blocking_veto_holder(rule: DecisionRule, seed: int) -> None:
    rng = np.random.default_rng(seed)
    votes = rng.integers(0, 4, (64, rule.n)).astype(np.int8)
    result, vetoers = decide(rule, votes)
    assert (vetoers[result == VETOED].any(axis=1)).all()
    assert not (vetoers & ~rule.veto).any()
    if not rule.abstention_is_veto:
        assert not (vetoers & (votes == ABSTAIN)).any()
