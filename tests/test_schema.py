"""Valid scenarios: loading, JSON = YAML, cited numbers, option names, JSON Schema, round trips.

The property tests draw random valid scenarios from tests/strategies.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import scenario_dicts
from zopa.errors import ScenarioError
from zopa.scenario import Scenario, load_scenario, to_arrays
from zopa.scenario.checks import check_scenario, unsourced
from zopa.scenario.document import parse_document, read_document
from zopa.scenario.loader import scenario_from_document
from zopa.scenario.schema import Cited, Prefers, Role
from zopa.utility import LESS, MORE, PEAKED

VALID = Path(__file__).parent / "data" / "valid"


def test_every_valid_file_loads(valid_dir: Path) -> None:
    files = sorted(valid_dir.iterdir())
    assert len(files) >= 3
    for path in files:
        assert isinstance(load_scenario(path), Scenario), path


def test_bargaining_scenario_content() -> None:
    s = load_scenario(VALID / "bargaining.yaml")
    assert [a.id for a in s.actors] == ["north", "south", "broker"]
    assert s.actor("broker").role == Role.mediator
    assert s.issue("pause").bounds == (0.0, 12.0)
    assert s.issue("exchange").bounds == (0.0, 2.0)
    assert s.positions["north"]["exchange"].prefers == Prefers.more
    assert s.bodies[0].rule.veto == ["m1"]
    assert s.events[1].votes is not None
    assert {m: v.value for m, v in s.events[1].votes.items()} == {
        "m1": "yes", "m2": "yes", "m3": "abstain"  # YAML 1.1 would read yes as true
    }
    assert s.meta.as_of.isoformat() == "2024-03-17"


def test_json_and_yaml_give_the_same_scenario() -> None:
    assert load_scenario(VALID / "bargaining.json") == load_scenario(VALID / "bargaining.yaml")


def test_bare_and_cited_numbers() -> None:
    s = load_scenario(VALID / "bargaining.yaml")
    north, south, broker = s.actors
    assert north.capability == Cited(value=60.0, source="src-a")
    assert south.capability == Cited(value=25.0)  # a bare number
    assert south.batna == Cited(value=0.2, estimate=True, note="guess")
    assert broker.batna == Cited(value=0.0)  # the default: no agreement is worth nothing
    # unsourced() lists bare numbers that are not marked as estimates
    missing = unsourced(s)
    assert ("actors", 1, "capability") in missing
    assert ("actors", 1, "batna") not in missing
    assert ("actors", 0, "capability") not in missing


def test_option_names_and_indices_are_the_same_points() -> None:
    a = to_arrays(load_scenario(VALID / "bargaining.yaml"))
    j = a.issue_ids.index("exchange")
    # north: ideal full (name), red line partial (name); south: ideal 0, red line 2 (indices)
    assert a.ideal[:, j].tolist() == [2.0, 0.0, 1.0]
    assert a.red_line[0, j] == 1.0 and a.red_line[1, j] == 2.0
    assert a.options[j] == ("none", "partial", "full")
    assert a.prefers[0].tolist() == [LESS, MORE] and a.prefers[2].tolist() == [PEAKED, PEAKED]


def test_minimal_scenario_defaults() -> None:
    s = load_scenario(VALID / "minimal.yaml")
    assert s.relations == [] and s.bodies == [] and s.events == [] and s.sources == []
    a = to_arrays(s)
    assert a.ideal.shape == (1, 1) and math.isnan(a.ideal[0, 0]) and a.salience[0, 0] == 0.0


def test_json_schema_names_the_sections() -> None:
    schema = Scenario.model_json_schema(by_alias=True)
    text = json.dumps(schema, allow_nan=False)
    assert json.loads(text) == schema
    sections = {"meta", "actors", "issues", "positions", "relations", "bodies", "events", "sources"}
    assert sections <= set(schema["properties"])
    assert set(schema["required"]) == {"meta", "issues"}  # a voting record has no actors
    assert schema["additionalProperties"] is False
    relation = schema["$defs"]["Relation"]["properties"]
    assert "from" in relation and "to" in relation  # the names a file uses
    assert schema["$defs"]["Meta"]["properties"]["as_of"]["format"] == "date"


@pytest.mark.parametrize("name", ["bargaining.yaml", "minimal.yaml"])
def test_round_trip(name: str) -> None:
    s = load_scenario(VALID / name)
    assert Scenario.model_validate(s.model_dump(by_alias=True)) == s
    # ... and through JSON text, as `zopa` writes scenarios
    text = json.dumps(s.model_dump(by_alias=True, mode="json"), allow_nan=False)
    assert Scenario.model_validate(json.loads(text)) == s


def _load_dict(data: dict[str, Any], *, as_json: bool) -> Scenario:
    """Load a scenario dict the way a file is loaded: as YAML or JSON text."""
    raw = json.dumps(data) if as_json else yaml.safe_dump(data, sort_keys=False)
    return scenario_from_document(parse_document(raw.encode(), "random", as_json=as_json))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenario_dicts(), as_json=st.booleans())
def test_random_valid_scenarios_load(data: dict[str, Any], as_json: bool) -> None:
    s = _load_dict(data, as_json=as_json)
    assert check_scenario(s) == []
    assert Scenario.model_validate(s.model_dump(by_alias=True)) == s
    a = to_arrays(s)
    n, m = len(data["actors"]), len(data["issues"])
    assert a.ideal.shape == a.salience.shape == a.red_line.shape == a.prefers.shape == (n, m)
    assert a.capability.shape == a.batna.shape == a.is_party.shape == (n,)
    assert a.lo.shape == a.hi.shape == (m,)
    assert np.all(a.lo < a.hi)
    assert np.all(a.capability > 0) and np.all((a.batna >= 0) & (a.batna <= 1))
    assert np.all((a.salience >= 0) & (a.salience <= 1))
    has = a.has_position
    assert has.sum() == sum(len(stances) for stances in data["positions"].values())
    assert has.any(axis=1).all()  # the strategy gives every actor a position
    lo, hi = np.broadcast_to(a.lo, (n, m)), np.broadcast_to(a.hi, (n, m))
    assert np.all((a.ideal[has] >= lo[has]) & (a.ideal[has] <= hi[has]))
    red = ~np.isnan(a.red_line)
    assert not np.any(red & ~has)
    assert np.all((a.red_line[red] >= lo[red]) & (a.red_line[red] <= hi[red]))
    # red lines on the side the actor concedes towards
    assert np.all(a.red_line[red & (a.prefers == MORE)] <= a.ideal[red & (a.prefers == MORE)])
    assert np.all(a.red_line[red & (a.prefers == LESS)] >= a.ideal[red & (a.prefers == LESS)])
    for j, names in enumerate(a.options):
        if names is not None:
            values = a.ideal[has[:, j], j]
            assert np.all(values == np.round(values))


@settings(max_examples=30, deadline=None)
@given(data=scenario_dicts(extras=False, red_lines=False, options=False))
def test_random_scenarios_normalise_into_the_unit_box(data: dict[str, Any]) -> None:
    a = to_arrays(Scenario.model_validate(data))
    ideal = a.normalise(a.ideal)[a.has_position]
    assert np.all((ideal >= 0) & (ideal <= 1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("salience", True, "must be a number, not true"),
        ("salience", "0.5", None),  # text that is a number is read as the number
        ("ideal", None, "must be a number or an option name, not empty (null)"),
    ],
)
def test_position_values(field: str, value: Any, message: str | None) -> None:
    data = read_document(VALID / "minimal.yaml").data
    position: dict[str, Any] = {"ideal": 0.5, "salience": 0.5}
    position[field] = value
    data["positions"] = {"solo": {"price": position}}
    raw = json.dumps(data).encode()
    if message is None:
        s = scenario_from_document(parse_document(raw, "x.json", as_json=True))
        assert getattr(s.positions["solo"]["price"], field) == 0.5
        return
    with pytest.raises(ScenarioError) as info:
        scenario_from_document(parse_document(raw, "x.json", as_json=True))
    expected = f"x.json:1: positions.solo.price.{field}: {message}"  # one line of JSON
    assert [str(p) for p in info.value.problems] == [expected]
