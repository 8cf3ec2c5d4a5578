"""A scenario as arrays over actors x issues: what every model and analysis computes on.

Values keep the issues' natural units (``ideal``, ``red_line``, ``lo``, ``hi``); the normalised
forms that :mod:`zopa.utility` works with are derived properties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from zopa import links as lk
from zopa import utility as u
from zopa.errors import UsageError
from zopa.scenario.schema import Draft, Prefers, RelationKind, Role, Scenario
from zopa.scenario.uncertain import UncertainInput, uncertain_inputs
from zopa.utility import FloatArray, IntArray

__all__ = ["RELATION_KINDS", "DraftArrays", "ScenarioArrays", "UncertainInput", "draft_arrays",
           "from_matrices", "to_arrays"]

RELATION_KINDS: tuple[str, ...] = tuple(k.value for k in RelationKind)
"""Kinds of relation, in the order of :attr:`ScenarioArrays.relations`' first axis."""

_PREFERS_CODE = {
    None: u.PEAKED,
    Prefers.ideal: u.PEAKED,
    Prefers.more: u.MORE,
    Prefers.less: u.LESS,
}


@dataclass(frozen=True, eq=False)
class ScenarioArrays:
    """Actors x issues arrays of one scenario. ``n`` actors, ``m`` issues."""

    actor_ids: tuple[str, ...]
    actor_names: tuple[str, ...]
    issue_ids: tuple[str, ...]
    issue_names: tuple[str, ...]
    units: tuple[str, ...]
    options: tuple[tuple[str, ...] | None, ...]
    is_party: np.ndarray  # (n,) bool: must agree to a deal
    capability: FloatArray  # (n,)
    batna: FloatArray  # (n,) utility of no agreement, 0-1
    lo: FloatArray  # (m,)
    hi: FloatArray  # (m,)
    ideal: FloatArray  # (n, m) natural units; NaN where the actor takes no position
    salience: FloatArray  # (n, m) in [0, 1]; 0 where no position
    red_line: FloatArray  # (n, m) natural units; NaN where none
    prefers: IntArray  # (n, m) utility.PEAKED / MORE / LESS
    relations: FloatArray = field(default_factory=lambda: np.zeros((len(RELATION_KINDS), 0, 0)))
    """``(kinds, n, n)`` strength of each kind of relation (:data:`RELATION_KINDS`) from actor
    ``[k, i, :]`` to actor ``[k, :, j]``; 0 where none."""
    status_quo: FloatArray = field(default_factory=lambda: np.zeros(0))
    """``(m,)`` the value of each issue without a decision (natural units); NaN where none."""
    uncertainty: tuple[UncertainInput, ...] = ()
    """The declared uncertainty of inputs (distributions), in declaration order."""
    valuation: u.Valuation | None = None
    """Stated values (``values:`` of positions) as normalised points, or ``None`` if no position
    states values (see :class:`zopa.utility.Valuation`)."""
    link_ids: tuple[str, ...] = ()
    """Ids of the scenario's ``links`` (``L``), in declaration order."""
    link_matrix: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    """``(R, m)`` rows ``A`` of the links as ``A z <= b`` over normalised packages ``z`` (a
    ``>=`` link negated, a ``==`` link as two rows; see :mod:`zopa.links`)."""
    link_bound: FloatArray = field(default_factory=lambda: np.zeros(0))
    """``(R,)`` right-hand sides ``b``; ``A z - b`` is the excess in the link's own units."""
    link_row: lk.RowArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """``(R,)`` the link (index into :attr:`link_ids`) each row comes from."""

    def __post_init__(self) -> None:
        # relations and status quo are optional for callers that build arrays by hand
        n, m = self.ideal.shape
        if self.link_matrix.size == 0:
            object.__setattr__(self, "link_matrix", np.zeros((0, m)))
        if self.relations.size == 0:
            object.__setattr__(self, "relations", np.zeros((len(RELATION_KINDS), n, n)))
        if self.status_quo.size == 0:
            object.__setattr__(self, "status_quo", np.full(m, np.nan))
        if self.valuation is not None and self.valuation.mask.shape != (n, m):
            raise ValueError("valuation must be over (n, m) actors x issues")
        if self.relations.shape != (len(RELATION_KINDS), n, n) or self.status_quo.shape != (m,):
            raise ValueError("relations must be (kinds, n, n) and status_quo (m,)")

    @property
    def n_actors(self) -> int:
        """Number of actors ``n`` (rows of the actor x issue arrays)."""
        return len(self.actor_ids)

    @property
    def n_issues(self) -> int:
        """Number of issues ``m`` (columns of the actor x issue arrays)."""
        return len(self.issue_ids)

    @cached_property
    def has_position(self) -> np.ndarray:
        """``(n, m)`` bool: True where the actor takes a position on the issue."""
        return ~np.isnan(self.ideal)

    @cached_property
    def ideal_normalised(self) -> FloatArray:
        """Normalised ideal points; 0.5 where no position (its weight is 0 anyway)."""
        return np.nan_to_num(u.normalise(self.ideal, self.lo, self.hi), nan=0.5)

    @cached_property
    def weights(self) -> FloatArray:
        """``(n, m)`` issue weights of each actor: salience normalised to sum to 1 over its issues
        (0 everywhere for an actor with no salience), see :func:`zopa.utility.salience_weights`."""
        return u.salience_weights(self.salience)

    @cached_property
    def acceptable_interval(self) -> tuple[FloatArray, FloatArray]:
        """Normalised ``(low, high)`` each actor accepts per issue, from its red lines."""
        red = u.normalise(self.red_line, self.lo, self.hi)
        return u.acceptable_interval(self.ideal_normalised, red)

    def normalise(self, values: FloatArray) -> FloatArray:
        """Issue values in natural units ``(..., m)`` -> the 0-1 scale of each issue."""
        return u.normalise(values, self.lo, self.hi)

    def denormalise(self, values: FloatArray) -> FloatArray:
        """Values on the 0-1 scale of each issue ``(..., m)`` -> natural units."""
        return u.denormalise(values, self.lo, self.hi)

    def utility(self, packages: FloatArray, actors: np.ndarray | None = None) -> FloatArray:
        """Utility of normalised packages ``(k, m)`` or ``(m,)`` for every actor (or for the
        ``actors`` given by index, in that order)."""
        if actors is None:
            return u.utility(packages, self.ideal_normalised, self.weights, self.prefers,
                             self.valuation)
        return u.utility(packages, self.ideal_normalised[actors], self.weights[actors],
                         self.prefers[actors], u.member_valuation(self.valuation, actors))

    def violation(self, packages: FloatArray, actors: np.ndarray | None = None) -> FloatArray:
        """Red-line violation of normalised packages for every actor (or the ``actors``)."""
        low, high = self.acceptable_interval
        if actors is not None:
            low, high = low[actors], high[actors]
        return u.red_line_violation(packages, low, high)

    @property
    def n_links(self) -> int:
        """Number of links ``L`` (linear constraints across issues)."""
        return len(self.link_ids)

    def link_violation(self, packages: FloatArray) -> FloatArray:
        """By how much normalised packages ``(k, m)`` (or ``(m,)``) break each link, in the
        link's own units: ``(k, L)`` (or ``(L,)``), 0 where kept."""
        return lk.link_violation(self.link_matrix, self.link_bound, self.link_row,
                                 self.n_links, packages)

    def relation(self, kind: RelationKind | str) -> FloatArray:
        """``(n, n)`` strengths of one kind of relation, ``[from, to]``."""
        return np.asarray(self.relations[RELATION_KINDS.index(str(kind))])

    def actor_index(self, ids: Sequence[str]) -> np.ndarray:
        """Indices of the named actors; raises UsageError naming an unknown one."""
        index = {a: i for i, a in enumerate(self.actor_ids)}
        unknown = [a for a in ids if a not in index]
        if unknown:
            raise UsageError(f"unknown actor {unknown[0]!r}; known: {', '.join(self.actor_ids)}")
        return np.array([index[a] for a in ids], dtype=int)

    def members(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """Indices of the named actors, or of the parties (all actors if none is a party)."""
        if ids:
            return self.actor_index(ids)
        parties = np.flatnonzero(self.is_party)
        return parties if parties.size else np.arange(self.n_actors)

    def label(self, issue: int, value: float) -> str:
        """A value of an issue as text: the nearest option's name, or the number with its unit."""
        names = self.options[issue]
        if names is not None:
            return names[int(np.clip(np.rint(value), 0, len(names) - 1))]
        unit = f" {self.units[issue]}" if self.units[issue] else ""
        return f"{value:.4g}{unit}"

    def with_values(self, **changes: Any) -> ScenarioArrays:
        """A copy with some arrays replaced (e.g. a Monte Carlo draw or an event's effect)."""
        return replace(self, **changes)


def from_matrices(
    ideal: FloatArray,
    salience: FloatArray,
    capability: FloatArray | Sequence[float] | None = None,
    *,
    lo: FloatArray | float = 0.0,
    hi: FloatArray | float = 1.0,
    batna: FloatArray | None = None,
    red_line: FloatArray | None = None,
    prefers: IntArray | None = None,
    options: tuple[tuple[str, ...] | None, ...] | None = None,
) -> ScenarioArrays:
    """Arrays of ``n`` parties ``a0..`` on ``m`` issues ``i0..`` straight from matrices, for
    tests, contract checks and synthetic studies; unset parts take neutral values (equal
    capability, BATNA 0, no red lines, single-peaked preferences, continuous issues on 0-1).

    >>> from_matrices(np.array([[0.2], [0.8]]), np.ones((2, 1))).n_actors
    2
    """
    x = np.asarray(ideal, dtype=float)
    n, m = x.shape
    return ScenarioArrays(
        actor_ids=tuple(f"a{i}" for i in range(n)),
        actor_names=tuple(f"A{i}" for i in range(n)),
        issue_ids=tuple(f"i{j}" for j in range(m)),
        issue_names=tuple(f"I{j}" for j in range(m)),
        units=("",) * m,
        options=options if options is not None else (None,) * m,
        is_party=np.ones(n, dtype=bool),
        capability=np.ones(n) if capability is None else np.asarray(capability, dtype=float),
        batna=np.zeros(n) if batna is None else np.asarray(batna, dtype=float),
        lo=np.broadcast_to(np.asarray(lo, dtype=float), (m,)).copy(),
        hi=np.broadcast_to(np.asarray(hi, dtype=float), (m,)).copy(),
        ideal=x,
        salience=np.where(np.isnan(x), 0.0, np.asarray(salience, dtype=float)),
        red_line=np.full((n, m), np.nan) if red_line is None else np.asarray(red_line, dtype=float),
        prefers=np.zeros((n, m), dtype=np.int8) if prefers is None else prefers,
        relations=np.zeros((len(RELATION_KINDS), n, n)),
        status_quo=np.full(m, np.nan),
    )


def to_arrays(scenario: Scenario) -> ScenarioArrays:
    """Arrays of a validated scenario (see :func:`zopa.scenario.load_scenario`).

    Raises:
        UsageError: for a voting record (no actors): nothing to model but its votes.
    """
    if scenario.is_record:
        raise UsageError(
            "the scenario is a voting record (no actors): it serves `zopa vote`, `zopa vote fit`, "
            "`zopa backtest` and `zopa power`; models of the negotiation need actors and positions"
        )
    n, m = len(scenario.actors), len(scenario.issues)
    issue_at = {issue.id: j for j, issue in enumerate(scenario.issues)}
    actor_at = {actor.id: i for i, actor in enumerate(scenario.actors)}
    ideal = np.full((n, m), np.nan)
    red = np.full((n, m), np.nan)
    salience = np.zeros((n, m))
    prefers = np.zeros((n, m), dtype=np.int8)
    for actor_id, stances in scenario.positions.items():
        i = actor_at[actor_id]
        for issue_id, position in stances.items():
            j = issue_at[issue_id]
            issue = scenario.issues[j]
            ideal[i, j] = issue.to_number(position.ideal)
            if position.red_line is not None:
                red[i, j] = issue.to_number(position.red_line)
            salience[i, j] = position.salience
            prefers[i, j] = _PREFERS_CODE[position.prefers]
    bounds = np.array([issue.bounds for issue in scenario.issues], dtype=float).reshape(m, 2)
    relations = np.zeros((len(RELATION_KINDS), n, n))
    for r in scenario.relations:
        relations[RELATION_KINDS.index(r.kind.value), actor_at[r.source_actor],
                  actor_at[r.target]] += r.strength
    return ScenarioArrays(
        actor_ids=tuple(a.id for a in scenario.actors),
        actor_names=tuple(a.name for a in scenario.actors),
        issue_ids=tuple(i.id for i in scenario.issues),
        issue_names=tuple(i.name for i in scenario.issues),
        units=tuple(i.unit for i in scenario.issues),
        options=tuple(tuple(i.options) if i.options else None for i in scenario.issues),
        is_party=np.array([a.role == Role.party for a in scenario.actors]),
        capability=np.array([a.capability.value for a in scenario.actors], dtype=float),
        batna=np.array([a.batna.value for a in scenario.actors], dtype=float),
        lo=bounds[:, 0].copy(),
        hi=bounds[:, 1].copy(),
        ideal=ideal,
        salience=salience,
        red_line=red,
        prefers=prefers,
        relations=relations,
        status_quo=_issue_values(scenario, scenario.status_quo),
        uncertainty=uncertain_inputs(scenario),
        valuation=_valuation(scenario),
        **_links(scenario, bounds),
    )


def _valuation(scenario: Scenario) -> u.Valuation | None:
    """The positions' ``values`` as normalised points (:class:`zopa.utility.Valuation`)."""
    n, m = len(scenario.actors), len(scenario.issues)
    issue_at = {issue.id: j for j, issue in enumerate(scenario.issues)}
    actor_at = {actor.id: i for i, actor in enumerate(scenario.actors)}
    found: dict[tuple[int, int], tuple[FloatArray, FloatArray]] = {}
    for actor_id, stances in scenario.positions.items():
        for issue_id, position in stances.items():
            if position.values is None:
                continue
            issue = scenario.issues[issue_at[issue_id]]
            if issue.options is not None and isinstance(position.values, Mapping):
                x = np.linspace(0.0, 1.0, len(issue.options))  # as the outcome space places them
                v = np.array([float(position.values[o]) for o in issue.options])
            else:
                points = np.array(position.values, dtype=float).reshape(-1, 2)
                lo, hi = issue.bounds
                x, v = (points[:, 0] - lo) / (hi - lo), points[:, 1]
            found[actor_at[actor_id], issue_at[issue_id]] = (x, v)
    if not found:
        return None
    p = max(2, *(len(x) for x, _ in found.values()))
    xs, vs = np.full((n, m, p), np.nan), np.full((n, m, p), np.nan)
    mask = np.zeros((n, m), dtype=bool)
    for (i, j), (x, v) in found.items():
        xs[i, j, : len(x)], vs[i, j, : len(v)], mask[i, j] = x, v, True
    return u.Valuation(xs, vs, mask)


def _links(scenario: Scenario, bounds: FloatArray) -> dict[str, Any]:
    """The scenario's links as the rows of :class:`ScenarioArrays` (see :mod:`zopa.links`)."""
    issue_at = {issue.id: j for j, issue in enumerate(scenario.issues)}
    coefficients = np.zeros((len(scenario.links), len(scenario.issues)))
    for k, link in enumerate(scenario.links):
        for issue_id, c in link.terms.items():
            coefficients[k, issue_at[issue_id]] += c
    a, b, rows = lk.link_rows(coefficients, [link.op.value for link in scenario.links],
                              np.array([link.bound for link in scenario.links], dtype=float),
                              bounds[:, 0], bounds[:, 1])
    return {"link_ids": tuple(link.id for link in scenario.links), "link_matrix": a,
            "link_bound": b, "link_row": rows}


def _issue_values(scenario: Scenario, values: Mapping[str, object]) -> FloatArray:
    out = np.full(len(scenario.issues), np.nan)
    for j, issue in enumerate(scenario.issues):
        if issue.id in values:
            number = issue.to_number(values[issue.id])  # type: ignore[arg-type]
            if number is not None:
                out[j] = number
    return out


@dataclass(frozen=True, eq=False)
class DraftArrays:
    """A draft as normalised packages: the proposal and the status quo it is voted against
    (equal off the draft's issues, so only its issues count), and which issues it changes."""

    id: str
    name: str
    proposal: FloatArray
    status_quo: FloatArray
    on: np.ndarray


def draft_arrays(scenario: Scenario, arrays: ScenarioArrays, draft_id: str) -> DraftArrays:
    """The draft ``draft_id`` of the scenario as arrays (see :class:`DraftArrays`).

    Raises:
        UsageError: for an unknown draft, a value off an issue, or an issue without status quo.
    """
    draft: Draft = scenario.draft(draft_id)
    sq_values = scenario.draft_status_quo(draft_id)
    sq_natural = _issue_values(scenario, sq_values)
    proposal_natural = _issue_values(scenario, draft.point)
    for j, issue in enumerate(scenario.issues):
        if issue.id in draft.point:
            if np.isnan(proposal_natural[j]):
                value = draft.point[issue.id]
                raise UsageError(f"draft {draft.id}: {value!r} is not on issue {issue.id}")
            if np.isnan(sq_natural[j]):
                raise UsageError(f"draft {draft.id}: no status quo for issue {issue.id}")
    sq = np.nan_to_num(arrays.normalise(sq_natural), nan=0.5)
    on = ~np.isnan(proposal_natural)
    proposal = np.where(on, arrays.normalise(np.where(on, proposal_natural, 0.0)), sq)
    return DraftArrays(draft.id, draft.name or draft.id, proposal, sq, on)
