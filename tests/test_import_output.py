"""Shared last step of the importers: ids, validation, YAML."""

from __future__ import annotations

import pytest
import yaml

from zopa.errors import ScenarioError, UsageError
from zopa.importers.output import make_ids, validated_yaml
from zopa.scenario.schema import Scenario


def test_make_ids_are_valid_distinct_and_ordered() -> None:
    ids = make_ids(["Côte d'Ivoire", "Côte d'Ivoire", "  ", "2nd party", "x" * 80], "actor")
    assert ids == ["C_te_d_Ivoire", "C_te_d_Ivoire_2", "actor", "actor_2nd_party", "x" * 60]


DOC = {
    "meta": {"title": "t", "as_of": "2024-01-01"},
    "actors": [{"id": "a", "name": "A", "capability": 1}],
    "issues": [{"id": "x", "name": "X", "range": [0, 1]}],
    "positions": {"a": {"x": {"ideal": 0.5, "salience": 1}}},
}


def test_validated_yaml_round_trips() -> None:
    text = validated_yaml(DOC, "in.csv", "# header\n")
    assert text.startswith("# header\n")
    assert Scenario.model_validate(yaml.safe_load(text)).actor("a").capability.value == 1


def test_validated_yaml_names_the_input_file() -> None:
    bad = {**DOC, "positions": {"a": {"y": {"ideal": 0.5, "salience": 1}}}}
    with pytest.raises(ScenarioError) as err:
        validated_yaml(bad, "in.csv", "")
    assert str(err.value).startswith("in.csv: positions.a.y: unknown issue 'y'")


def test_scenario_lookups_name_the_known_ids() -> None:
    s = Scenario.model_validate(DOC)
    with pytest.raises(UsageError, match=r"unknown body 'unsc' \(known: none\)"):
        s.body("unsc")
    with pytest.raises(UsageError, match=r"unknown actor 'b' \(known: a\)"):
        s.actor("b")


def test_validated_yaml_names_every_invalid_field() -> None:
    """pydantic's summary ("1 validation error for Scenario") named no field."""
    bad = {**DOC, "actors": [{"id": "a", "name": "A", "capability": float("inf")},
                             {"id": "b", "name": "", "capability": 1}]}
    with pytest.raises(ScenarioError) as err:
        validated_yaml(bad, "in.csv", "")
    paths = {p.path for p in err.value.problems}
    assert "actors.0.capability" in " ".join(paths) and "actors.1.name" in paths
    assert "validation error" not in str(err.value)


def test_make_ids_is_linear_and_keeps_ids_short() -> None:
    ids = make_ids(["a", "a_2", "a", *["b" * 70] * 1500], "actor")
    assert ids[:3] == ["a", "a_2", "a_3"]
    assert len(set(ids)) == len(ids) and max(map(len, ids)) <= 64
