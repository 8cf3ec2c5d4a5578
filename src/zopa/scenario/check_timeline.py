"""Checks of the timeline: events against the base date, branches against the events, and the
distributions of effect sizes (docs/timeline.md)."""

from __future__ import annotations

from collections.abc import Iterator

from zopa.scenario.check_tools import Found, duplicates, first_by_id, unknown
from zopa.scenario.document import PathKey
from zopa.scenario.schema import (
    Branch,
    Choice,
    Distribution,
    Effect,
    EffectTarget,
    Event,
    Issue,
    Normal,
    Scenario,
)


def timeline_problems(s: Scenario) -> Found:
    """Events before the base carry no effects; branches name real events; effect
    distributions contain the stated number."""
    for e, event in enumerate(s.events):
        if event.date <= s.meta.as_of and (event.effects or event.effects_if):
            yield ("events", e, "effects" if event.effects else "effects_if"), (
                f"event {event.id!r} is dated {event.date.isoformat()}, on or before meta.as_of "
                f"({s.meta.as_of.isoformat()}): the base positions already hold its consequences, "
                "so it may carry no effects (put them in the positions, or date the base earlier)"
            )
    issues = first_by_id(s.issues)
    for path, effect in all_effects(s):
        yield from _effect_distribution(effect, path, issues)
    yield from duplicates("branches", [b.id for b in s.branches])
    for b, branch in enumerate(s.branches):
        yield from branch_problems(s, branch, ("branches", b))


def branch_problems(s: Scenario, branch: Branch, path: PathKey) -> Found:
    """A branch's patch refers to events, vote events and results that exist."""
    events = first_by_id(s.events)
    for k, event_id in enumerate(branch.drop):
        if event_id not in events:
            yield (*path, "drop", k), unknown("event", event_id, events)
    for k, event in enumerate(branch.replace):
        if event.id not in events:
            yield (*path, "replace", k, "id"), (
                f"{unknown('event', event.id, events)} (replace matches an event by id; "
                "use add for a new event)"
            )
    for event_id in branch.move:
        if event_id not in events:
            yield (*path, "move", event_id), unknown("event", event_id, events)
    for k, event in enumerate(branch.add):
        if event.id in events:
            yield (*path, "add", k, "id"), (
                f"event {event.id!r} already exists: use replace to change it"
            )
        if event.date <= s.meta.as_of and (event.effects or event.effects_if):
            yield (*path, "add", k, "date"), (
                f"an added event with effects must come after meta.as_of "
                f"({s.meta.as_of.isoformat()})"
            )
    known = events | {e.id: e for e in branch.add} | {e.id: e for e in branch.replace}
    for event_id in branch.votes:
        voted = known.get(event_id)
        if voted is None:
            yield (*path, "votes", event_id), unknown("event", event_id, events)
        elif voted.body is None:
            yield (*path, "votes", event_id), f"event {event_id!r} is not a vote (it has no body)"


def _effect_distribution(effect: Effect, path: PathKey, issues: dict[str, Issue]) -> Found:
    """An effect's distribution contains its stated number and, for a ``set``, stays in the
    target's valid range."""
    dist: Distribution | None = effect.uncertainty
    if dist is None:
        return
    where = (*path, "uncertainty")
    if effect.delta is not None:
        stated: float | None = effect.delta
        valid = (float("-inf"), float("inf"))
    else:
        assert effect.set is not None
        issue = issues.get(effect.issue) if effect.issue is not None else None
        stated = issue.to_number(effect.set) if issue is not None else (
            None if isinstance(effect.set, str) else float(effect.set))
        valid = _valid_range(effect.target, issue)
    if stated is None or isinstance(dist, Normal):
        return
    span = _span(dist)
    if not dist.low <= stated <= dist.high:
        yield where, f"{span} does not contain the stated value {stated:g}"
    elif dist.low < valid[0] or dist.high > valid[1]:
        yield where, f"{span} leaves the valid range [{valid[0]:g}, {valid[1]:g}]"


def _valid_range(target: EffectTarget, issue: Issue | None) -> tuple[float, float]:
    if target in (EffectTarget.ideal, EffectTarget.red_line):
        return issue.bounds if issue is not None else (float("-inf"), float("inf"))
    if target == EffectTarget.capability:
        return (1e-300, float("inf"))
    return (0.0, 1.0)


def _span(dist: Distribution) -> str:
    if isinstance(dist, Choice):
        return "{" + ", ".join(f"{v:g}" for v in dist.values) + "}"
    assert not isinstance(dist, Normal)
    return f"[{dist.low:g}, {dist.high:g}]"


def unread_effects(s: Scenario) -> Found:
    """Effects that nothing reads: a change of a relation whose target shares no issue with its
    source (no pull), carries no BATNA shift (only pressure and patronage do) and is no voting
    member (the vote model reads relations of members). A warning, not an error."""
    members = {m.actor for b in s.bodies for m in b.members if m.actor is not None}
    for path, effect in all_effects(s):
        if effect.target != EffectTarget.relation or effect.to is None:
            continue
        common = set(s.positions.get(effect.actor, {})) & set(s.positions.get(effect.to, {}))
        shifts = effect.kind is not None and effect.kind.value in ("pressure", "patronage")
        if not common and not shifts and effect.to not in members:
            yield path, (
                f"nothing reads this effect: {effect.actor} and {effect.to} share no issue "
                f"(no pull on positions), a {effect.kind.value if effect.kind else ''} relation "
                "moves no BATNA, and neither is a voting member"
            )


def all_effects(s: Scenario) -> Iterator[tuple[PathKey, Effect]]:
    """Every effect of the scenario with its path: events' ``effects`` and ``effects_if``, then
    each branch's ``set`` and the effects of the events it replaces or adds."""
    for e, event in enumerate(s.events):
        yield from _event_effects(event, ("events", e))
    for b, branch in enumerate(s.branches):
        for f, effect in enumerate(branch.set):
            yield ("branches", b, "set", f), effect
        for part in ("replace", "add"):
            for k, event in enumerate(getattr(branch, part)):
                yield from _event_effects(event, ("branches", b, part, k))


def _event_effects(event: Event, path: PathKey) -> Iterator[tuple[PathKey, Effect]]:
    for f, effect in enumerate(event.effects):
        yield (*path, "effects", f), effect
    for result, effects in event.effects_if.items():
        for f, effect in enumerate(effects):
            yield (*path, "effects_if", result.value, f), effect
