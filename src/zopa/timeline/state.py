"""The changeable numbers of a scenario, for a batch of draws at once.

Events, branches and Monte Carlo draws change the same few numbers of a scenario: ideal points,
saliences, red lines, capabilities, BATNAs and relation strengths. A :class:`State` holds them with
a leading draw axis ``D`` (``D = 1`` for a point run), next to the :class:`ScenarioArrays` whose
other parts (scales, preference shapes, links, stated values) never change. Models that work on a
single scenario get one draw with :meth:`State.arrays`; batched code reads the arrays directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

CHANGEABLE = ("ideal", "salience", "red_line", "capability", "batna", "relations")
"""The fields of :class:`ScenarioArrays` a state varies, in the order of :class:`State`."""


@dataclass(frozen=True, eq=False)
class State:
    """``D`` versions of a scenario's changeable numbers.

    Attributes:
        base: the scenario's arrays; every field not listed below is shared by all draws.
        ideal, salience, red_line: ``(D, n, m)`` in issue units (NaN where no position / no red
            line; an option issue may hold fractional option indices after a relation's pull).
        capability, batna: ``(D, n)``.
        relations: ``(D, kinds, n, n)`` strengths (see :data:`zopa.scenario.arrays.RELATION_KINDS`).
    """

    base: ScenarioArrays
    ideal: FloatArray
    salience: FloatArray
    red_line: FloatArray
    capability: FloatArray
    batna: FloatArray
    relations: FloatArray

    def __post_init__(self) -> None:
        d = self.ideal.shape[0]
        n, m = self.base.n_actors, self.base.n_issues
        k = self.base.relations.shape[0]
        expected = {"ideal": (d, n, m), "salience": (d, n, m), "red_line": (d, n, m),
                    "capability": (d, n), "batna": (d, n), "relations": (d, k, n, n)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"state.{name} must be {shape}, not {getattr(self, name).shape}")

    @classmethod
    def from_arrays(cls, arrays: ScenarioArrays, draws: int = 1) -> State:
        """``draws`` identical copies of the scenario's numbers."""
        if draws < 1:
            raise ValueError(f"a state needs at least one draw, not {draws}")

        def tile(a: FloatArray) -> FloatArray:
            return np.repeat(np.asarray(a, dtype=float)[None], draws, axis=0)

        return cls(arrays, *(tile(getattr(arrays, name)) for name in CHANGEABLE))

    @property
    def draws(self) -> int:
        """Number of draws ``D``."""
        return int(self.ideal.shape[0])

    def arrays(self, draw: int = 0) -> ScenarioArrays:
        """Draw ``draw`` as a :class:`ScenarioArrays` (for code that takes one scenario)."""
        return self.base.with_values(**{name: np.array(getattr(self, name)[draw])
                                        for name in CHANGEABLE})

    def copy(self) -> State:
        """A copy whose arrays can be changed in place."""
        changes: dict[str, Any] = {name: getattr(self, name).copy() for name in CHANGEABLE}
        return replace(self, **changes)

    def take(self, draws: Any) -> State:
        """The draws selected by an index or slice, as a new state."""
        changes: dict[str, Any] = {name: np.asarray(getattr(self, name)[draws])
                                   for name in CHANGEABLE}
        return replace(self, **changes)

    def with_values(self, **changes: FloatArray) -> State:
        """A copy with some of the changeable arrays replaced."""
        unknown = set(changes) - set(CHANGEABLE)
        if unknown:
            raise ValueError(f"not changeable: {', '.join(sorted(unknown))}")
        fields: dict[str, Any] = dict(changes)
        return replace(self, **fields)
