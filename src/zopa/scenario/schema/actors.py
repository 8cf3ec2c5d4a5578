"""Actors, issues and positions: who negotiates, over what, and where each stands."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from zopa.scenario.distinct import repeated_items
from zopa.scenario.schema.base import (
    ActorUncertainty,
    Cited,
    Finite,
    Id,
    Point,
    PositionUncertainty,
    Provenance,
    Share,
    _Model,
)

MAX_SCALE = 1e12
"""Largest magnitude of an issue's scale limits: beyond it, distances on the scale lose the
precision that utilities need (and ``high - low`` can overflow to infinity)."""


class ActorKind(StrEnum):
    """What sort of actor it is (``kind``, default ``other``): shown in listings; no model
    computes with it."""

    state = "state"
    non_state_armed_group = "non_state_armed_group"
    political_party = "political_party"
    mediator = "mediator"
    patron = "patron"
    international_body = "international_body"
    international_organisation = "international_organisation"
    ngo = "ngo"
    firm = "firm"
    person = "person"
    other = "other"


class Role(StrEnum):
    """An actor's part in this negotiation.

    ``party`` actors must agree to a deal (their red lines and BATNAs define the ZOPA and the Nash
    solution); the others take part in the forecast models through their positions and capability.
    """

    party = "party"
    mediator = "mediator"
    patron = "patron"
    stakeholder = "stakeholder"


class Actor(_Model):
    """One entry of ``actors``: who takes part, its ``role``, its ``capability`` (relative power)
    and ``batna`` (utility of no agreement, 0-1), numbers that can cite a source or be marked as
    estimates, and optional ``uncertainty`` for Monte Carlo runs."""

    id: Id
    name: str = Field(min_length=1)
    kind: ActorKind = ActorKind.other
    role: Role = Role.party
    capability: Cited = Field(
        description="Relative power to shape the outcome (any positive scale, e.g. 0-100)."
    )
    batna: Cited = Field(
        default_factory=lambda: Cited(value=0.0),
        description=(
            "Utility of no agreement on zopa's 0-1 scale (1: every issue at the ideal point, "
            "0: every issue at its worst); see docs/utility.md."
        ),
    )
    aliases: list[str] = Field(default_factory=list, description="Other names, for news matching.")
    description: str = ""
    uncertainty: ActorUncertainty | None = None

    @field_validator("capability")
    @classmethod
    def _positive(cls, value: Cited) -> Cited:
        if not value.value > 0:
            raise ValueError(
                f"must be > 0 (relative power on any positive scale), not {value.value:g}"
            )
        if value.value > MAX_SCALE:
            raise ValueError(f"must be at most {MAX_SCALE:g} (rescale every capability), "
                             f"not {value.value:g}")
        return value

    @field_validator("batna")
    @classmethod
    def _utility(cls, value: Cited) -> Cited:
        if not 0.0 <= value.value <= 1.0:
            raise ValueError(
                f"must lie in [0, 1] (a utility on zopa's 0-1 scale), not {value.value:g}"
            )
        return value


def _two_ordered(bounds: list[float]) -> list[float]:
    if len(bounds) != 2:
        raise ValueError(f"must be two numbers [low, high], not {len(bounds)}")
    if not bounds[0] < bounds[1]:
        raise ValueError(f"must be [low, high] with low < high, not [{bounds[0]:g}, {bounds[1]:g}]")
    if max(abs(bounds[0]), abs(bounds[1])) > MAX_SCALE:
        raise ValueError(
            f"limits must lie within ±{MAX_SCALE:g}, not [{bounds[0]:g}, {bounds[1]:g}]: "
            "rescale the issue (e.g. thousands or millions as the unit)"
        )
    return bounds


class Issue(Provenance):
    """A dimension of the deal: a continuous ``range`` or ordered named ``options``."""

    id: Id
    name: str = Field(min_length=1)
    unit: str = ""
    description: str = ""
    range: Annotated[list[Finite], AfterValidator(_two_ordered)] | None = Field(
        None, description="[low, high] for a continuous issue."
    )
    options: list[Annotated[str, StringConstraints(min_length=1)]] | None = Field(
        None, description="Ordered option names for a discrete issue (at least two)."
    )

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[str] | None) -> list[str] | None:
        if options is None:
            return None
        if len(options) < 2:
            raise ValueError(f"needs at least two options, not {len(options)}")
        repeated = repeated_items(options)
        if repeated:
            raise ValueError(f"must be distinct; repeated: {', '.join(map(repr, repeated))}")
        return options

    @model_validator(mode="after")
    def _one_scale(self) -> Issue:
        if self.range is not None and self.options is not None:
            raise ValueError(
                "give either range (a continuous issue) or options (named options), not both"
            )
        if self.range is None and self.options is None:
            raise ValueError(
                "needs a scale: range [low, high] for a continuous issue, or options [...]"
            )
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The scale in issue units; options ``k`` of ``K`` sit at ``k``."""
        if self.range is not None:
            return float(self.range[0]), float(self.range[1])
        assert self.options is not None
        return 0.0, float(len(self.options) - 1)

    def to_number(self, value: Point) -> float | None:
        """A point as a number on the scale, or ``None`` if it names no option of this issue."""
        if isinstance(value, str):
            if self.options is not None and value in self.options:
                return float(self.options.index(value))
            return None
        if self.options is not None and float(value).is_integer():
            return float(value)  # an option given by its index
        return float(value) if self.options is None else None


class Prefers(StrEnum):
    """Shape of an actor's preference on one issue (see docs/utility.md)."""

    ideal = "ideal"  # single-peaked: any departure from the ideal point costs
    more = "more"  # more is never worse: only values below the ideal point cost
    less = "less"  # less is never worse: only values above the ideal point cost


class Position(Provenance):
    """An actor's stance on one issue."""

    ideal: Point = Field(description="Ideal point: a number in the range, or an option's name.")
    salience: Share = Field(description="How much the issue matters to the actor, 0-1.")
    red_line: Point | None = Field(
        None, description="Worst value the actor accepts; values beyond it are unacceptable."
    )
    prefers: Prefers | None = Field(
        None,
        description=(
            "ideal (single-peaked), more or less; default: ideal. With more/less the red line "
            "must lie below/above the ideal point."
        ),
    )
    values: dict[str, Finite] | list[list[Finite]] | None = Field(
        None,
        description=(
            "The actor's value of each point, 0-1 (1 = best): for an options issue a mapping "
            "option -> value (every option); for a range issue a list of [x, value] points, x "
            "increasing from the range's low to its high end (piecewise linear). The loss on the "
            "issue is then 1 - value (docs/utility.md); the ideal point must be a best point."
        ),
    )
    uncertainty: PositionUncertainty | None = None
