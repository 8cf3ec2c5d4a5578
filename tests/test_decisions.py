"""From the vote to the table: effects of a decision on the scenario, counterfactual results,
and the commands `power`, `vote`, `compare-decision` and the `--decision` option."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from zopa.app import compare_decision, prepare
from zopa.cli.app import app
from zopa.errors import UsageError
from zopa.institutions.decisions import decision_results
from zopa.params import parse_key_values
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.loader import load_scenario
from zopa.scenario.schema import Effect, Scenario, VoteResult
from zopa.timeline.effects import apply, compile_effect
from zopa.timeline.state import State

runner = CliRunner()


def data() -> dict[str, Any]:
    """Israel-Hamas-like talks on two issues, a three-member council with one veto holder, and a
    vote whose adoption raises Hamas's BATNA and US pressure on Israel."""
    return {
        "meta": {"title": "council and talks", "as_of": "2024-03-20"},
        "actors": [
            {"id": "isr", "name": "Israel", "capability": 60, "batna": 0.5},
            {"id": "ham", "name": "Hamas", "capability": 30, "batna": 0.3},
            {"id": "usa", "name": "United States", "capability": 80, "role": "mediator"},
        ],
        "issues": [
            {"id": "days", "name": "ceasefire days", "range": [0, 180]},
            {"id": "end", "name": "end of war", "options": ["none", "talks", "guaranteed"]},
        ],
        "positions": {
            "isr": {"days": {"ideal": 42, "salience": 0.6, "red_line": 90},
                    "end": {"ideal": "none", "salience": 0.8}},
            "ham": {"days": {"ideal": 180, "salience": 0.5, "prefers": "more"},
                    "end": {"ideal": "guaranteed", "salience": 1.0}},
            "usa": {"days": {"ideal": 60, "salience": 0.7},
                    "end": {"ideal": "talks", "salience": 0.4}},
        },
        "relations": [{"from": "usa", "to": "isr", "kind": "pressure", "strength": 0.4}],
        "bodies": [{
            "id": "council", "name": "Council",
            "members": [{"id": "us", "actor": "usa"}, {"id": "m2"}, {"id": "m3"}],
            "rule": {"quota": 2, "veto": ["us"]},
        }],
        "status_quo": {"days": 0, "end": "none"},
        "drafts": [{"id": "res1", "body": "council", "point": {"days": 30}}],
        "events": [{
            "id": "vote1", "date": "2024-03-25", "type": "vote", "title": "Council vote",
            "body": "council", "draft": "res1",
            "votes": {"us": "abstain", "m2": "yes", "m3": "yes"}, "result": "adopted",
            "effects": [{"target": "salience", "actor": "isr", "issue": "days", "delta": 0.1,
                         "estimate": True}],
            "effects_if": {
                "adopted": [
                    {"target": "batna", "actor": "ham", "delta": 0.05, "estimate": True},
                    {"target": "relation", "actor": "usa", "to": "isr", "kind": "pressure",
                     "delta": 0.1, "estimate": True},
                ],
                "vetoed": [
                    {"target": "batna", "actor": "ham", "delta": -0.02, "estimate": True},
                    {"target": "relation", "actor": "usa", "to": "ham", "kind": "pressure",
                     "set": 0.3, "estimate": True},
                ],
            },
        }],
    }


def effect(**fields: Any) -> Effect:
    return Effect.model_validate(fields)


@pytest.fixture
def scenario() -> Scenario:
    return Scenario.model_validate(data())


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data(), sort_keys=False))
    return path


def after(scenario: Scenario, result: str | VoteResult) -> ScenarioArrays:
    return prepare(scenario, {"vote1": result}).arrays


