"""The bundled Security Council record (examples/records/, docs/record-unsc.md): it validates,
cites every number, and every recorded ballot gives the recorded result under the Council's rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from zopa.app import vote_outcome
from zopa.scenario.checks import unsourced
from zopa.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "examples" / "records" / "unsc-gaza-2023-2024.yaml"


def test_the_record_validates_and_cites_every_number() -> None:
    record = load_scenario(RECORD)
    assert unsourced(record) == []
    assert {b.id for b in record.bodies} == {"unsc_2023", "unsc_2024"}
    assert len([e for e in record.events if e.body]) >= 15


@pytest.mark.parametrize("event", [e.id for e in load_scenario(RECORD).events if e.votes])
def test_every_recorded_ballot_gives_the_recorded_result(event: str) -> None:
    record = load_scenario(RECORD)
    found = next(e for e in record.events if e.id == event)
    outcome = vote_outcome(record, event)
    assert found.result is not None
    assert outcome.result == found.result.value
    assert sum(1 for v in (found.votes or {}).values() if v.value != "absent") == 15
