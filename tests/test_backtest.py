"""Learning from the record (issue 12): record-only scenarios, sponsors and amendments, the
fitted vote model in `zopa vote`, `zopa vote fit`, `zopa backtest` and `zopa score`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from zopa import app
from zopa.cli.app import app as cli
from zopa.errors import UsageError
from zopa.institutions.record import sponsor_affinity, vote_record
from zopa.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "records" / "unsc-gaza-2023-2024.yaml"
GAZA = ROOT / "examples" / "gaza-2024-03.yaml"
runner = CliRunner()


def _record_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any], name: str = "record.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundled_backtest() -> Any:
    return app.backtest(load_scenario(RECORD), file=str(RECORD))


def test_the_fitted_model_beats_every_baseline_on_the_bundled_record(bundled_backtest: Any
                                                                     ) -> None:
    fitted, *baselines = bundled_backtest.summary
    assert fitted.method == "fitted"
    assert [b.method for b in baselines] == ["council_rate", "member_rate", "last_vote",
                                             "similar_draft"]
    for b in baselines:
        assert fitted.members.accuracy > b.members.accuracy, b.method
        assert fitted.members.brier < b.members.brier, b.method
        assert fitted.members.n == b.members.n == 198


def test_backtest_probabilities_sum_to_one_and_actual_votes_are_recorded(bundled_backtest: Any
                                                                         ) -> None:
    record = load_scenario(RECORD)
    cast = {(e.id, m): v.value for e in record.events for m, v in (e.votes or {}).items()}
    for p in bundled_backtest.predictions:
        total = p.probabilities.yes + p.probabilities.no + p.probabilities.abstain
        assert total == pytest.approx(1.0, abs=1e-9)
        for b in p.baselines.values():
            assert b.yes + b.no + b.abstain == pytest.approx(1.0, abs=1e-9)
        assert cast[(p.event, p.member)] == p.actual
    for r in bundled_backtest.results:
        assert r.adopted + r.failed + r.vetoed == pytest.approx(1.0, abs=1e-9)


def _predictions_up_to(result: Any, day: str) -> list[Any]:
    return [p.model_dump() for p in result.predictions if p.date <= day]


@pytest.mark.parametrize("day", ["2023-10-25", "2023-12-22", "2024-03-22"])
def test_no_look_ahead_removing_or_shuffling_later_votes_changes_nothing_before(
        tmp_path: Path, bundled_backtest: Any, day: str) -> None:
    data = _record_data()
    later = [e for e in data["events"] if str(e["date"]) > day]
    earlier = [e for e in data["events"] if str(e["date"]) <= day]
    cut = dict(data, events=earlier)
    shuffled = dict(data, events=earlier + later[::-1])
    for variant in (cut, shuffled):
        result = app.backtest(load_scenario(_write(tmp_path, variant)))
        assert _predictions_up_to(result, day) == _predictions_up_to(bundled_backtest, day)


def test_a_later_vote_that_changes_does_not_change_earlier_predictions(tmp_path: Path,
                                                                        bundled_backtest: Any
                                                                        ) -> None:
    data = _record_data()
    last = data["events"][-1]  # 10 June 2024: flip every vote
    flip = {"yes": "no", "no": "yes", "abstain": "yes"}
    last["votes"] = {m: flip.get(v, v) for m, v in last["votes"].items()}
    result = app.backtest(load_scenario(_write(tmp_path, data)))
    before = str(last["date"])
    assert [p.model_dump() for p in result.predictions if p.date < before] == [
        p.model_dump() for p in bundled_backtest.predictions if p.date < before]
    assert [p.model_dump() for p in result.predictions if p.date == before] != [
        p.model_dump() for p in bundled_backtest.predictions if p.date == before]


def test_the_first_vote_is_predicted_from_the_prior_alone(bundled_backtest: Any) -> None:
    first = bundled_backtest.results[0]
    assert first.fitted_on == 0
    rows = [p for p in bundled_backtest.predictions if p.event == first.event]
    assert len({(p.probabilities.yes, p.probabilities.no) for p in rows}) == 1  # all alike


def test_vote_on_the_us_draft_of_22_march_uses_the_record_before_it() -> None:
    result = app.predict_vote(load_scenario(GAZA), "draft_s_2024_239", file=str(GAZA))
    assert result.fit is not None and result.model is None
    assert result.fit.before == "2024-03-21"  # votes up to the base date, 20 March
    assert result.fit.votes == 12  # the votes from 16 October 2023 to 20 February 2024
    on_the_day = app.predict_vote(load_scenario(GAZA), "draft_s_2024_239", file=str(GAZA),
                                  as_of="2024-03-24")
    assert on_the_day.fit is not None
    assert on_the_day.fit.before == "2024-03-22"  # never the vote itself or later ones
    assert on_the_day.fit.votes == 12
    assert result.fit.record_file.endswith("records/unsc-gaza-2023-2024.yaml")
    # China's and Russia's most likely votes are the vetoes they cast; the model does not
    # foresee the eleven votes in favour (docs/records.md says why), so it expects a failure
    for member in ("china", "russia"):
        m = result.members[member]
        assert m.no > max(m.yes, m.abstain)
    r = result.result
    assert r.adopted + r.failed + r.vetoed == pytest.approx(1.0, abs=1e-9)
    assert {m.basis for m in result.members.values()} == {"fitted"}
    for m in result.members.values():
        assert m.yes + m.no + m.abstain + m.absent == pytest.approx(1.0, abs=1e-9)


def test_no_record_gives_the_declared_model_and_record_is_required_on_demand() -> None:
    gaza = load_scenario(GAZA)
    declared = app.predict_vote(gaza, "draft_res_2728", file=str(GAZA), use_record=False)
    assert declared.fit is None and declared.model is not None
    unlinked = gaza.model_copy(update={"bodies": [
        b.model_copy(update={"record": None}) for b in gaza.bodies]})
    # in the file itself: no vote on a draft before 22 March, so the declared model
    assert app.predict_vote(unlinked, "draft_s_2024_239").fit is None
    extra = gaza.drafts[0].model_copy(update={"id": "draft_not_in_the_record"})
    more = gaza.model_copy(update={"drafts": [*gaza.drafts, extra]})
    assert app.predict_vote(more, "draft_not_in_the_record", file=str(GAZA)).fit is None
    with pytest.raises(UsageError, match="fitted model needs the draft coded"):
        app.predict_vote(more, "draft_not_in_the_record", file=str(GAZA), use_record=True)


def test_fixed_votes_override_the_fitted_model() -> None:
    result = app.predict_vote(load_scenario(GAZA), "draft_s_2024_239", file=str(GAZA),
                              fixed_votes={"russia": "yes", "china": "yes"})
    assert result.members["russia"].basis == "fixed"
    assert result.members["russia"].yes == 1.0
    assert "russia" not in result.result.vetoed_by or result.result.vetoed_by["russia"] == 0


def test_a_member_with_no_record_gets_the_councils_pooled_prior() -> None:
    record = load_scenario(RECORD)
    result = app.vote_fit(record, body="unsc_2024", before=dt.date(2023, 12, 31))
    newcomers = ["algeria", "guyana", "sierra_leone", "slovenia", "republic_of_korea"]
    fits = [result.members[m] for m in newcomers]
    assert {f.votes for f in fits} == {0}
    assert len({(f.intercept, tuple(f.lean.values())) for f in fits}) == 1  # all the pooled mean


def test_affinity_leaves_the_vote_out_and_reads_only_the_votes_given() -> None:
    record = vote_record(load_scenario(RECORD), "unsc")
    calls = record.calls
    full = sponsor_affinity(calls.votes, calls.sponsor)
    assert np.all((full >= -1) & (full <= 1))
    # a vote's own ballots do not enter its affinity: rewriting them changes nothing in its row
    changed = calls.votes.copy()
    changed[4] = np.where(changed[4] >= 0, 2 - changed[4], changed[4])
    assert np.array_equal(sponsor_affinity(changed, calls.sponsor)[4], full[4])
    # a new draft's affinity reads only the votes given (those before the prediction's day)
    earlier = record.before(record.events[8].date)
    sponsor = calls.sponsor[8]
    later = calls.votes.copy()
    later[8:] = 0  # whatever happened later
    assert np.array_equal(earlier.affinity_with(sponsor),
                          sponsor_affinity(later[:8], calls.sponsor[:8], sponsor[None, :])[0])
    # the first vote, with no other vote between the members, has no affinity at all
    assert np.all(sponsor_affinity(calls.votes[:1], calls.sponsor[:1]) == 0)


def test_record_format_errors_name_the_field(tmp_path: Path) -> None:
    data = _record_data()
    data["drafts"][0]["sponsors"] = ["atlantis"]
    data["drafts"][2]["amends"] = "draft_nowhere"
    data["events"][0]["draft"] = "draft_missing"
    result = runner.invoke(cli, ["validate", str(_write(tmp_path, data))])
    assert result.exit_code == 2
    assert "drafts.0.sponsors.0: 'atlantis' is not a member of body 'unsc_2023'" in result.output
    assert "drafts.2.amends: unknown draft 'draft_nowhere'" in result.output
    assert "events.0.draft: unknown draft 'draft_missing'" in result.output


def test_a_circle_of_amendments_is_refused(tmp_path: Path) -> None:
    data = _record_data()
    by_id = {d["id"]: d for d in data["drafts"]}
    by_id["draft_s_2023_773"]["amends"] = "draft_ru_amendment_1_2023_10_18"
    result = runner.invoke(cli, ["validate", str(_write(tmp_path, data))])
    assert result.exit_code == 2
    assert "amendments go round in a circle" in result.output


def test_a_record_only_scenario_serves_votes_not_forecasts() -> None:
    for command in (["forecast"], ["zone"], ["timeline"]):
        result = runner.invoke(cli, [*command, str(RECORD)])
        assert result.exit_code == 2
        assert "voting record (no actors)" in result.output
    vote = runner.invoke(cli, ["vote", str(RECORD), "--draft", "draft_res_2735", "--json"])
    assert vote.exit_code == 0, vote.output
    assert json.loads(vote.output)["fit"]["votes"] == 15


def test_cli_vote_fit_backtest_and_score(tmp_path: Path) -> None:
    fit = runner.invoke(cli, ["vote", "fit", str(RECORD), "--as-of", "2024-03-21", "--json"])
    assert fit.exit_code == 0, fit.output
    data = json.loads(fit.output)
    assert data["format"] == "zopa.vote-fit/1" and data["votes"] == 12
    out = tmp_path / "bt.json"
    bt = runner.invoke(cli, ["backtest", str(RECORD), "-o", str(out)])
    assert bt.exit_code == 0, bt.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["format"] == "zopa.backtest/1"
    assert {"event", "date", "member", "probabilities", "actual"} <= set(saved["predictions"][0])
    table = runner.invoke(cli, ["backtest", str(RECORD)])
    assert "similar_draft" in table.output and "council_rate" in table.output
    score = runner.invoke(cli, ["score", str(GAZA), "--samples", "100", "--json"])
    assert score.exit_code == 0, score.output
    scored = json.loads(score.output)
    assert scored["format"] == "zopa.score/1"
    assert scored["forecasts"][-1]["resolved_by"] == "israel_recalls_delegation"
    assert all(f["date"] < "2024-03-26" for f in scored["forecasts"])
    assert scored["votes"]["format"] == "zopa.backtest/1"


def _gaza_text(*replacements: tuple[str, str]) -> str:
    """The March 2024 example's text with replacements (its YAML 1.2 votes, such as ``yes``,
    would not survive a YAML 1.1 round trip)."""
    text = GAZA.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def test_score_without_anything_to_score_says_so() -> None:
    result = runner.invoke(cli, ["score", str(ROOT / "examples" / "eu-recovery-2020.yaml")])
    assert result.exit_code == 2
    assert "nothing to score" in result.output


def test_a_missing_record_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(_gaza_text(("records/unsc-gaza-2023-2024.yaml", "nowhere.yaml")),
                    encoding="utf-8")
    result = runner.invoke(cli, ["vote", str(path), "--draft", "draft_s_2024_239"])
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.output



def test_members_that_are_actors_start_from_their_declared_positions(tmp_path: Path) -> None:
    """Two members linked to actors who declare opposite ideal points, without a vote of their
    own: the fitted model starts each from its position (relative to the other declared one),
    so the one who wants the draft is more likely to vote for it; without the link, alike."""
    def scenario(linked: bool) -> dict[str, Any]:
        members = [{"id": f"m{i}"} for i in range(4)] + [
            {"id": "ma", **({"actor": "a"} if linked else {})},
            {"id": "mb", **({"actor": "b"} if linked else {})}]
        actor = {"kind": "state", "role": "party", "capability": 1, "batna": 0.5}
        votes = [{"id": f"v{i}", "date": f"2024-01-{i + 1:02d}", "type": "vote",
                  "title": "Vote", "body": "c", "draft": "d",
                  "votes": {"m0": "yes", "m1": "yes", "m2": "no", "m3": "abstain"}}
                 for i in range(4)]
        return {
            "meta": {"title": "Declared", "as_of": "2024-02-01"},
            "actors": [{"id": "a", "name": "A", **actor}, {"id": "b", "name": "B", **actor}],
            "issues": [{"id": "x", "name": "X", "options": ["no", "yes"]}],
            "positions": {"a": {"x": {"ideal": "yes", "salience": 1.0}},
                          "b": {"x": {"ideal": "no", "salience": 1.0}}},
            "status_quo": {"x": "no"},
            "bodies": [{"id": "c", "name": "C", "members": members,
                        "rule": {"quota": 4, "basis": "votes"}}],
            "drafts": [{"id": "d", "body": "c", "point": {"x": "yes"}, "sponsors": ["m0"]}],
            "events": votes,
        }

    yes = {}
    for linked in (True, False):
        path = _write(tmp_path, scenario(linked), f"declared-{linked}.yaml")
        result = app.predict_vote(load_scenario(path), "d", file=str(path), use_record=True)
        yes[linked] = (result.members["ma"].yes, result.members["mb"].yes)
        assert result.members["ma"].basis == "prior"
    assert yes[True][0] > yes[True][1] + 0.1
    assert yes[False][0] == pytest.approx(yes[False][1], abs=1e-12)


def test_a_loaded_scenario_finds_its_record_without_being_told_its_file() -> None:
    """The record file is next to the scenario: the Python API needs no `file=` for it."""
    result = app.predict_vote(load_scenario(GAZA), "draft_s_2024_239")
    assert result.fit is not None and result.fit.votes == 12