def test_adopted_and_vetoed_apply_their_effects(scenario: Scenario) -> None:
    adopted, vetoed = after(scenario, "adopted"), after(scenario, VoteResult.vetoed)
    base = prepare(scenario).arrays
    ham, isr, usa = 1, 0, 2
    # Hamas's BATNA: the vote's own effect; adopted: +0.05; vetoed: -0.02, then the new US
    # pressure on Hamas (0 -> 0.3) lowers it by 0.25 * 0.3 * 80 / (80 + 30)
    assert adopted.batna[ham] == pytest.approx(0.35)
    assert vetoed.batna[ham] == pytest.approx(0.28 - 0.25 * 0.3 * 80 / 110)
    for a in (adopted, vetoed):  # `effects` apply whatever the result
        assert a.salience[isr, 0] == pytest.approx(0.7)
    pressure = adopted.relation("pressure")
    assert pressure[usa, isr] == pytest.approx(0.5)
    # more US pressure: Israel's BATNA falls and its ideal points move toward the US's
    assert adopted.batna[isr] == pytest.approx(0.5 - 0.25 * 0.1 * 80 / 140)
    assert base.ideal[isr, 0] < adopted.ideal[isr, 0] < base.ideal[usa, 0]
    assert vetoed.relation("pressure")[usa, ham] == 0.3  # a relation the vote creates
    assert prepare(scenario, {"vote1": "vetoed"}).scenario.events[0].result == VoteResult.vetoed
    assert scenario.actor("ham").batna.value == 0.3  # the input is unchanged


def applied(scenario: Scenario, **fields: Any) -> ScenarioArrays:
    state = State.from_arrays(prepare(scenario).arrays)
    apply(state, compile_effect(scenario, effect(**fields), "test"))
    return state.arrays()


def test_effects_stay_on_scale(scenario: Scenario) -> None:
    assert applied(scenario, target="batna", actor="isr", delta=0.9).batna[0] == 1.0
    moved = applied(scenario, target="ideal", actor="isr", issue="end", delta=1.4)
    assert moved.ideal[0, 1] == 1.0  # options move by whole steps: none -> talks
    red = applied(scenario, target="red_line", actor="isr", issue="days", set=120)
    assert red.red_line[0, 0] == 120.0
    with pytest.raises(UsageError, match="capability"):
        applied(scenario, target="capability", actor="isr", delta=-100)
    with pytest.raises(UsageError, match="no position"):
        applied(scenario, target="ideal", actor="usa", issue="nope", set=1)
    with pytest.raises(UsageError, match="no red_line"):
        applied(scenario, target="red_line", actor="ham", issue="days", delta=5)


def test_results_to_compare(scenario: Scenario) -> None:
    assert decision_results(scenario, "vote1") == [VoteResult.adopted, VoteResult.vetoed]
    with pytest.raises(UsageError, match="unknown event"):
        prepare(scenario, {"nope": "adopted"})
    with pytest.raises(UsageError, match="unknown result"):
        prepare(scenario, {"vote1": "passed"})
    with pytest.raises(UsageError, match="after the as-of date"):
        prepare(scenario, {"vote1": "adopted"}, as_of="2024-03-21")
    with pytest.raises(UsageError, match="before the scenario's base date"):
        prepare(scenario, as_of="2024-03-01")


def test_compare_decision_side_by_side(scenario: Scenario) -> None:
    out = compare_decision(scenario, "vote1", model="compromise").to_json()
    assert out["results"] == ["adopted", "vetoed"]
    a, v = out["variants"]["adopted"], out["variants"]["vetoed"]
    assert a["parties"]["ham"]["batna"] == pytest.approx(0.35)
    assert v["parties"]["ham"]["batna"] == pytest.approx(0.28 - 0.25 * 0.3 * 80 / 110)
    assert any("batna +0.05" in e for e in a["effects"])


def test_decision_option_parsing(scenario: Scenario) -> None:
    assert parse_key_values(["vote1=Vetoed"], "--decision") == {"vote1": "Vetoed"}
    after = prepare(scenario, {"vote1": "Vetoed"}).scenario
    assert next(e for e in after.events if e.id == "vote1").result == VoteResult.vetoed
    assert prepare(scenario, {}).scenario is scenario
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_key_values(["vote1"], "--decision")
    with pytest.raises(UsageError, match="given twice"):
        parse_key_values(["vote1=adopted", "vote1=vetoed"], "--decision")
    with pytest.raises(UsageError, match="unknown result"):
        prepare(scenario, {"vote1": "passed"})


