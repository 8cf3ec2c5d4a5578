"""From the vote to the table: a body's decision changes the negotiation.

A vote event carries ``effects`` (whatever the result) and ``effects_if`` (one list per possible
result: adopted, failed, vetoed). :func:`scenario_with_decision` returns the scenario as it stands
after the vote with a chosen result, real or counterfactual, so that any model, analysis or
protocol can be run on "adopted" and on "vetoed" and the two compared.

The scenario's positions are read as the state *before* the vote (its ``meta.as_of`` should
precede the event); the effects of the event are applied on top, in the order written:

* ``set`` replaces a value; ``delta`` adds to it.
* ideal points and red lines stay on the issue's scale (clipped; options move by whole steps);
  salience, BATNA and relation strength stay in ``[0, 1]``; capability must stay positive.
* An effect on a relation that does not exist yet creates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from zopa.errors import UsageError
from zopa.scenario.schema import (
    Actor,
    Effect,
    EffectTarget,
    Event,
    Issue,
    Point,
    Relation,
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


def scenario_with_decision(scenario: Scenario, event_id: str, result: VoteResult | str) -> Scenario:
    """The scenario after vote ``event_id`` with ``result``: its ``effects`` and
    ``effects_if[result]`` applied, and the event's recorded result replaced by ``result``."""
    result = parse_result(result) if isinstance(result, str) else result
    event = find_vote(scenario, event_id)
    changed = apply_effects(scenario, [*event.effects, *event.effects_if.get(result, [])], event_id)
    events = [e.model_copy(update={"result": result}) if e.id == event_id else e
              for e in changed.events]
    return changed.model_copy(update={"events": events})


def scenario_with_decisions(
    scenario: Scenario, decisions: Sequence[tuple[str, VoteResult]]
) -> Scenario:
    """Several decisions applied in date order (then in the order given)."""
    order = {e.id: (e.date, k) for k, e in enumerate(scenario.events)}
    for event_id, _ in decisions:
        find_vote(scenario, event_id)
    for event_id, result in sorted(decisions, key=lambda d: order[d[0]]):
        scenario = scenario_with_decision(scenario, event_id, result)
    return scenario


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


def apply_effects(scenario: Scenario, effects: Iterable[Effect], origin: str = "") -> Scenario:
    """The effects applied one after the other, in order; ``origin`` (an event id) names them
    in error messages."""
    for effect in effects:
        scenario = apply_effect(scenario, effect, origin)
    return scenario


def apply_effect(scenario: Scenario, effect: Effect, origin: str = "") -> Scenario:
    """One effect applied to the scenario (see the module docstring for the semantics)."""
    where = f"effect of {origin} on {effect.actor}" if origin else f"effect on {effect.actor}"
    if effect.actor not in {a.id for a in scenario.actors}:
        raise UsageError(f"{where}: unknown actor")
    target = effect.target
    if target in (EffectTarget.ideal, EffectTarget.salience, EffectTarget.red_line):
        return _on_position(scenario, effect, where)
    if target in (EffectTarget.batna, EffectTarget.capability):
        return _on_actor(scenario, effect, where)
    return _on_relation(scenario, effect, where)


def _number(effect: Effect, where: str) -> float | None:
    """The effect's ``set`` as a number (for scalar targets), or ``None`` for a delta."""
    if effect.set is None:
        return None
    if isinstance(effect.set, str):
        raise UsageError(f"{where}: {effect.target.value} needs a number, not {effect.set!r}")
    return float(effect.set)


def _changed(old: float, effect: Effect, where: str, lo: float, hi: float) -> float:
    new = _number(effect, where)
    if new is None:
        assert effect.delta is not None
        new = old + effect.delta
    # 12 significant digits: 0.3 + 0.05 should read 0.35, as a user would have written it
    return float(f"{float(np.clip(new, lo, hi)):.12g}")


