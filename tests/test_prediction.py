"""Vote prediction: the ordered-logit vote model, exact result probabilities (checked against
enumerating every profile), pivotal members, and prediction on a scenario's draft."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from institutions_strategies import any_rules
from zopa import app
from zopa.errors import UsageError
from zopa.institutions.bodies import builtin_body
from zopa.institutions.prediction import (
    VoteModel,
    VotePrediction,
    ordered_logit,
    result_distribution,
    swing_probability,
)
from zopa.institutions.prediction import predict_vote as predict
from zopa.institutions.rules import ADOPTED, FAILED, VETOED, DecisionRule, decide
from zopa.scenario.arrays import draft_arrays, to_arrays
from zopa.scenario.schema import Scenario, Vote


def brute_force(rule: DecisionRule, probs: np.ndarray) -> tuple[float, float, float]:
    """P(adopted), P(failed), P(vetoed) by listing all 4^n profiles."""
    profiles = np.array(list(itertools.product(range(4), repeat=rule.n)), dtype=np.int8)
    weight = np.prod(probs[np.arange(rule.n), profiles], axis=1)
    result, _ = decide(rule, profiles)
    return tuple(float(weight[result == r].sum()) for r in (ADOPTED, FAILED, VETOED))  # type: ignore[return-value]


probabilities = st.integers(0, 2**32 - 1).map(
    lambda seed: np.random.default_rng(seed).dirichlet(np.ones(4) * 0.7, size=8)
)


@settings(max_examples=80, deadline=None)
@given(any_rules(max_n=6), probabilities)
def test_exact_distribution_equals_enumeration(rule: DecisionRule, probs: np.ndarray) -> None:
    probs = probs[: rule.n]
    dist = result_distribution(rule, probs)
    expected = brute_force(rule, probs)
    assert (dist.adopted, dist.failed, dist.vetoed) == pytest.approx(expected, abs=1e-12)
    assert dist.adopted + dist.failed + dist.vetoed == pytest.approx(1.0)
    assert sum(dist.veto_sets.values()) == pytest.approx(dist.vetoed)
    for holder, p in dist.vetoed_by.items():
        assert rule.veto[rule.index([holder])[0]] and p <= dist.vetoed + 1e-12


@settings(max_examples=60, deadline=None)
@given(any_rules(max_n=6), probabilities, st.data())
def test_more_yes_never_lowers_adoption(rule: DecisionRule, probs: np.ndarray, data: Any) -> None:
    probs = probs[: rule.n].copy()
    i = data.draw(st.integers(0, rule.n - 1))
    before = result_distribution(rule, probs).adopted
    probs[i] = (probs[i, 0] + probs[i, 1], 0.0, probs[i, 2], probs[i, 3])  # no -> yes
    assert result_distribution(rule, probs).adopted >= before - 1e-12


def test_security_council_certain_votes_and_pivots() -> None:
    rule = DecisionRule.from_body(builtin_body("un-security-council"))
    probs = np.tile([1.0, 0.0, 0.0, 0.0], (15, 1))
    us = rule.index(["US"])[0]
    swing = swing_probability(rule, probs)
    assert swing[rule.veto].tolist() == [1.0] * 5  # every permanent member decides
    assert swing[~rule.veto].tolist() == [0.0] * 10  # 14 yes: no elected member decides
    probs[us] = (0.0, 1.0, 0.0, 0.0)
    dist = result_distribution(rule, probs)
    assert dist.vetoed == 1.0 and dist.vetoed_by == {"US": 1.0}
    probs[us] = (0.0, 0.0, 1.0, 0.0)  # abstention: no veto (Art. 27(3) practice)
    assert result_distribution(rule, probs).adopted == 1.0


def test_security_council_independent_votes() -> None:
    # P5 members each vote no with probability 0.1 (else yes); elected members yes with 0.7
    # (else abstain). Adopted: all P5 yes and >= 4 elected yes. Vetoed: k < 5 P5 yes and
    # >= 9 - k elected yes. Binomial sums written out independently of the code under test.
    rule = DecisionRule.from_body(builtin_body("un-security-council"))
    probs = np.array([[0.9, 0.1, 0.0, 0.0]] * 5 + [[0.7, 0.0, 0.3, 0.0]] * 10)

    def binom(n: int, p: float, k: int) -> float:
        return math.comb(n, k) * p**k * (1 - p) ** (n - k)

    def elected_at_least(k: int) -> float:
        return sum(binom(10, 0.7, j) for j in range(max(k, 0), 11))

    dist = result_distribution(rule, probs)
    assert dist.adopted == pytest.approx(0.9**5 * elected_at_least(4), rel=1e-12)
    vetoed = sum(binom(5, 0.9, k) * elected_at_least(9 - k) for k in range(5))
    assert dist.vetoed == pytest.approx(vetoed, rel=1e-12)
    us_no = sum(binom(4, 0.9, k) * 0.1 * elected_at_least(9 - k) for k in range(5))
    assert dist.vetoed_by["US"] == pytest.approx(us_no, rel=1e-12)


def test_ordered_logit_shape() -> None:
    model = VoteModel()
    support = np.array([-0.5, -0.05, 0.0, 0.05, 0.5])
    p = ordered_logit(support, np.ones(5), model)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert (np.diff(p[:, 0]) > 0).all() and (np.diff(p[:, 1]) < 0).all()
    assert p[2, 0] == pytest.approx(p[2, 1])  # indifferent: yes and no equally likely
    low = ordered_logit(np.zeros(1), np.zeros(1), model)
    assert low[0, 2] > p[2, 2]  # an issue that matters little: more abstention


def test_model_parameters_are_checked() -> None:
    with pytest.raises(UsageError):
        VoteModel(beta=0)
    with pytest.raises(UsageError):
        VoteModel(default=(0.5, 0.5, 0.5))


def scenario(relations: list[dict[str, Any]] | None = None) -> Scenario:
    """Three actors on one issue: A wants 1, B wants 0, C is lukewarm about 1; the draft moves
    the issue from 0 to 1. D, a member of the body, is no actor."""
    return Scenario.model_validate({
        "meta": {"title": "t", "as_of": "2024-03-20"},
        "actors": [{"id": a, "name": a, "capability": 1} for a in "ABC"],
        "issues": [{"id": "x", "name": "x", "range": [0, 1]}],
        "positions": {"A": {"x": {"ideal": 1, "salience": 1}},
                      "B": {"x": {"ideal": 0, "salience": 1}},
                      "C": {"x": {"ideal": 0.52, "salience": 0.2}}},
        "relations": relations or [],
        "bodies": [{"id": "council", "name": "c", "rule": {"quota": 2, "veto": ["b"]},
                    "members": [{"id": "a", "actor": "A"}, {"id": "b", "actor": "B"},
                                {"id": "c", "actor": "C"}, {"id": "d"}]}],
        "status_quo": {"x": 0},
        "drafts": [{"id": "d1", "body": "council", "point": {"x": 1}}],
    })


def predict_vote(
    s: Scenario, body: str, draft: str, fixed: dict[str, Vote] | None = None,
    model: VoteModel | None = None,
) -> VotePrediction:
    """The domain function on the arrays of ``s`` (as :func:`zopa.app.predict_vote` calls it)."""
    arrays = to_arrays(s)
    rule = DecisionRule.from_body(s.body(body))
    return predict(arrays, rule, draft_arrays(s, arrays, draft), fixed, model)


def test_predict_vote_on_a_draft() -> None:
    pred = predict_vote(scenario(), "council", "d1")
    by = {m.member: m for m in pred.members}
    assert by["a"].gain == pytest.approx(1.0) and by["b"].gain == pytest.approx(-1.0)
    assert by["a"].probabilities[0] > 0.99 and by["b"].probabilities[1] > 0.99
    assert by["d"].basis == "default" and by["d"].probabilities[:3] == VoteModel().default
    assert by["c"].probabilities[2] > 0.5  # low salience, small gain: likely abstains
    # a and d (default yes 0.6) reach the quota of 2 more often than not; b's no then vetoes
    assert pred.result.vetoed > 0.5 and set(pred.result.vetoed_by) == {"b"}
    assert pred.result.adopted < 0.01
    assert pred.pivotal()[0] == "b"
    data = app.predict_vote(scenario(), "d1", body="council").to_json()
    assert data["result"]["adopted"] == pytest.approx(pred.result.adopted)
    assert data["members"]["b"]["no"] == pytest.approx(by["b"].probabilities[1])


def test_fixing_a_vote_is_a_counterfactual() -> None:
    pred = predict_vote(scenario(), "council", "d1", fixed={"b": Vote.abstain})
    assert pred.result.vetoed == 0.0
    assert pred.result.adopted > 0.0
    with pytest.raises(UsageError, match="not a member"):
        predict_vote(scenario(), "council", "d1", fixed={"zz": Vote.yes})


def test_pressure_moves_a_member() -> None:
    alone = {m.member: m for m in predict_vote(scenario(), "council", "d1").members}
    pressed = predict_vote(
        scenario([{"from": "A", "to": "C", "kind": "pressure", "strength": 0.8}]), "council", "d1"
    )
    after = {m.member: m for m in pressed.members}
    assert after["c"].support > alone["c"].support  # type: ignore[operator]
    assert after["c"].probabilities[0] > alone["c"].probabilities[0]


def test_unknown_draft_and_missing_status_quo() -> None:
    with pytest.raises(UsageError, match="unknown draft"):
        predict_vote(scenario(), "council", "nope")
