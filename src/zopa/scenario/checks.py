"""Checks that span fields or sections of a scenario: ids, scales, red lines, votes, sources.

Each check yields ``(path, message)`` pairs; :func:`check_scenario` runs them all so that a user
sees every problem of a file at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from zopa import elimination
from zopa.scenario.document import PathKey, format_path
from zopa.scenario.schema import (
    Body,
    Distribution,
    Effect,
    EffectTarget,
    Issue,
    Link,
    Normal,
    Point,
    Position,
    Prefers,
    Provenance,
    Scenario,
)

Found = Iterator[tuple[PathKey, str]]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def check_scenario(scenario: Scenario) -> list[tuple[PathKey, str]]:
    """Every cross-field problem of ``scenario`` (empty if it is consistent)."""
    checks = (
        _unique_ids,
        _positions,
        _relations,
        _bodies,
        _events,
        _drafts,
        _uncertainty,
        _links,
        _source_references,
    )
    return [found for check in checks for found in check(scenario)]


def _duplicates(section: str | PathKey, ids: Sequence[str]) -> Found:
    """Every repeat of an id in a list at ``section``, naming where it was first used."""
    where: PathKey = (section,) if isinstance(section, str) else section
    first: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if item_id in first:
            also = format_path((*where, first[item_id]))
            yield (*where, index, "id"), f"duplicate id {item_id!r} (also {also})"
        first.setdefault(item_id, index)


def _unique_ids(s: Scenario) -> Found:
    yield from _duplicates("actors", [a.id for a in s.actors])
    yield from _duplicates("issues", [i.id for i in s.issues])
    yield from _duplicates("bodies", [b.id for b in s.bodies])
    yield from _duplicates("events", [e.id for e in s.events])
    yield from _duplicates("sources", [x.id for x in s.sources])


def _show(value: Point) -> str:
    """A point as the analyst wrote it: ``12``, ``2.5``, ``'partial'``."""
    return repr(value) if isinstance(value, str) else f"{value:g}"


def _on_scale(issue: Issue, value: Point, path: PathKey, what: str) -> Found:
    number = issue.to_number(value)
    lo, hi = issue.bounds
    if issue.options is not None:
        names = ", ".join(issue.options)
        if number is None:
            yield path, (
                f"{what} {_show(value)} is not an option of issue {issue.id!r} ({names}); "
                f"give an option's name or its index 0-{hi:g}"
            )
        elif not lo <= number <= hi:
            yield path, (
                f"{what} {_show(value)} is not an option index of issue {issue.id!r}: "
                f"its options are 0-{hi:g} ({names})"
            )
        return
    if number is None:
        yield path, f"{what} {_show(value)} is not a number (issue {issue.id!r} has a range)"
    elif not lo <= number <= hi:
        unit = f" {issue.unit}" if issue.unit else ""
        yield path, (
            f"{what} {_show(value)} lies outside the range [{lo:g}, {hi:g}]{unit} "
            f"of issue {issue.id!r}"
        )


def _first_by_id(items: Iterable[_T]) -> dict[str, _T]:
    """Items by id; with duplicate ids (reported elsewhere) the first one counts."""
    out: dict[str, _T] = {}
    for item in items:
        out.setdefault(item.id, item)
    return out


def _positions(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    issues = _first_by_id(s.issues)
    for actor_id, stances in s.positions.items():
        if actor_id not in actors:
            yield ("positions", actor_id), _unknown("actor", actor_id, actors)
        for issue_id, position in stances.items():
            path: PathKey = ("positions", actor_id, issue_id)
            issue = issues.get(issue_id)
            if issue is None:
                yield path, _unknown("issue", issue_id, issues)
                continue
            yield from _position_on_scale(issue, position, path)


def _position_on_scale(issue: Issue, position: Position, path: PathKey) -> Found:
    bad = list(_on_scale(issue, position.ideal, (*path, "ideal"), "ideal point"))
    yield from bad
    if position.values is not None:
        yield from _values(issue, position, (*path, "values"), check_ideal=not bad)
    if position.red_line is None:
        return
    bad_red = list(_on_scale(issue, position.red_line, (*path, "red_line"), "red line"))
    yield from bad_red
    if bad or bad_red:
        return
    ideal = issue.to_number(position.ideal)
    red = issue.to_number(position.red_line)
    assert ideal is not None and red is not None
    shown = f"red line {_show(position.red_line)}"
    if position.prefers == Prefers.more and red > ideal:
        yield (*path, "red_line"), (
            f"{shown} is above the ideal point {_show(position.ideal)}, but the actor prefers "
            "more: the worst acceptable value must be at or below the ideal point"
        )
    if position.prefers == Prefers.less and red < ideal:
        yield (*path, "red_line"), (
            f"{shown} is below the ideal point {_show(position.ideal)}, but the actor prefers "
            "less: the worst acceptable value must be at or above the ideal point"
        )


def _values(issue: Issue, position: Position, path: PathKey, *, check_ideal: bool) -> Found:
    """``values`` of a position: every option (or the whole range) valued in [0, 1], and the
    ideal point one of the best points."""
    values = position.values
    if position.prefers is not None:
        yield (*path[:-1], "prefers"), "prefers has no meaning with values (drop one of the two)"
    if issue.options is not None:
        if not isinstance(values, dict):
            yield path, (f"issue {issue.id!r} has options: give values as a mapping option -> "
                         "value in [0, 1]")
            return
        for name, value in values.items():
            if name not in issue.options:
                yield (*path, name), (f"{name!r} is not an option of issue {issue.id!r} "
                                      f"({', '.join(issue.options)})")
            elif not 0.0 <= value <= 1.0:
                yield (*path, name), f"value {value:g} lies outside [0, 1]"
        missing = [o for o in issue.options if o not in values]
        if missing:
            yield path, f"no value for option {missing[0]!r} (value every option of the issue)"
            return
        by_point = [float(values[o]) for o in issue.options]
        xs = [float(k) for k in range(len(issue.options))]
    else:
        if not isinstance(values, list):
            yield path, (f"issue {issue.id!r} has a range: give values as a list of [x, value] "
                         "points")
            return
        found = list(_range_points(issue, values, path))
        yield from found
        if found:
            return
        xs, by_point = [float(p[0]) for p in values], [float(p[1]) for p in values]
    ideal = issue.to_number(position.ideal)
    if check_ideal and ideal is not None:
        at_ideal = _interpolate(ideal, xs, by_point)
        if at_ideal < max(by_point):
            yield (*path[:-1], "ideal"), (
                f"ideal point {_show(position.ideal)} is valued {at_ideal:g}, below the best "
                f"value {max(by_point):g}: the ideal point must be a best point"
            )


def _range_points(issue: Issue, points: list[list[float]], path: PathKey) -> Found:
    lo, hi = issue.bounds
    if len(points) < 2:
        yield path, f"give at least two [x, value] points (from {lo:g} to {hi:g})"
        return
    for k, point in enumerate(points):
        if len(point) != 2:
            yield (*path, k), f"must be a pair [x, value], not {len(point)} numbers"
            return
        if not 0.0 <= point[1] <= 1.0:
            yield (*path, k), f"value {point[1]:g} lies outside [0, 1]"
        if k and not point[0] > points[k - 1][0]:
            yield (*path, k), (f"x {point[0]:g} must be above the previous point's "
                               f"{points[k - 1][0]:g} (sort the points by x, no repeats)")
            return
    if points[0][0] != lo or points[-1][0] != hi:
        yield path, (f"the points must cover the range of issue {issue.id!r}: first x {lo:g}, "
                     f"last x {hi:g} (not {points[0][0]:g} and {points[-1][0]:g})")


def _unknown(kind: str, item_id: str, known: Iterable[str]) -> str:
    """``unknown actor 'isrl'; did you mean 'isr'?`` (or the known ids, if few)."""
    known = sorted(known)
    close = difflib.get_close_matches(item_id, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {kind} {item_id!r}; did you mean {close[0]!r}?"
    if 0 < len(known) <= 8:
        return f"unknown {kind} {item_id!r}; known: {', '.join(known)}"
    return f"unknown {kind} {item_id!r}"


def _relations(s: Scenario) -> Found:
    actors = {a.id for a in s.actors}
    seen: set[tuple[str, str, str]] = set()
    for index, relation in enumerate(s.relations):
        path: PathKey = ("relations", index)
        for field, actor_id in (("from", relation.source_actor), ("to", relation.target)):
            if actor_id not in actors:
                yield (*path, field), _unknown("actor", actor_id, actors)
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
                yield (*path, "members", m, "actor"), _unknown("actor", member.actor, actors)


def check_body(body: Body, path: PathKey) -> Found:
    """What a body must satisfy beyond its schema, in a scenario or a body file of its own:
    distinct member ids, veto holders that are members, a quota that can be met, populations
    for a population quota."""
    yield from _duplicates((*path, "members"), [m.id for m in body.members])
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
    bodies = _first_by_id(s.bodies)
    issues = _first_by_id(s.issues)
    for e, event in enumerate(s.events):
        path: PathKey = ("events", e)
        for a, actor_id in enumerate(event.actors):
            if actor_id not in actors:
                yield (*path, "actors", a), _unknown("actor", actor_id, actors)
        body = bodies.get(event.body) if event.body is not None else None
        if event.body is not None and body is None:
            yield (*path, "body"), _unknown("body", event.body, bodies)
        if body is not None and event.votes is not None:
            members = {m.id for m in body.members}
            for member_id in event.votes:
                if member_id not in members:
                    yield (*path, "votes", member_id), (
                        f"{member_id!r} is not a member of body {body.id!r}"
                    )
        for f, effect in enumerate(event.effects):
            yield from _effect(effect, (*path, "effects", f), actors, issues)
        if event.effects_if and event.body is None:
            yield (*path, "effects_if"), "effects_if needs a vote: give the event a body"
        for result, effects in event.effects_if.items():
            for f, effect in enumerate(effects):
                yield from _effect(effect, (*path, "effects_if", result.value, f), actors, issues)


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
        yield (*path, "actor"), _unknown("actor", effect.actor, actors)
    if effect.to is not None and effect.to not in actors:
        yield (*path, "to"), _unknown("actor", effect.to, actors)
    if effect.issue is not None and effect.issue not in issues:
        yield (*path, "issue"), _unknown("issue", effect.issue, issues)
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
    yield from _duplicates("drafts", [d.id for d in s.drafts])
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
        for issue_id in draft.point:
            if issue_id in issues and issue_id not in draft.status_quo | s.status_quo:
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
    span = f"[{dist.low:g}, {dist.high:g}]"
    if not dist.low <= value <= dist.high:
        yield path, f"{span} does not contain the stated {what} {value:g}"
    elif what == "capability" and dist.low <= 0:
        yield path, f"{span} reaches capability <= 0; capability must be > 0"
    elif dist.low < lo or dist.high > hi:
        yield path, f"{span} leaves the valid range of {what} [{lo:g}, {hi:g}]"


def _uncertainty(s: Scenario) -> Found:
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
    issues = _first_by_id(s.issues)
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


def _links(s: Scenario) -> Found:
    """Links name known issues, have a non-zero term, and can be kept on the issues' scales
    (each alone and all together: one small LP each, :func:`zopa.links.links_feasible`)."""
    yield from _duplicates("links", [link.id for link in s.links])
    issues = _first_by_id(s.issues)
    good = []
    for k, link in enumerate(s.links):
        path: PathKey = ("links", k)
        unknown = [i for i in link.terms if i not in issues]
        for issue_id in unknown:
            yield (*path, "terms", issue_id), _unknown("issue", issue_id, issues)
        if not any(c != 0 for c in link.terms.values()):
            yield (*path, "terms"), "a link needs at least one issue with a non-zero coefficient"
            continue
        if unknown:
            continue
        if not link_keepable(s, [link]):
            yield path, (
                f"no package on the issues' scales keeps link {link.id!r} "
                f"({_link_text(link)})"
            )
            continue
        good.append(link)
    if len(good) > 1 and not link_keepable(s, good):
        yield ("links",), (
            "no package on the issues' scales keeps every link at once: "
            + "; ".join(f"{link.id} ({_link_text(link)})" for link in good)
        )


def _link_text(link: Link) -> str:
    """``days - 1.05 * hostages <= 0``: a link as a formula in issue ids."""
    text = ""
    for issue, c in link.terms.items():
        sign = "-" if c < 0 else "+"
        size = "" if abs(c) == 1 else f"{abs(c):g} * "
        text += f" {sign} {size}{issue}" if text else f"{'-' if c < 0 else ''}{size}{issue}"
    return f"{text} {link.op.value} {link.bound:g}"


def link_keepable(s: Scenario, links: Sequence[Link]) -> bool:
    """True iff some package on the issues' scales keeps every one of ``links`` (whose issues
    must exist). A few issues are decided in plain Python (:mod:`zopa.elimination`); more with
    an LP (:func:`zopa.links.links_feasible`)."""
    issues = _first_by_id(s.issues)
    used = sorted({i for link in links for i, c in link.terms.items() if c != 0})
    rows: list[list[float]] = []
    rhs: list[float] = []
    for link in links:
        # in normalised units z_j = (x_j - lo_j) / (hi_j - lo_j): c_j x_j = c_j (hi - lo) z + c_j lo
        scaled = [link.terms.get(i, 0.0) * (issues[i].bounds[1] - issues[i].bounds[0])
                  for i in used]
        bound = link.bound - sum(c * issues[i].bounds[0] for i, c in link.terms.items())
        if link.op.value in ("<=", "=="):
            rows.append(scaled)
            rhs.append(bound)
        if link.op.value in (">=", "=="):
            rows.append([-v for v in scaled])
            rhs.append(-bound)
    if len(used) <= elimination.MAX_VARIABLES and len(rows) <= elimination.MAX_ROWS:
        box = [[1.0 if k == j else 0.0 for k in range(len(used))] for j in range(len(used))]
        return elimination.feasible(rows + box + [[-v for v in r] for r in box],
                                    rhs + [1.0] * len(used) + [0.0] * len(used))
    import numpy as np  # larger systems: an LP

    from zopa.links import links_feasible

    return links_feasible(np.array(rows), np.array(rhs), np.zeros(len(used)),
                          np.ones(len(used)))


def _interpolate(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """The piecewise-linear function through ``(xs, ys)`` (``xs`` increasing) at ``x``, held
    flat beyond the ends, as ``numpy.interp``."""
    if x <= xs[0]:
        return ys[0]
    for k in range(1, len(xs)):
        if x <= xs[k]:
            t = (x - xs[k - 1]) / (xs[k] - xs[k - 1]) if xs[k] > xs[k - 1] else 1.0
            return ys[k - 1] + t * (ys[k] - ys[k - 1])
    return ys[-1]


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
    for d, draft in enumerate(s.drafts):
        yield ("drafts", d), draft
    for k, link in enumerate(s.links):
        yield ("links", k), link


def _source_references(s: Scenario) -> Found:
    known = {x.id for x in s.sources}
    for path, item in _cited(s):
        if item.source is not None and item.source not in known:
            yield (*path, "source"), _unknown("source", item.source, known)


def unsourced(s: Scenario) -> list[PathKey]:
    """Paths of numbers that cite no source and are not marked as estimates.

    A warning (``zopa validate --warnings``), not an error.
    """
    return [path for path, item in _cited(s) if item.source is None and not item.estimate]
