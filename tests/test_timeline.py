"""The timeline: events replayed in date order, branches, what each event moved, and the
properties of issue 11 (one by one equals all at once; an empty branch equals history)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zopa.app import compare, prepare, timeline
from zopa.cli.app import app
from zopa.errors import UsageError
from zopa.scenario.loader import load_scenario
from zopa.scenario.schema import Scenario
from zopa.timeline.history import compile_timeline
from zopa.timeline.state import CHANGEABLE, State

ROOT = Path(__file__).resolve().parent.parent
GAZA = ROOT / "examples" / "gaza-2024-03.yaml"
runner = CliRunner()


def base() -> dict[str, Any]:
    return {
        "meta": {"title": "t", "as_of": "2024-03-01"},
        "actors": [
            {"id": "a", "name": "A", "capability": 60, "batna": 0.4},
            {"id": "b", "name": "B", "capability": 40, "batna": 0.3},
            {"id": "m", "name": "M", "capability": 50, "role": "mediator"},
        ],
        "issues": [{"id": "x", "name": "X", "range": [0, 10]},
                   {"id": "y", "name": "Y", "options": ["no", "some", "all"]}],
        "positions": {
            "a": {"x": {"ideal": 2, "salience": 0.7, "red_line": 6},
                  "y": {"ideal": "no", "salience": 0.5, "red_line": "some"}},
            "b": {"x": {"ideal": 9, "salience": 0.6, "red_line": 4},
                  "y": {"ideal": "all", "salience": 0.9}},
            "m": {"x": {"ideal": 5, "salience": 0.5}, "y": {"ideal": "some", "salience": 0.5}},
        },
        "relations": [{"from": "m", "to": "a", "kind": "pressure", "strength": 0.3}],
    }


effects = st.one_of(
    st.builds(lambda who, d: {"target": "batna", "actor": who, "delta": d},
              st.sampled_from(["a", "b"]), st.floats(-0.5, 0.5)),
    st.builds(lambda who, v: {"target": "salience", "actor": who, "issue": "x", "set": v},
              st.sampled_from(["a", "b", "m"]), st.floats(0, 1)),
    st.builds(lambda who, d: {"target": "ideal", "actor": who, "issue": "x", "delta": d},
              st.sampled_from(["a", "b", "m"]), st.floats(-12, 12)),
    st.builds(lambda d: {"target": "red_line", "actor": "a", "issue": "y", "delta": d},
              st.integers(-2, 2)),
    st.builds(lambda kind, d: {"target": "relation", "actor": "m", "to": "a", "kind": kind,
                               "delta": d},
              st.sampled_from(["pressure", "influence", "patronage", "mediation", "alliance"]),
              st.floats(-1, 1)),
    st.builds(lambda f: {"target": "capability", "actor": "m", "delta": f}, st.floats(0, 50)),
)


def with_events(groups: list[list[dict[str, Any]]], **extra: Any) -> Scenario:
    data = base()
    data["events"] = [
        {"id": f"e{k}", "date": (dt.date(2024, 3, 2) + dt.timedelta(days=k)).isoformat(),
         "type": "statement", "title": f"event {k}", "effects": group}
        for k, group in enumerate(groups)]
    data.update(extra)
    return Scenario.model_validate(data)


def same(s1: State, s2: State) -> bool:
    return all(np.allclose(getattr(s1, f), getattr(s2, f), equal_nan=True, atol=1e-12)
               for f in CHANGEABLE)


@settings(max_examples=60, deadline=None)
@given(st.lists(effects, min_size=1, max_size=8))
def test_events_one_by_one_equal_all_at_once(found: list[dict[str, Any]]) -> None:
    one_by_one = compile_timeline(with_events([[e] for e in found])).final()
    at_once = compile_timeline(with_events([found])).final()
    assert same(one_by_one, at_once)


@settings(max_examples=40, deadline=None)
@given(st.lists(effects, min_size=2, max_size=6), st.integers(0, 5))
def test_replaying_to_a_date_then_on_equals_replaying_at_once(
        found: list[dict[str, Any]], cut: int) -> None:
    scenario = with_events([[e] for e in found])
    whole = compile_timeline(scenario)
    date = dt.date(2024, 3, 2) + dt.timedelta(days=min(cut, len(found) - 1))
    states = [state for _, state in whole.states()]
    cut_states = [state for _, state in whole.until(date).states()]
    assert same(cut_states[-1], states[len(cut_states) - 1])
    assert same(whole.final(), states[-1])


@settings(max_examples=30, deadline=None)
@given(st.lists(effects, max_size=5))
def test_a_branch_with_no_patch_equals_history(found: list[dict[str, Any]]) -> None:
    scenario = with_events([[e] for e in found],
                           branches=[{"id": "same", "title": "nothing changes"}])
    assert same(compile_timeline(scenario, "same").final(), compile_timeline(scenario).final())


def test_the_example_branches_without_patch_equal_history() -> None:
    scenario = load_scenario(GAZA)
    empty = scenario.model_copy(update={"branches": [
        *scenario.branches, *Scenario.model_validate(
            {**base(), "branches": [{"id": "empty", "title": "none"}]}).branches]})
    a = timeline(empty, branch="empty")
    b = timeline(empty)
    assert [r.point for r in a.rows] == [r.point for r in b.rows]


def test_events_apply_in_date_order_not_file_order() -> None:
    scenario = with_events([[{"target": "batna", "actor": "a", "set": 0.9}],
                            [{"target": "batna", "actor": "a", "set": 0.1}]])
    events = list(reversed(scenario.events))  # written late first
    flipped = scenario.model_copy(update={"events": events})
    assert compile_timeline(flipped).final().batna[0, 0] == pytest.approx(0.1)


def test_as_of_cuts_the_timeline_and_is_checked() -> None:
    scenario = with_events([[{"target": "batna", "actor": "a", "delta": 0.1}],
                            [{"target": "batna", "actor": "a", "delta": 0.1}]])
    assert prepare(scenario).arrays.batna[0] == pytest.approx(0.4)
    assert prepare(scenario, as_of="2024-03-02").arrays.batna[0] == pytest.approx(0.5)
    assert prepare(scenario, as_of=dt.date(2024, 3, 30)).arrays.batna[0] == pytest.approx(0.6)
    assert prepare(scenario, as_of="2024-03-02").header.as_of == "2024-03-02"
    for bad in ("2024-02-01", "March 2", "2024-13-01"):
        with pytest.raises(UsageError):
            prepare(scenario, as_of=bad)


def test_branch_patch_drop_move_add_votes_set() -> None:
    data = base()
    data["bodies"] = [{"id": "c", "name": "C", "members": [{"id": "u"}, {"id": "v"}],
                       "rule": {"quota": 2}}]
    data["events"] = [
        {"id": "talk", "date": "2024-03-05", "type": "talks", "title": "talks",
         "effects": [{"target": "batna", "actor": "a", "set": 0.7}]},
        {"id": "vote", "date": "2024-03-04", "type": "vote", "title": "vote", "body": "c",
         "result": "adopted",
         "effects_if": {"adopted": [{"target": "batna", "actor": "b", "delta": 0.1}],
                        "failed": [{"target": "batna", "actor": "b", "delta": -0.1}]}},
    ]
    data["branches"] = [
        {"id": "no_talks", "title": "no talks", "drop": ["talk"]},
        {"id": "fails", "title": "the vote fails", "votes": {"vote": "failed"}},
        {"id": "late", "title": "talks before vote, vote after", "move": {"talk": "2024-03-02"},
         "add": [{"id": "again", "date": "2024-03-03", "type": "talks", "title": "again",
                  "effects": [{"target": "batna", "actor": "a", "delta": -0.2}]}]},
        {"id": "start", "title": "stronger B", "set": [{"target": "capability", "actor": "b",
                                                        "set": 80}]},
    ]
    s = Scenario.model_validate(data)
    history = compile_timeline(s).final()
    assert history.batna[0, :2] == pytest.approx([0.7, 0.4])
    assert compile_timeline(s, "no_talks").final().batna[0, :2] == pytest.approx([0.4, 0.4])
    assert compile_timeline(s, "fails").final().batna[0, :2] == pytest.approx([0.7, 0.2])
    assert compile_timeline(s, "late").final().batna[0, :2] == pytest.approx([0.5, 0.4])
    assert compile_timeline(s, "start").final().capability[0, 1] == 80
    rows = timeline(s, branch="fails").rows
    assert [r.event for r in rows] == [None, "vote", "talk"]
    assert rows[1].result == "failed" and rows[1].fixed
    with pytest.raises(UsageError, match="unknown branch"):
        compile_timeline(s, "nope")


def test_moved_lists_what_each_event_changed() -> None:
    scenario = with_events([[{"target": "relation", "actor": "m", "to": "a",
                              "kind": "pressure", "delta": 0.4}]])
    rows = timeline(scenario).rows
    moved = {(c.target, c.actor, c.issue) for c in rows[1].moved}
    # the relation, A's BATNA (pressure) and A's ideal point on x (pulled toward M's 5)
    assert ("relation", "m", "pressure -> a") in moved
    assert ("batna", "a", None) in moved
    assert ("ideal", "a", "x") in moved
    change = next(c for c in rows[1].moved if c.target == "ideal" and c.issue == "x")
    assert change.before == 2 and 2 < (change.after or 0) < 5
    assert rows[0].moved == []


def test_relations_reach_the_forecast() -> None:
    """A change in pressure on a party changes the compromise forecast and its BATNA."""
    up = with_events([[{"target": "relation", "actor": "m", "to": "a", "kind": "pressure",
                        "delta": 0.5}]])
    before, after = timeline(up).rows
    assert before.point.forecast["x"] != after.point.forecast["x"]
    state = compile_timeline(up).final()
    assert state.batna[0, 0] == pytest.approx(0.4 - 0.25 * 0.5 * 50 / 110)


def test_pull_never_crosses_a_red_line_nor_moves_one() -> None:
    scenario = with_events([[{"target": "relation", "actor": "b", "to": "a", "kind": "influence",
                              "set": 1.0}]] * 3)
    data = copy.deepcopy(scenario.model_dump(mode="json", by_alias=True))
    data["actors"][1]["capability"] = 1e6  # B dominates: a full pull toward 9 on x
    final = compile_timeline(Scenario.model_validate(data)).final()
    assert final.red_line[0, 0, 0] == 6  # red lines move only by explicit effects
    assert final.ideal[0, 0, 0] <= 6  # A's ideal point stops at its red line


def test_compare_history_and_the_veto_branch_differ_in_forecasts() -> None:
    scenario = load_scenario(GAZA)
    names = ["history", *(b.id for b in scenario.branches)]
    result = compare(scenario, names)
    assert result.branches == names
    last = result.dates[-1]
    if "us_vetoes_2728" in names:
        assert last.states["history"].forecast != last.states["us_vetoes_2728"].forecast
    assert [d.date for d in result.dates] == sorted(d.date for d in result.dates)


def test_timeline_command_text_and_json(tmp_path: Path) -> None:
    out = runner.invoke(app, ["timeline", str(GAZA)])
    assert out.exit_code == 0, out.stderr
    assert "Events and what they moved" in out.stdout
    target = tmp_path / "t.json"
    out = runner.invoke(app, ["timeline", str(GAZA), "-o", str(target)])
    assert out.exit_code == 0
    assert '"format": "zopa.timeline/1"' in target.read_text()
    out = runner.invoke(app, ["timeline", str(GAZA), "--as-of", "2024-02-01"])
    assert out.exit_code == 2 and "before the scenario's base date" in out.stderr
    out = runner.invoke(app, ["compare", str(GAZA), "-b", "nope"])
    assert out.exit_code == 2 and "unknown branch" in out.stderr


def _outputs(scenario: Scenario, state: State) -> list[np.ndarray]:
    """What the models, the zone, the negotiation engine and the vote model read off a state."""
    from zopa.analysis.zone import analyse_zone
    from zopa.institutions.prediction import ORDERED_LOGIT, predict_vote
    from zopa.institutions.rules import DecisionRule
    from zopa.models.base import make_model
    from zopa.scenario.arrays import draft_arrays

    arrays = state.arrays()
    zone = analyse_zone(arrays)
    out = [make_model("compromise").run(arrays).final, make_model("median").run(arrays).final,
           np.array([zone.margin]), zone.shortfall, arrays.batna,
           np.array([(z.low, z.high) for z in zone.issues])]
    for draft in scenario.drafts:
        body = scenario.body(draft.body or scenario.bodies[0].id)
        p = predict_vote(arrays, DecisionRule.from_body(body),
                         draft_arrays(scenario, arrays, draft.id), {}, ORDERED_LOGIT.make({}))
        out.append(np.array([p.result.adopted]))
    return out


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")))
def test_every_declared_effect_changes_an_output(path: Path) -> None:
    """Each effect of every event and branch, applied alone to the state just before it, moves
    at least one number that a model, the zone, the negotiation or the vote model reads."""
    from zopa.timeline.effects import apply

    scenario = load_scenario(path)
    names = ["history", *(b.id for b in scenario.branches)]
    results = {r.value for e in scenario.events for r in e.effects_if}
    walked = 0
    for name in names:
        for result in [None, *results]:
            compiled = compile_timeline(scenario, name)
            if result is not None:  # the effects_if of every vote for this result
                votes = {e.id: result for e in scenario.events if e.body is not None
                         and e.date > scenario.meta.as_of}
                if not votes:
                    continue
                compiled = compile_timeline(scenario, name, dict(votes))
            states = [s for _, s in compiled.states()]
            for before, step in zip(states, compiled.steps, strict=False):
                for op in step.operations:
                    after = before.copy()
                    apply(after, op)
                    changed = [not np.allclose(a, b, equal_nan=True, atol=1e-12)
                               for a, b in zip(_outputs(scenario, before),
                                               _outputs(scenario, after), strict=True)]
                    assert any(changed), f"{name}: effect {op.key} changes no output"
                    walked += 1
    if any(e.effects or e.effects_if for e in scenario.events):
        assert walked > 0


def test_validate_warns_about_effects_nothing_reads(tmp_path: Path) -> None:
    import yaml

    data = base()
    data["actors"].append({"id": "far", "name": "Far", "capability": 5})
    data["events"] = [{"id": "e", "date": "2024-03-05", "type": "statement", "title": "e",
                       "effects": [{"target": "relation", "actor": "far", "to": "a",
                                    "kind": "influence", "delta": 0.2, "estimate": True}]}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = runner.invoke(app, ["validate", "-w", str(path)])
    assert out.exit_code == 0
    assert "events.0.effects.0: warning: nothing reads this effect" in out.stdout


def test_branches_from_a_separate_file(tmp_path: Path) -> None:
    good = tmp_path / "branches.yaml"
    good.write_text("branches:\n  - id: early\n    title: early bridge\n"
                    "    move: {us_bridging_proposal: 2024-03-21}\n")
    out = runner.invoke(app, ["compare", str(GAZA), "--branches", str(good), "-b", "history",
                              "-b", "early", "--json"])
    assert out.exit_code == 0, out.stderr
    assert '"early"' in out.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("branches:\n  - id: early\n    title: t\n    drop: [nope]\n"
                   "  - id: us_vetoes_2728\n    title: again\n")
    out = runner.invoke(app, ["timeline", str(GAZA), "--branches", str(bad)])
    assert out.exit_code == 2
    assert f"{bad}:4: branches.0.drop.0: unknown event 'nope'" in out.stderr
    assert "branches.1.id: duplicate id 'us_vetoes_2728'" in out.stderr


def test_monte_carlo_rows_do_not_depend_on_the_chunk_size() -> None:
    from zopa.app.uncertain import uncertain_rows
    from zopa.models.base import make_model

    compiled = compile_timeline(load_scenario(GAZA))
    runner = make_model("compromise")
    found = [uncertain_rows(compiled, runner, None, 21, 5, chunk=c) for c in (1, 7, 21)]
    assert found[0] == found[1] == found[2]
    assert found[0][0].draws == 21


def test_without_uncertainty_the_draws_give_the_point_answers() -> None:
    scenario = with_events([[{"target": "relation", "actor": "m", "to": "a",
                              "kind": "pressure", "delta": 0.3}]])
    result = timeline(scenario, samples=16, seed=3)
    assert result.inputs == []
    for row in result.rows:
        u = row.uncertain
        assert u is not None
        assert u.p_zopa.p == float(row.point.zopa) and u.p_zopa.se == 0
        for issue, interval in u.forecast.items():
            assert interval.low == interval.median == interval.high
            assert interval.median == pytest.approx(row.point.forecast[issue], abs=1e-5)
        assert {a: p.p for a, p in u.p_accept.items()} == {
            a: float(ok) for a, ok in row.point.accepts.items()}


def test_earlier_events_are_listed_as_in_the_base() -> None:
    rows = timeline(load_scenario(GAZA)).rows
    before = [r for r in rows if r.in_base]
    assert [r.event for r in before] == ["paris_framework", "hamas_proposal_0314",
                                         "israel_calls_unrealistic", "doha_round_opens"]
    assert all(r.point == rows[len(before)].point for r in before)
    assert len([r for r in rows if r.event]) == 11


def test_relation_strengths_can_be_uncertain() -> None:
    data = base()
    data["relations"][0]["uncertainty"] = {"dist": "uniform", "low": 0.1, "high": 0.5}
    compiled = compile_timeline(Scenario.model_validate(data))
    (spec,) = compiled.inputs
    assert (spec.target, spec.label) == ("relation", "pressure of m on a")
    from zopa.uncertainty.draws import sample

    state = compiled.final(sample(compiled.inputs, 0, 50, 1))
    strengths = state.relations[:, 0, 2, 0]  # pressure of m (2) on a (0)
    assert strengths.min() >= 0.1 and strengths.max() <= 0.5 and strengths.std() > 0
    data["relations"][0]["uncertainty"] = {"dist": "uniform", "low": 0.5, "high": 0.9}
    with pytest.raises(ValueError, match="does not contain the stated strength"):
        load_checked(data)


def load_checked(data: dict[str, Any]) -> Scenario:
    from zopa.scenario.checks import check_scenario

    scenario = Scenario.model_validate(data)
    found = check_scenario(scenario)
    if found:
        raise ValueError("; ".join(message for _, message in found))
    return scenario


def test_show_as_of_prints_the_replayed_numbers() -> None:
    out = runner.invoke(app, ["show", str(GAZA), "--as-of", "2024-03-24"], env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.stderr
    assert "(as of 2024-03-24)" in out.stdout
    from zopa.app.common import scenario_at

    later = scenario_at(load_scenario(GAZA), "2024-03-24")
    assert later.positions["israel"]["prisoners_per_hostage"].red_line == 20
    assert later.meta.as_of == dt.date(2024, 3, 24)


def test_gap_range_over_the_first_draws() -> None:
    result = timeline(load_scenario(GAZA), samples=12, seed=4, gap_draws=5, as_of="2024-03-22")
    for row in result.rows:
        u = row.uncertain
        assert u is not None and u.gap_draws == 5 and u.gap is not None
        assert u.gap.low is not None and u.gap.high is not None
        assert 0 <= u.gap.low <= u.gap.high
    with pytest.raises(UsageError, match="draws for the gap"):
        timeline(load_scenario(GAZA), samples=3, gap_draws=4)


def test_compare_sizes_the_draws_before_any_watcher_hears_of_them() -> None:
    """Too many draws are refused before the work starts: no watcher (progress bar, run store)
    is told of a run that never begins."""
    from zopa.app import compare
    from zopa.progress import Chunk

    class Told:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def started(self, total: int, unit: str, label: str) -> None:
            self.calls.append("started")

        def chunk_done(self, chunk: Chunk) -> None:
            self.calls.append("chunk")

        def finished(self) -> None:
            self.calls.append("finished")

    told = Told()
    with pytest.raises(UsageError, match="samples must be between 1 and 1,000,000"):
        compare(load_scenario(GAZA), ["history"], samples=10**12, progress=told)
    assert told.calls == []
