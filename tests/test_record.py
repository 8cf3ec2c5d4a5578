"""The bundled Security Council record (examples/records/, docs/record-unsc.md): it validates,
cites every number, and every recorded ballot gives the recorded result under the Council's rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from zopa.app import vote_outcome
from zopa.errors import UsageError
from zopa.scenario.checks import unsourced
from zopa.scenario.loader import load_scenario
from zopa.scenario.schema import Event, Vote

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "records" / "unsc-gaza-2023-2024.yaml"


def test_the_record_validates_and_cites_every_number() -> None:
    record = load_scenario(RECORD)
    assert unsourced(record) == []
    assert {b.id for b in record.bodies} == {"unsc_2023", "unsc_2024"}
    assert len([e for e in record.events if e.body]) >= 15


def _complete(event: Event) -> bool:
    return bool(event.votes) and all(v != Vote.unknown for v in (event.votes or {}).values())


@pytest.mark.parametrize("event", [e.id for e in load_scenario(RECORD).events if _complete(e)])
def test_every_recorded_ballot_gives_the_recorded_result(event: str) -> None:
    record = load_scenario(RECORD)
    found = next(e for e in record.events if e.id == event)
    outcome = vote_outcome(record, event)
    assert found.result is not None
    assert outcome.result == found.result.value
    assert sum(1 for v in (found.votes or {}).values() if v.value != "absent") == 15


def test_a_ballot_with_unknown_votes_gives_no_result_but_names_them() -> None:
    record = load_scenario(RECORD)
    partial = [e for e in record.events if e.votes and not _complete(e)]
    assert len(partial) == 3  # the three amendments whose tallies no source splits by member
    with pytest.raises(UsageError, match=r"the vote of .*china.* is unknown"):
        vote_outcome(record, partial[0].id)
    filled = {m: Vote.abstain for m, v in (partial[0].votes or {}).items() if v == Vote.unknown}
    outcome = vote_outcome(record, partial[0].id, changed_votes=filled)
    assert outcome.result == "failed"  # the one vote against and no yes: short of nine


def test_the_record_is_a_record_only_with_sponsors_amendments_and_draft_ids() -> None:
    record = load_scenario(RECORD)
    assert record.is_record and not record.positions
    drafts = {d.id: d for d in record.drafts}
    votes = [e for e in record.events if e.type.value == "vote"]
    assert all(e.draft in drafts for e in votes)
    assert all(drafts[e.draft].sponsors for e in votes if e.draft)
    amendments = [d for d in record.drafts if d.amends]
    assert len(amendments) == 5
    for amendment in amendments:  # an amendment is voted against the text it amends
        base = drafts[amendment.amends or ""]
        assert record.draft_status_quo(amendment.id) == record.status_quo | base.point