def test_drafts_are_checked(tmp_path: Path) -> None:
    bad = data()
    bad["drafts"] = [{"id": "r", "point": {"days": 500, "zz": 1}}]
    bad["status_quo"] = {}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, sort_keys=False))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "drafts.0.point.days: point 500" in result.stderr
    assert "unknown issue 'zz'" in result.stderr
    assert "no status quo for issue 'days'" in result.stderr


def test_cli_power_vote_and_compare(scenario_file: Path) -> None:
    result = runner.invoke(app, ["power", "--builtin", "un-security-council", "--json"])
    assert result.exit_code == 0, result.stderr
    power = json.loads(result.stdout)
    assert power["members"]["US"]["shapley_shubik_exact"] == "421/2145"
    result = runner.invoke(app, ["power", str(scenario_file), "--json"])
    assert json.loads(result.stdout)["members"]["us"]["swings"] == 3

    result = runner.invoke(app, ["vote", str(scenario_file), "--event", "vote1", "--set", "us=no",
                                 "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["result"] == "vetoed" and out["vetoed_by"] == ["us"]
    assert out["recorded_result"] == "adopted"

    result = runner.invoke(app, ["vote", str(scenario_file), "--draft", "res1", "--json"])
    assert result.exit_code == 0, result.stderr
    pred = json.loads(result.stdout)
    total = sum(pred["result"][k] for k in ("adopted", "failed", "vetoed"))
    assert total == pytest.approx(1.0)
    assert pred["members"]["us"]["gain"] > 0  # 30 days beats none for the US

    result = runner.invoke(app, ["compare-decision", str(scenario_file), "--event", "vote1"])
    assert result.exit_code == 0, result.stderr
    assert "adopted (recorded)" in result.stdout and "vetoed" in result.stdout

    result = runner.invoke(app, ["vote", str(scenario_file), "--draft", "res1", "--set", "us=x"])
    assert result.exit_code == 2 and "'x' is not yes" in result.stderr


def test_bundled_example_votes() -> None:
    example = Path(__file__).parents[1] / "examples" / "gaza-2024-03.yaml"
    if not example.exists():
        pytest.skip("bundled example not present")
    s = load_scenario(example)
    votes = [e for e in s.events if e.body is not None and e.votes]
    assert len(votes) >= 2
    for event in votes:  # the recorded results follow from the recorded votes
        result = runner.invoke(app, ["vote", str(example), "--event", event.id, "--json"])
        out = json.loads(result.stdout)
        assert out["result"] == out["recorded_result"]


def test_decision_option_on_forecast_zone_and_negotiate(scenario_file: Path) -> None:
    batna = {}
    for result in ("adopted", "vetoed"):
        out = runner.invoke(app, ["forecast", str(scenario_file), "--decision", f"vote1={result}",
                                  "--json"])
        assert out.exit_code == 0, out.stderr
        batna[result] = json.loads(out.stdout)["evaluation"]["ham"]["batna"]
    assert batna == {"adopted": pytest.approx(0.35),
                     "vetoed": pytest.approx(0.28 - 0.25 * 0.3 * 80 / 110)}
    out = runner.invoke(app, ["zone", str(scenario_file), "-D", "vote1=vetoed", "--json"])
    assert out.exit_code == 0, out.stderr
    out = runner.invoke(app, ["negotiate", str(scenario_file), "-D", "vote1=vetoed", "--runs", "5",
                              "--json"])
    assert out.exit_code == 0, out.stderr
    out = runner.invoke(app, ["forecast", str(scenario_file), "-D", "vote1=passed"])
    assert out.exit_code == 2 and "unknown result" in out.stderr


def test_compare_decision_with_negotiations(scenario: Scenario) -> None:
    out = compare_decision(scenario, "vote1", negotiation_runs=20, seed=1).to_json()
    for variant in out["variants"].values():
        assert 0.0 <= variant["negotiation"]["agreement_rate"] <= 1.0
        assert variant["negotiation"]["runs"] == 20
