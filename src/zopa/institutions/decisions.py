"""From the vote to the table: which vote events a scenario has and which results to compare.

A vote event carries ``effects`` (whatever the result) and ``effects_if`` (one list per possible
result: adopted, failed, vetoed). The timeline (:mod:`zopa.timeline.history`) applies them with
the recorded result or one a branch or a decision chooses, so that any model, analysis or
protocol can be run on "adopted" and on "vetoed" and the two compared.
"""

from __future__ import annotations

from zopa.errors import UsageError
from zopa.scenario.schema import (
    Event,
    Scenario,
    VoteResult,
)


def find_vote(scenario: Scenario, event_id: str) -> Event:
    """The vote event with this id; a :class:`UsageError` lists the vote events."""
    for event in scenario.events:
        if event.id == event_id:
            if event.body is None:
                raise UsageError(f"event {event_id!r} is not a vote (it has no body)")
            return event
    votes = ", ".join(e.id for e in scenario.events if e.body is not None) or "none"
    raise UsageError(f"unknown event {event_id!r} (vote events: {votes})")


def parse_result(text: str) -> VoteResult:
    """The vote result named by ``text`` (``adopted``, ``failed`` or ``vetoed``; any case)."""
    try:
        return VoteResult(text.strip().lower())
    except ValueError:
        raise UsageError(f"unknown result {text!r}: use adopted, failed or vetoed") from None


def decision_results(scenario: Scenario, event_id: str) -> list[VoteResult]:
    """The results worth comparing for a vote: adopted and vetoed (if anyone holds a veto),
    failed, and any other result the event declares effects for, in that order."""
    event = find_vote(scenario, event_id)
    body = next((b for b in scenario.bodies if b.id == event.body), None)
    wanted = [VoteResult.adopted]
    if body is not None and body.rule.veto:
        wanted.append(VoteResult.vetoed)
    else:
        wanted.append(VoteResult.failed)
    wanted += [r for r in VoteResult if r in event.effects_if and r not in wanted]
    return wanted
