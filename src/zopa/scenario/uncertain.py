"""The scenario's declared uncertainty as a flat list of uncertain inputs.

Every number a scenario marks with a distribution (an actor's capability or BATNA; a position's
ideal point, salience or red line; an event effect's size) becomes one :class:`UncertainInput`:
what it sets, the distribution in the input's own units, the stated value (what a point forecast
uses) and the range the input must stay in. :mod:`zopa.uncertainty` draws them; sensitivity
analysis varies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from zopa.scenario.schema import (
    Choice,
    Distribution,
    Normal,
    RelationKind,
    Scenario,
    Triangular,
    Uniform,
)

BASE_TARGETS = ("ideal", "salience", "red_line", "capability", "batna", "relation")
"""Targets of base inputs; an event effect's size has target ``effect``."""


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number and its distribution.

    Attributes:
        target: ``ideal``, ``salience``, ``red_line`` (of ``actor`` on ``issue``), ``capability``,
            ``batna`` (of ``actor``; ``issue`` is ``None``), ``relation`` (the strength of the
            relation of kind ``kind`` from ``actor`` to ``to``) or ``effect`` (the size of an
            event's effect: ``key`` names it, see :mod:`zopa.timeline`).
        actor, issue: indices into the scenario's actors and issues (for an effect: its target's).
        dist: ``normal`` (``params`` mean, sd), ``uniform`` (low, high), ``triangular`` (low,
            mode, high) or ``choice`` (values v1..vk then probabilities p1..pk).
        value: the stated value, in the input's own units.
        low, high: the range the input must stay in (a normal draw is truncated to it).
        label: how tables name the input, e.g. ``batna of hamas``.
        key: for an effect, ``event_id/result/index`` (``result`` empty for ``effects``).
        discrete: True if the input moves by whole steps (an option issue's ideal or red line).
        to, kind: for a relation, the target actor and the kind (index into
            :data:`zopa.scenario.arrays.RELATION_KINDS`).
    """

    target: str
    actor: int
    issue: int | None
    dist: str
    params: tuple[float, ...]
    value: float
    low: float
    high: float
    label: str
    key: str = ""
    discrete: bool = False
    to: int | None = None
    kind: int | None = None

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take."""
        if self.dist == "normal":
            return self.low, self.high
        if self.dist == "choice":
            k = len(self.params) // 2
            return min(self.params[:k]), max(self.params[:k])
        return self.params[0], self.params[-1]


def distribution_params(dist: Distribution, value: float) -> tuple[float, ...]:
    """The parameters of a distribution as :attr:`UncertainInput.params` lays them out."""
    if isinstance(dist, Normal):
        return (value, float(dist.sd))
    if isinstance(dist, Uniform):
        return (float(dist.low), float(dist.high))
    if isinstance(dist, Triangular):
        return (float(dist.low), float(dist.mode), float(dist.high))
    assert isinstance(dist, Choice)
    return (*(float(v) for v in dist.values), *dist.probabilities)


def uncertain_inputs(scenario: Scenario) -> tuple[UncertainInput, ...]:
    """Every base input with a declared distribution, actors in order, then their positions."""
    out: list[UncertainInput] = []
    issue_at = {issue.id: j for j, issue in enumerate(scenario.issues)}
    for i, actor in enumerate(scenario.actors):
        declared = actor.uncertainty
        if declared is not None and declared.capability is not None:
            value = actor.capability.value
            out.append(UncertainInput(
                "capability", i, None, declared.capability.dist,
                distribution_params(declared.capability, value), value, 1e-9 * value,
                float("inf"), f"capability of {actor.id}"))
        if declared is not None and declared.batna is not None:
            value = actor.batna.value
            out.append(UncertainInput(
                "batna", i, None, declared.batna.dist, distribution_params(declared.batna, value),
                value, 0.0, 1.0, f"batna of {actor.id}"))
        for issue_id, position in scenario.positions.get(actor.id, {}).items():
            stated = position.uncertainty
            if stated is None:
                continue
            j = issue_at[issue_id]
            issue = scenario.issues[j]
            lo, hi = issue.bounds
            discrete = issue.options is not None
            where = f"of {actor.id} on {issue_id}"
            if stated.ideal is not None:
                value = float(issue.to_number(position.ideal) or 0.0)
                out.append(UncertainInput(
                    "ideal", i, j, stated.ideal.dist, distribution_params(stated.ideal, value),
                    value, lo, hi, f"ideal {where}", discrete=discrete))
            if stated.salience is not None:
                value = position.salience
                out.append(UncertainInput(
                    "salience", i, j, stated.salience.dist,
                    distribution_params(stated.salience, value), value, 0.0, 1.0,
                    f"salience {where}"))
            if stated.red_line is not None and position.red_line is not None:
                value = float(issue.to_number(position.red_line) or 0.0)
                out.append(UncertainInput(
                    "red_line", i, j, stated.red_line.dist,
                    distribution_params(stated.red_line, value), value, lo, hi,
                    f"red line {where}", discrete=discrete))
    kinds = [k.value for k in RelationKind]
    actor_at = {a.id: i for i, a in enumerate(scenario.actors)}
    for relation in scenario.relations:
        if relation.uncertainty is None:
            continue
        value = relation.strength
        out.append(UncertainInput(
            "relation", actor_at[relation.source_actor], None, relation.uncertainty.dist,
            distribution_params(relation.uncertainty, value), value, 0.0, 1.0,
            f"{relation.kind.value} of {relation.source_actor} on {relation.target}",
            to=actor_at[relation.target], kind=kinds.index(relation.kind.value)))
    return tuple(out)
