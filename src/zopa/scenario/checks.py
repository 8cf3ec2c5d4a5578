"""Checks that span fields or sections of a scenario: ids, scales, red lines, votes, sources.

Each check yields ``(path, message)`` pairs; :func:`check_scenario` runs them all so that a user
sees every problem of a file at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from zopa.scenario.check_links import link_problems
from zopa.scenario.check_records import record_problems
from zopa.scenario.check_timeline import all_effects, timeline_problems
from zopa.scenario.check_tools import Found, duplicates, first_by_id, show, unknown
from zopa.scenario.check_values import value_problems
from zopa.scenario.document import PathKey
from zopa.scenario.schema import (
    Body,
    Choice,
    Distribution,
    Effect,
    EffectTarget,
    Issue,
    Normal,
    Point,
    Position,
    Prefers,
    Provenance,
    Scenario,
)


def check_scenario(scenario: Scenario) -> list[tuple[PathKey, str]]:
    """Every cross-field problem of ``scenario`` (empty if it is consistent)."""
    checks = (
        _unique_ids,
        _positions,
        _relations,
        _bodies,
        _events,
        _drafts,
        record_problems,
        _uncertainty,
        link_problems,
        timeline_problems,
        _source_references,
    )
    return [found for check in checks for found in check(scenario)]


def _unique_ids(s: Scenario) -> Found:
    yield from duplicates("actors", [a.id for a in s.actors])
    yield from duplicates("issues", [i.id for i in s.issues])
    yield from duplicates("bodies", [b.id for b in s.bodies])
    yield from duplicates("events", [e.id for e in s.events])
    yield from duplicates("sources", [x.id for x in s.sources])


def _on_scale(issue: Issue, value: Point, path: PathKey, what: str) -> Found:
    number = issue.to_number(value)
    lo, hi = issue.bounds
    if issue.options is not None:
        names = ", ".join(issue.options)
        if number is None:
            yield path, (
                f"{what} {show(value)} is not an option of issue {issue.id!r} ({names}); "
                f"give an option's name or its index 0-{hi:g}"
            )
        elif not lo <= number <= hi:
            yield path, (
                f"{what} {show(value)} is not an option index of issue {issue.id!r}: "
                f"its options are 0-{hi:g} ({names})"
            )
        return
    if number is None:
        yield path, f"{what} {show(value)} is not a number (issue {issue.id!r} has a range)"
    elif not lo <= number <= hi:
        unit = f" {issue.unit}" if issue.unit else ""
        yield path, (
            f"{what} {show(value)} lies outside the range [{lo:g}, {hi:g}]{unit} "
            f"of issue {issue.id!r}"
        )


def _positions(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    issues = first_by_id(s.issues)
    for actor_id, stances in s.positions.items():
        if actor_id not in actors:
            yield ("positions", actor_id), unknown("actor", actor_id, actors)
        for issue_id, position in stances.items():
            path: PathKey = ("positions", actor_id, issue_id)
            issue = issues.get(issue_id)
            if issue is None:
                yield path, unknown("issue", issue_id, issues)
                continue
            yield from _position_on_scale(issue, position, path)


def _position_on_scale(issue: Issue, position: Position, path: PathKey) -> Found:
    bad = list(_on_scale(issue, position.ideal, (*path, "ideal"), "ideal point"))
    yield from bad
    if position.values is not None:
        yield from value_problems(issue, position, (*path, "values"), check_ideal=not bad)
    if position.red_line is None:
        return
    bad_red = list(_on_scale(issue, position.red_line, (*path, "red_line"), "red line"))
    yield from bad_red
    if bad or bad_red:
        return
    ideal = issue.to_number(position.ideal)
    red = issue.to_number(position.red_line)
    assert ideal is not None and red is not None
    shown = f"red line {show(position.red_line)}"
    if position.prefers == Prefers.more and red > ideal:
        yield (*path, "red_line"), (
            f"{shown} is above the ideal point {show(position.ideal)}, but the actor prefers "
            "more: the worst acceptable value must be at or below the ideal point"
        )
    if position.prefers == Prefers.less and red < ideal:
        yield (*path, "red_line"), (
            f"{shown} is below the ideal point {show(position.ideal)}, but the actor prefers "
            "less: the worst acceptable value must be at or above the ideal point"
        )


def _relations(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    seen: set[tuple[str, str, str]] = set()
    for index, relation in enumerate(s.relations):
        path: PathKey = ("relations", index)
        for field, actor_id in (("from", relation.source_actor), ("to", relation.target)):
            if actor_id not in actors:
                yield (*path, field), unknown("actor", actor_id, actors)
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
        yield from check_body(body, path)
        for m, member in enumerate(body.members):
            if member.actor is not None and member.actor not in actors:
                yield (*path, "members", m, "actor"), unknown("actor", member.actor, actors)


def check_body(body: Body, path: PathKey) -> Found:
    """What a body must satisfy beyond its schema, in a scenario or a body file of its own:
    distinct member ids, veto holders that are members, a quota that can be met, populations
    for a population quota."""
    yield from duplicates((*path, "members"), [m.id for m in body.members])
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
    lacking = [m.id for m in body.members if m.population is None]
    if rule.population_quota is not None and lacking:
        yield (*path, "rule", "population_quota"), (
            f"a population quota needs every member's population; missing for {', '.join(lacking)}"
        )


def _events(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    bodies = first_by_id(s.bodies)
    issues = first_by_id(s.issues)
    for e, event in enumerate(s.events):
        path: PathKey = ("events", e)
        for a, actor_id in enumerate(event.actors):
            if actor_id not in actors:
                yield (*path, "actors", a), unknown("actor", actor_id, actors)
        body = bodies.get(event.body) if event.body is not None else None
        if event.body is not None and body is None:
            yield (*path, "body"), unknown("body", event.body, bodies)
        if body is not None and event.votes is not None:
            members = {m.id for m in body.members}
            for member_id in event.votes:
                if member_id not in members:
                    yield (*path, "votes", member_id), (
                        f"{member_id!r} is not a member of body {body.id!r}"
                    )
        if event.effects_if and event.body is None:
            yield (*path, "effects_if"), "effects_if needs a vote: give the event a body"
    for where, effect in all_effects(s):
        yield from _effect(effect, where, actors, issues)


_EFFECT_NAMES = {
    EffectTarget.ideal: "ideal point",
    EffectTarget.red_line: "red line",
    EffectTarget.salience: "salience",
    EffectTarget.batna: "batna",
    EffectTarget.capability: "capability",
    EffectTarget.relation: "relation strength",
}


def _effect(effect: Effect, path: PathKey, actors: set[str], issues: dict[str, Issue]) -> Found:
    if effect.actor not in actors:
        yield (*path, "actor"), unknown("actor", effect.actor, actors)
    if effect.to is not None and effect.to not in actors:
        yield (*path, "to"), unknown("actor", effect.to, actors)
    if effect.issue is not None and effect.issue not in issues:
        yield (*path, "issue"), unknown("issue", effect.issue, issues)
        return
    value = effect.set
    if value is None:
        return
    what = _EFFECT_NAMES[effect.target]
    if effect.target in (EffectTarget.ideal, EffectTarget.red_line) and effect.issue is not None:
        yield from _on_scale(issues[effect.issue], value, (*path, "set"), what)
    elif isinstance(value, str):
        yield (*path, "set"), f"{what} needs a number, not {value!r}"
    elif effect.target in (EffectTarget.salience, EffectTarget.batna, EffectTarget.relation):
        if not 0.0 <= value <= 1.0:
            yield (*path, "set"), f"{what} must lie in [0, 1], not {value:g}"
    elif effect.target == EffectTarget.capability and value <= 0:
        yield (*path, "set"), f"{what} must be > 0, not {value:g}"


def _drafts(s: Scenario) -> Found:
    """Drafts and the status quo: known issues and bodies, values on scale, a status quo for
    every issue a draft would change (the vote model compares the two)."""
    issues = {i.id: i for i in s.issues}
    bodies = {b.id for b in s.bodies}
    for issue_id, value in s.status_quo.items():
        if issue_id not in issues:
            yield ("status_quo", issue_id), f"unknown issue {issue_id!r}"
        else:
            yield from _on_scale(issues[issue_id], value, ("status_quo", issue_id), "status quo")
    yield from duplicates("drafts", [d.id for d in s.drafts])
    for d, draft in enumerate(s.drafts):
        path: PathKey = ("drafts", d)
        if draft.body is not None and draft.body not in bodies:
            yield (*path, "body"), f"unknown body {draft.body!r}"
        for field in ("point", "status_quo"):
            for issue_id, value in getattr(draft, field).items():
                if issue_id not in issues:
                    yield (*path, field, issue_id), f"unknown issue {issue_id!r}"
                else:
                    yield from _on_scale(issues[issue_id], value, (*path, field, issue_id), field)
        status_quo = s.draft_status_quo(draft.id)
        for issue_id in draft.point:
            if issue_id in issues and issue_id not in status_quo:
                yield (*path, "point", issue_id), (
                    f"no status quo for issue {issue_id!r}: give it in `status_quo` or the draft's "
                    "own status_quo"
                )


def _distribution(
    dist: Distribution | None,
    value: float | None,
    valid: tuple[float, float],
    path: PathKey,
    what: str,
) -> Found:
    """A bounded distribution must contain the stated value and stay inside the valid range."""
    if dist is None or isinstance(dist, Normal) or value is None:
        return
    lo, hi = valid
    span = (f"[{dist.low:g}, {dist.high:g}]" if not isinstance(dist, Choice)
            else "{" + ", ".join(f"{v:g}" for v in dist.values) + "}")
    if not dist.low <= value <= dist.high:
        yield path, f"{span} does not contain the stated {what} {value:g}"
    elif what == "capability" and dist.low <= 0:
        yield path, f"{span} reaches capability <= 0; capability must be > 0"
    elif dist.low < lo or dist.high > hi:
        yield path, f"{span} leaves the valid range of {what} [{lo:g}, {hi:g}]"


def _uncertainty(s: Scenario) -> Found:
    for r, relation in enumerate(s.relations):
        yield from _distribution(relation.uncertainty, relation.strength, (0.0, 1.0),
                                 ("relations", r, "uncertainty"), "strength")
    for a, actor in enumerate(s.actors):
        if actor.uncertainty is None:
            continue
        path: PathKey = ("actors", a, "uncertainty")
        yield from _distribution(
            actor.uncertainty.capability, actor.capability.value, (0.0, float("inf")),
            (*path, "capability"), "capability",
        )
        yield from _distribution(
            actor.uncertainty.batna, actor.batna.value, (0.0, 1.0), (*path, "batna"), "batna"
        )
    issues = first_by_id(s.issues)
    for actor_id, stances in s.positions.items():
        for issue_id, position in stances.items():
            issue = issues.get(issue_id)
            if position.uncertainty is None or issue is None:
                continue
            path = ("positions", actor_id, issue_id, "uncertainty")
            yield from _distribution(
                position.uncertainty.ideal, issue.to_number(position.ideal), issue.bounds,
                (*path, "ideal"), "ideal point",
            )
            yield from _distribution(
                position.uncertainty.salience, position.salience, (0.0, 1.0),
                (*path, "salience"), "salience",
            )
            red_line = position.uncertainty.red_line
            if red_line is not None and position.red_line is None:
                yield (*path, "red_line"), "uncertainty about a red line the position does not give"
            elif red_line is not None and position.red_line is not None:
                yield from _distribution(
                    red_line, issue.to_number(position.red_line), issue.bounds,
                    (*path, "red_line"), "red line",
                )


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
    for d, draft in enumerate(s.drafts):
        yield ("drafts", d), draft
    for k, link in enumerate(s.links):
        yield ("links", k), link
    for b, branch in enumerate(s.branches):
        yield ("branches", b), branch
        for part in ("replace", "add"):
            for k, event in enumerate(getattr(branch, part)):
                yield ("branches", b, part, k), event
    yield from all_effects(s)


def _source_references(s: Scenario) -> Found:
    known = {x.id for x in s.sources}
    for path, item in _cited(s):
        if item.source is not None and item.source not in known:
            yield (*path, "source"), unknown("source", item.source, known)


def unsourced(s: Scenario) -> list[PathKey]:
    """Paths of numbers that cite no source and are not marked as estimates.

    A warning (``zopa validate --warnings``), not an error.
    """
    return [path for path, item in _cited(s) if item.source is None and not item.estimate]
