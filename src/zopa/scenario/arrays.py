"""A scenario as arrays over actors x issues: what every model and analysis computes on.

Values keep the issues' natural units (``ideal``, ``red_line``, ``lo``, ``hi``); the normalised
forms that :mod:`zopa.utility` works with are derived properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from zopa import utility as u
from zopa.errors import UsageError
from zopa.scenario.schema import Prefers, Role, Scenario
from zopa.utility import FloatArray, IntArray

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

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_issues(self) -> int:
        return len(self.issue_ids)

    @cached_property
    def has_position(self) -> np.ndarray:
        return ~np.isnan(self.ideal)

    @cached_property
    def ideal_normalised(self) -> FloatArray:
        """Normalised ideal points; 0.5 where no position (its weight is 0 anyway)."""
        return np.nan_to_num(u.normalise(self.ideal, self.lo, self.hi), nan=0.5)

    @cached_property
    def weights(self) -> FloatArray:
        return u.salience_weights(self.salience)

    @cached_property
    def acceptable_interval(self) -> tuple[FloatArray, FloatArray]:
        """Normalised ``(low, high)`` each actor accepts per issue, from its red lines."""
        red = u.normalise(self.red_line, self.lo, self.hi)
        return u.acceptable_interval(self.ideal_normalised, red)

    def normalise(self, values: FloatArray) -> FloatArray:
        return u.normalise(values, self.lo, self.hi)

    def denormalise(self, values: FloatArray) -> FloatArray:
        return u.denormalise(values, self.lo, self.hi)

    def utility(self, packages: FloatArray) -> FloatArray:
        """Utility of normalised packages ``(k, m)`` or ``(m,)`` for every actor."""
        return u.utility(packages, self.ideal_normalised, self.weights, self.prefers)

    def violation(self, packages: FloatArray) -> FloatArray:
        """Red-line violation of normalised packages for every actor."""
        low, high = self.acceptable_interval
        return u.red_line_violation(packages, low, high)

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

    def with_values(self, **changes: np.ndarray) -> ScenarioArrays:
        """A copy with some arrays replaced (e.g. a Monte Carlo draw or an event's effect)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def to_arrays(scenario: Scenario) -> ScenarioArrays:
    """Arrays of a validated scenario (see :func:`zopa.scenario.load_scenario`)."""
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
    )
