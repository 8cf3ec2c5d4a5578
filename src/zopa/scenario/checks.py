"""Checks that span fields or sections of a scenario: ids, scales, red lines, votes, sources.

Each check yields ``(path, message)`` pairs; :func:`check_scenario` runs them all so that a user sees
every problem of a file at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from zopa.scenario.document import PathKey
from zopa.scenario.schema import (
    Body,
    Effect,
    EffectTarget,
    Issue,
    Point,
    Position,
    Prefers,
    Provenance,
    Scenario,
)

Found = Iterator[tuple[PathKey, str]]


def check_scenario(scenario: Scenario) -> list[tuple[PathKey, str]]:
    """Every cross-field problem of ``scenario`` (empty if it is consistent)."""
    checks = (
        _unique_ids,
        _positions,
        _relations,
        _bodies,
        _events,
        _source_references,
    )
    return [found for check in checks for found in check(scenario)]


def _duplicates(section: str, ids: Sequence[str]) -> Found:
    counts = Counter(ids)
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if counts[item_id] > 1:
            if item_id in seen:
                yield (section, index, "id"), f"duplicate id {item_id!r}"
            seen.add(item_id)


def _unique_ids(s: Scenario) -> Found:
    yield from _duplicates("actors", [a.id for a in s.actors])
    yield from _duplicates("issues", [i.id for i in s.issues])
    yield from _duplicates("bodies", [b.id for b in s.bodies])
    yield from _duplicates("events", [e.id for e in s.events])
    yield from _duplicates("sources", [x.id for x in s.sources])


def _on_scale(issue: Issue, value: Point, path: PathKey, what: str) -> Iterator[tuple[PathKey, str]]:
    number = issue.to_number(value)
    if number is None:
        if issue.options is not None:
            yield path, f"{what} {value!r} is not an option of issue {issue.id!r} ({', '.join(issue.options)})"
        else:
            yield path, f"{what} {value!r} is not a number (issue {issue.id!r} is continuous)"
        return
    lo, hi = issue.bounds
    if not lo <= number <= hi:
        unit = f" {issue.unit}" if issue.unit else ""
        yield path, f"{what} {value} lies outside issue {issue.id!r}'s range [{lo:g}, {hi:g}]{unit}"


def _positions(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    issues = {i.id: i for i in s.issues}
    for actor_id, stances in s.positions.items():
        if actor_id not in actors:
            yield ("positions", actor_id), f"unknown actor {actor_id!r}"
        for issue_id, position in stances.items():
            path: PathKey = ("positions", actor_id, issue_id)
            issue = issues.get(issue_id)
            if issue is None:
                yield path, f"unknown issue {issue_id!r}"
                continue
            yield from _position_on_scale(issue, position, path)


def _position_on_scale(issue: Issue, position: Position, path: PathKey) -> Found:
    bad = list(_on_scale(issue, position.ideal, (*path, "ideal"), "ideal point"))
    yield from bad
    if position.red_line is None:
        return
    bad_red = list(_on_scale(issue, position.red_line, (*path, "red_line"), "red line"))
    yield from bad_red
    if bad or bad_red:
        return
    ideal = issue.to_number(position.ideal)
    red = issue.to_number(position.red_line)
    assert ideal is not None and red is not None
    if position.prefers == Prefers.more and red > ideal:
        yield (*path, "red_line"), (
            f"red line {position.red_line} is above the ideal point {position.ideal}, but the "
            "actor prefers more: the worst acceptable value must be at or below the ideal point"
        )
    if position.prefers == Prefers.less and red < ideal:
        yield (*path, "red_line"), (
            f"red line {position.red_line} is below the ideal point {position.ideal}, but the "
            "actor prefers less: the worst acceptable value must be at or above the ideal point"
        )


def _relations(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    seen: set[tuple[str, str, str]] = set()
    for index, relation in enumerate(s.relations):
        path: PathKey = ("relations", index)
        for field, actor_id in (("from", relation.source_actor), ("to", relation.target)):
            if actor_id not in actors:
                yield (*path, field), f"unknown actor {actor_id!r}"
        if relation.source_actor == relation.target:
            yield (*path, "to"), "an actor cannot have a relation with itself"
        key = (relation.source_actor, relation.target, relation.kind.value)
        if key in seen:
            yield path, f"duplicate {relation.kind.value} relation {key[0]} -> {key[1]}"
        seen.add(key)


def _bodies(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    for b, body in enumerate(s.bodies):
        path: PathKey = ("bodies", b)
        members = [m.id for m in body.members]
        for found_path, message in _duplicates("members", members):
            yield (*path, *found_path), message
        for m, member in enumerate(body.members):
            if member.actor is not None and member.actor not in actors:
                yield (*path, "members", m, "actor"), f"unknown actor {member.actor!r}"
        yield from _rule(body, path)


def _rule(body: Body, path: PathKey) -> Found:
    rule = body.rule
    members = {m.id for m in body.members}
    for v, holder in enumerate(rule.veto):
        if holder not in members:
            yield (*path, "rule", "veto", v), f"{holder!r} is not a member of body {body.id!r}"
    total = sum(m.weight for m in body.members)
    if rule.basis.value == "votes" and rule.quota > total:
        yield (*path, "rule", "quota"), (
            f"quota {rule.quota:g} exceeds the members' total weight {total:g}: nothing could pass"
        )
    if rule.population_quota is not None and any(m.population is None for m in body.members):
        yield (*path, "rule", "population_quota"), "a population quota needs every member's population"


def _events(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    bodies = {b.id: b for b in s.bodies}
    issues = {i.id: i for i in s.issues}
    for e, event in enumerate(s.events):
        path: PathKey = ("events", e)
        for a, actor_id in enumerate(event.actors):
            if actor_id not in actors:
                yield (*path, "actors", a), f"unknown actor {actor_id!r}"
        body = bodies.get(event.body) if event.body is not None else None
        if event.body is not None and body is None:
            yield (*path, "body"), f"unknown body {event.body!r}"
        if body is not None and event.votes is not None:
            members = {m.id for m in body.members}
            for member_id in event.votes:
                if member_id not in members:
                    yield (*path, "votes", member_id), f"{member_id!r} is not a member of body {body.id!r}"
        for f, effect in enumerate(event.effects):
            yield from _effect(effect, (*path, "effects", f), actors, issues)
        if event.effects_if and event.body is None:
            yield (*path, "effects_if"), "effects_if needs a vote: give the event a body"
        for result, effects in event.effects_if.items():
            for f, effect in enumerate(effects):
                yield from _effect(effect, (*path, "effects_if", result.value, f), actors, issues)


def _effect(effect: Effect, path: PathKey, actors: set[str], issues: dict[str, Issue]) -> Found:
    if effect.actor not in actors:
        yield (*path, "actor"), f"unknown actor {effect.actor!r}"
    if effect.to is not None and effect.to not in actors:
        yield (*path, "to"), f"unknown actor {effect.to!r}"
    if effect.issue is not None and effect.issue not in issues:
        yield (*path, "issue"), f"unknown issue {effect.issue!r}"
        return
    value = effect.set
    if value is None:
        return
    if effect.target in (EffectTarget.ideal, EffectTarget.red_line) and effect.issue is not None:
        yield from _on_scale(issues[effect.issue], value, (*path, "set"), effect.target.value)
    elif effect.target != EffectTarget.ideal and isinstance(value, str):
        yield (*path, "set"), f"{effect.target.value} needs a number, not {value!r}"
    elif effect.target in (EffectTarget.salience, EffectTarget.batna, EffectTarget.relation):
        assert not isinstance(value, str)
        if not 0.0 <= value <= 1.0:
            yield (*path, "set"), f"{effect.target.value} must lie in [0, 1], not {value:g}"
    elif effect.target == EffectTarget.capability:
        assert not isinstance(value, str)
        if value <= 0:
            yield (*path, "set"), f"capability must be > 0, not {value:g}"


def _cited(s: Scenario) -> Iterable[tuple[PathKey, Provenance]]:
    """Every object of the scenario that can cite a source, with its path."""
    for a, actor in enumerate(s.actors):
        yield ("actors", a, "capability"), actor.capability
        yield ("actors", a, "batna"), actor.batna
    for i, issue in enumerate(s.issues):
        yield ("issues", i), issue
    for actor_id, stances in s.positions.items():
        for issue_id, position in stances.items():
            yield ("positions", actor_id, issue_id), position
    for r, relation in enumerate(s.relations):
        yield ("relations", r), relation
    for b, body in enumerate(s.bodies):
        yield ("bodies", b), body
    for e, event in enumerate(s.events):
        yield ("events", e), event
        for f, effect in enumerate(event.effects):
            yield ("events", e, "effects", f), effect
        for result, effects in event.effects_if.items():
            for f, effect in enumerate(effects):
                yield ("events", e, "effects_if", result.value, f), effect


def _source_references(s: Scenario) -> Found:
    known = {x.id for x in s.sources}
    for path, item in _cited(s):
        if item.source is not None and item.source not in known:
            yield (*path, "source"), f"unknown source {item.source!r}"


def unsourced(s: Scenario) -> list[PathKey]:
    """Paths of numbers that cite no source and are not marked as estimates (a warning, not an error)."""
    return [path for path, item in _cited(s) if item.source is None and not item.estimate]