def _on_scale(issue: Issue, old: Point | None, effect: Effect, where: str) -> Point:
    lo, hi = issue.bounds
    if effect.set is not None:
        value = issue.to_number(effect.set)
        if value is None:
            raise UsageError(f"{where}: {effect.set!r} is not a value of issue {issue.id}")
    else:
        base = issue.to_number(old) if old is not None else None
        if base is None:
            raise UsageError(f"{where}: no {effect.target.value} on {issue.id} to change by delta")
        assert effect.delta is not None
        value = base + effect.delta
    value = float(f"{float(np.clip(value, lo, hi)):.12g}")
    if issue.options is not None:
        return issue.options[int(np.rint(value))]
    return value


def _on_position(scenario: Scenario, effect: Effect, where: str) -> Scenario:
    assert effect.issue is not None
    issue = next((i for i in scenario.issues if i.id == effect.issue), None)
    stance = scenario.positions.get(effect.actor, {}).get(effect.issue)
    if issue is None or stance is None:
        raise UsageError(f"{where}: the actor takes no position on issue {effect.issue!r}")
    if effect.target == EffectTarget.salience:
        update: dict[str, object] = {"salience": _changed(stance.salience, effect, where, 0, 1)}
    elif effect.target == EffectTarget.ideal:
        update = {"ideal": _on_scale(issue, stance.ideal, effect, where)}
    else:
        update = {"red_line": _on_scale(issue, stance.red_line, effect, where)}
    actor_positions = dict(scenario.positions[effect.actor])
    actor_positions[effect.issue] = stance.model_copy(update=update)
    positions = dict(scenario.positions)
    positions[effect.actor] = actor_positions
    return scenario.model_copy(update={"positions": positions})


def _on_actor(scenario: Scenario, effect: Effect, where: str) -> Scenario:
    actors: list[Actor] = []
    for actor in scenario.actors:
        if actor.id == effect.actor:
            if effect.target == EffectTarget.batna:
                value = _changed(actor.batna.value, effect, where, 0.0, 1.0)
                actor = actor.model_copy(update={"batna": actor.batna.model_copy(
                    update={"value": value})})
            else:
                value = _changed(actor.capability.value, effect, where, -np.inf, np.inf)
                if value <= 0:
                    raise UsageError(f"{where}: capability would fall to {value:g} (must be > 0)")
                actor = actor.model_copy(update={"capability": actor.capability.model_copy(
                    update={"value": value})})
        actors.append(actor)
    return scenario.model_copy(update={"actors": actors})


def _on_relation(scenario: Scenario, effect: Effect, where: str) -> Scenario:
    assert effect.to is not None and effect.kind is not None
    if effect.to not in {a.id for a in scenario.actors}:
        raise UsageError(f"{where}: unknown actor {effect.to!r}")
    relations = list(scenario.relations)
    for k, r in enumerate(relations):
        if (r.source_actor, r.target, r.kind) == (effect.actor, effect.to, effect.kind):
            strength = _changed(r.strength, effect, where, 0.0, 1.0)
            relations[k] = r.model_copy(update={"strength": strength})
            break
    else:
        strength = _changed(0.0, effect, where, 0.0, 1.0)
        relations.append(Relation.model_validate({
            "from": effect.actor, "to": effect.to, "kind": effect.kind, "strength": strength,
            "source": effect.source, "estimate": effect.estimate, "note": effect.note,
        }))
    return scenario.model_copy(update={"relations": relations})


def describe_effect(effect: Effect) -> str:
    """An effect as one line, e.g. ``hamas: batna +0.07 (estimate)``."""
    change = f"= {effect.set}" if effect.set is not None else f"{effect.delta:+g}"
    what = effect.target.value
    if effect.issue is not None:
        what += f" on {effect.issue}"
    if effect.target == EffectTarget.relation:
        what = f"{effect.kind.value if effect.kind else ''} -> {effect.to}"
    flag = " (estimate)" if effect.estimate else ""
    return f"{effect.actor}: {what} {change}{flag}"
