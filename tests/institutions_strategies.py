"""Hypothesis strategies and builders for voting bodies, shared by the institutions tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from zopa.institutions.rules import DecisionRule
from zopa.scenario.schema import Body


def make_rule(
    weights: list[float],
    quota: float,
    *,
    basis: str = "votes",
    veto: list[int] | None = None,
    abstention: str = "not_veto",
    populations: list[float] | None = None,
    population_quota: float | None = None,
    blocking_minority: int | None = None,
) -> DecisionRule:
    members: list[dict[str, Any]] = [
        {"id": f"m{i}", "weight": w} | ({"population": populations[i]} if populations else {})
        for i, w in enumerate(weights)
    ]
    rule: dict[str, Any] = {"quota": quota, "basis": basis, "abstention": abstention,
                            "veto": [f"m{i}" for i in (veto or [])]}
    if population_quota is not None:
        rule["population_quota"] = population_quota
    if blocking_minority is not None:
        rule["blocking_minority"] = blocking_minority
    return DecisionRule.from_body(
        Body.model_validate({"id": "B", "name": "body", "members": members, "rule": rule})
    )


@st.composite
def weighted_rules(draw: st.DrawFn, max_n: int = 9, veto: bool = True) -> DecisionRule:
    """Weighted games ``[q; w]`` with integer weights, optionally veto holders."""
    n = draw(st.integers(1, max_n))
    weights = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    quota = draw(st.integers(1, sum(weights)))
    holders = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=2)) if veto else []
    return make_rule([float(w) for w in weights], float(quota), veto=holders)


@st.composite
def any_rules(draw: st.DrawFn, max_n: int = 8) -> DecisionRule:
    """Any rule the format allows: each basis, vetoes, abstention semantics, double majority."""
    n = draw(st.integers(1, max_n))
    weights = [float(w) for w in draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))]
    basis = draw(st.sampled_from(["votes", "members", "present_and_voting"]))
    if basis == "votes":
        quota = float(draw(st.integers(1, int(sum(weights)))))
    else:
        quota = draw(st.sampled_from([0.5, 0.55, 2 / 3, 0.75, 1.0]))
    holders = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
    abstention = draw(st.sampled_from(["not_veto", "veto"]))
    double = draw(st.booleans())
    pops = [float(p) for p in draw(st.lists(st.integers(0, 90), min_size=n, max_size=n))]
    return make_rule(
        weights, quota, basis=basis, veto=holders, abstention=abstention,
        populations=pops if double else None,
        population_quota=draw(st.sampled_from([0.5, 0.65])) if double else None,
        blocking_minority=draw(st.sampled_from([None, 2, 4])) if double else None,
    )
