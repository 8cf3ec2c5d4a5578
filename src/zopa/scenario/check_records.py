"""Checks of a scenario's voting record: drafts' sponsors and amendments, the drafts vote events
name, bodies' blocs and series (docs/vote-fitting.md)."""

from __future__ import annotations

from zopa.scenario.check_tools import Found, first_by_id, unknown
from zopa.scenario.document import PathKey
from zopa.scenario.schema import Scenario, Vote


def record_problems(s: Scenario) -> Found:
    """Every problem of the record part of ``s``."""
    yield from _drafts(s)
    yield from _vote_events(s)
    yield from _blocs(s)


def _drafts(s: Scenario) -> Found:
    bodies = first_by_id(s.bodies)
    drafts = first_by_id(s.drafts)
    for d, draft in enumerate(s.drafts):
        path: PathKey = ("drafts", d)
        body = bodies.get(draft.body) if draft.body is not None else None
        if draft.sponsors and draft.body is None:
            yield (*path, "sponsors"), "sponsors are members of a body: give the draft's body"
        if body is not None:
            members = {m.id for m in body.members}
            for k, sponsor in enumerate(draft.sponsors):
                if sponsor not in members:
                    yield (*path, "sponsors", k), (
                        f"{sponsor!r} is not a member of body {body.id!r}"
                    )
        if draft.amends is None:
            continue
        if draft.amends not in drafts:
            yield (*path, "amends"), unknown("draft", draft.amends, drafts)
            continue
        chain = _amendment_chain(s, draft.id)
        if chain is not None:
            yield (*path, "amends"), f"amendments go round in a circle: {' -> '.join(chain)}"
        elif drafts[draft.amends].body != draft.body:
            yield (*path, "amends"), (
                f"amends {draft.amends!r}, a draft of another body "
                f"({drafts[draft.amends].body!r}, not {draft.body!r})"
            )


def _amendment_chain(s: Scenario, start: str) -> list[str] | None:
    """The ids from ``start`` along ``amends`` back to ``start`` if they form a circle."""
    drafts = first_by_id(s.drafts)
    seen = [start]
    current = drafts[start].amends
    while current is not None and current in drafts:
        if current in seen:
            return [*seen, current] if current == start else None
        seen.append(current)
        current = drafts[current].amends
    return None


def _vote_events(s: Scenario) -> Found:
    drafts = first_by_id(s.drafts)
    for e, event in enumerate(s.events):
        path: PathKey = ("events", e)
        if event.draft is None:
            continue
        draft = drafts.get(event.draft)
        if draft is None:
            yield (*path, "draft"), unknown("draft", event.draft, drafts)
        elif draft.body is not None and event.body is not None and draft.body != event.body:
            yield (*path, "draft"), (
                f"draft {draft.id!r} is put to body {draft.body!r}, not {event.body!r}"
            )
        if event.votes and all(v == Vote.unknown for v in event.votes.values()):
            yield (*path, "votes"), (
                "every vote is unknown: leave `votes` out and give the result only"
            )


def _blocs(s: Scenario) -> Found:
    for b, body in enumerate(s.bodies):
        members = {m.id for m in body.members}
        for bloc, ids in body.blocs.items():
            for k, member in enumerate(ids):
                if member not in members:
                    yield ("bodies", b, "blocs", bloc, k), (
                        f"{member!r} is not a member of body {body.id!r}"
                    )
