"""Events' effects as operations on a :class:`~zopa.timeline.state.State`, all draws at once.

An effect ``set``s a value or adds a ``delta`` (docs/timeline.md):

* ideal points and red lines stay on the issue's scale (clipped); on an options issue an effect
  moves by whole options;
* salience, BATNA and relation strength stay in ``[0, 1]``; capability must stay positive;
* an effect on a relation also moves the relation's target (:mod:`zopa.timeline.relations`);
  a relation that does not exist yet starts at strength 0.

The size of an effect (its ``set`` or ``delta`` number) may be uncertain: the compiled operation
then carries an :class:`~zopa.scenario.uncertain.UncertainInput` of target ``effect`` and takes
the drawn sizes when applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.scenario.arrays import RELATION_KINDS
from zopa.scenario.schema import Effect, EffectTarget, Scenario
from zopa.scenario.uncertain import UncertainInput, distribution_params
from zopa.timeline.relations import respond
from zopa.timeline.state import State
from zopa.utility import FloatArray

_ON_ISSUE = (EffectTarget.ideal, EffectTarget.salience, EffectTarget.red_line)


@dataclass(frozen=True)
class Operation:
    """One effect, compiled against a scenario's actors and issues.

    Attributes:
        key: ``event/result/index`` (``result`` empty for ``effects``; ``base`` events are a
            branch's ``set``), unique within a timeline.
        effect: the effect as written (for descriptions).
        target: what it changes (an :class:`EffectTarget` value).
        actor, issue, to, kind: indices (``issue`` for positions; ``to``, ``kind`` for relations).
        is_set: True for ``set``, False for ``delta``.
        size: the stated number (issue units; an option's index on an options issue).
        uncertain: the distribution of ``size``, if declared.
    """

    key: str
    effect: Effect
    target: str
    actor: int
    issue: int | None
    to: int | None
    kind: int | None
    is_set: bool
    size: float
    uncertain: UncertainInput | None


def compile_effect(scenario: Scenario, effect: Effect, key: str) -> Operation:
    """The effect as an :class:`Operation` on ``scenario``'s arrays.

    Raises:
        UsageError: naming ``key`` if the effect names an unknown actor or issue, or an issue
            the actor takes no position on, or gives an option name where a number is needed.
    """
    actors = {a.id: i for i, a in enumerate(scenario.actors)}
    issues = {s.id: j for j, s in enumerate(scenario.issues)}
    where = f"effect {key} on {effect.actor}"
    if effect.actor not in actors:
        raise UsageError(f"{where}: unknown actor")
    issue_index: int | None = None
    to_index: int | None = None
    kind_index: int | None = None
    low, high = 0.0, 1.0
    discrete = False
    if effect.target in _ON_ISSUE:
        if effect.issue not in issues or effect.issue not in scenario.positions.get(
                effect.actor, {}):
            raise UsageError(f"{where}: the actor takes no position on issue {effect.issue!r}")
        issue_index = issues[effect.issue]
        issue = scenario.issues[issue_index]
        if effect.target != EffectTarget.salience:
            low, high = issue.bounds
            discrete = issue.options is not None
    elif effect.target == EffectTarget.relation:
        assert effect.to is not None and effect.kind is not None
        if effect.to not in actors:
            raise UsageError(f"{where}: unknown actor {effect.to!r}")
        to_index = actors[effect.to]
        kind_index = RELATION_KINDS.index(effect.kind.value)
    elif effect.target == EffectTarget.capability:
        low, high = 0.0, float("inf")
    size = _size(scenario, effect, issue_index, where)
    uncertain = None
    if effect.uncertainty is not None:
        valid = (float("-inf"), float("inf")) if effect.delta is not None else (low, high)
        uncertain = UncertainInput(
            "effect", actors[effect.actor], issue_index, effect.uncertainty.dist,
            distribution_params(effect.uncertainty, size), size, valid[0], valid[1],
            f"{key}: {describe_effect(effect)}", key=key, discrete=discrete)
    return Operation(key, effect, effect.target.value, actors[effect.actor], issue_index,
                     to_index, kind_index, effect.set is not None, size, uncertain)


def _size(scenario: Scenario, effect: Effect, issue: int | None, where: str) -> float:
    if effect.set is None:
        assert effect.delta is not None
        return float(effect.delta)
    if issue is not None and effect.target != EffectTarget.salience:
        number = scenario.issues[issue].to_number(effect.set)
        if number is None:
            raise UsageError(f"{where}: {effect.set!r} is not a value of issue "
                             f"{scenario.issues[issue].id}")
        return number
    if isinstance(effect.set, str):
        raise UsageError(f"{where}: {effect.target.value} needs a number, not {effect.set!r}")
    return float(effect.set)


def apply(state: State, op: Operation, size: FloatArray | None = None) -> None:
    """Apply ``op`` to ``state`` in place; ``size`` ``(D,)`` replaces the stated size per draw
    (Monte Carlo draws of an uncertain effect)."""
    d = state.draws
    value = np.full(d, op.size) if size is None else np.broadcast_to(size, (d,)).astype(float)
    where = f"effect {op.key} on {op.effect.actor}"
    if op.target in ("ideal", "red_line", "salience"):
        assert op.issue is not None
        column = getattr(state, op.target)[:, op.actor, op.issue]
        if not op.is_set and np.isnan(column).any():
            raise UsageError(f"{where}: no {op.target} on {op.effect.issue} to change by delta")
        new = value if op.is_set else column + value
        if op.target == "salience":
            new = np.clip(new, 0.0, 1.0)
        else:
            lo, hi = state.base.lo[op.issue], state.base.hi[op.issue]
            new = np.clip(new, lo, hi)
            if state.base.options[op.issue] is not None:
                new = np.rint(new)
        column[:] = _tidy(new)
    elif op.target in ("batna", "capability"):
        column = getattr(state, op.target)[:, op.actor]
        new = value if op.is_set else column + value
        if op.target == "batna":
            new = np.clip(new, 0.0, 1.0)
        elif size is None and (new <= 0).any():
            raise UsageError(f"{where}: capability would fall to {new.min():g} (must be > 0)")
        else:
            new = np.maximum(new, 1e-9 * np.abs(column))  # a draw may not make it vanish
        column[:] = _tidy(new)
    else:
        assert op.to is not None and op.kind is not None
        old = state.relations[:, op.kind, op.actor, op.to].copy()
        new = _tidy(np.clip(value if op.is_set else old + value, 0.0, 1.0))
        state.relations[:, op.kind, op.actor, op.to] = new
        respond(state, op.kind, op.actor, op.to, new - old)


def _tidy(values: FloatArray) -> FloatArray:
    """Values rounded to 12 significant digits, so that 0.3 + 0.05 reads 0.35 as a user wrote
    it (and a point run equals what was written)."""
    out = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        magnitude = np.abs(out)
        scale = np.floor(np.log10(np.where((magnitude > 0) & np.isfinite(magnitude),
                                           magnitude, 1.0)))
        factor = 10.0 ** (11 - np.clip(scale, -280, 280))
        tidy = np.round(out * factor) / factor
    return np.where(np.isfinite(tidy), tidy, out)


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
