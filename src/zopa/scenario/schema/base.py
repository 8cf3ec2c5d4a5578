"""Building blocks of the scenario format: ids, numbers, dates, provenance and uncertainty."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*$"
URL_PATTERN = r"^https?://\S+$"


def _not_bool(value: Any) -> Any:
    # pydantic reads true as 1.0; in a scenario that is a slip (``salience: true``), not a number.
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_number", "Input should be a number, not a boolean")
    return value


def _date_text(value: Any) -> Any:
    # pydantic reads a number as a Unix timestamp; a scenario's dates are written YYYY-MM-DD.
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")
    return value


Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=64),
    Field(description="Identifier: a letter, then letters, digits, '_', '-' or '.'."),
]
Number = Annotated[float, BeforeValidator(_not_bool)]
Finite = Annotated[Number, Field(allow_inf_nan=False)]
Share = Annotated[Number, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Date = Annotated[dt.date, BeforeValidator(_date_text)]
Point = Finite | str
"""A value on an issue: a number on a continuous scale, or an option's name."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Provenance(_Model):
    """Where a number comes from: a source id, or an explicit admission that it is an estimate."""

    source: Id | None = Field(None, description="Id of an entry in `sources`.")
    estimate: bool = Field(False, description="True if the number is the author's estimate.")
    note: str | None = Field(None, description="How the number was derived.")


class Cited(Provenance):
    """A number with its provenance. A bare number is accepted and read as ``{value: number}``."""

    value: Finite

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"value": data}
        return data


# --- uncertainty -------------------------------------------------------------------------------


class Normal(_Model):
    """Normal noise around the stated value (truncated to the valid range when sampled)."""

    dist: Literal["normal"]
    sd: Annotated[Number, Field(gt=0.0, allow_inf_nan=False)]


class Uniform(_Model):
    """Uniform on ``[low, high]`` (absolute values, which must contain the stated value)."""

    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Triangular(_Model):
    """Triangular on ``[low, high]`` with its peak at ``mode`` (absolute values)."""

    dist: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(
                f"need low <= mode <= high and low < high, not low {self.low:g}, "
                f"mode {self.mode:g}, high {self.high:g}"
            )
        return self


class Choice(_Model):
    """One of a few discrete ``values`` (e.g. where sources disagree), with ``weights``
    (probabilities; equal if omitted) and, optionally, the ``sources`` each value comes from."""

    dist: Literal["choice"]
    values: list[Finite] = Field(min_length=2, max_length=64)
    weights: list[Annotated[Number, Field(gt=0.0, allow_inf_nan=False)]] | None = None
    sources: list[Id] | None = Field(None, description="Source id of each value, in order.")

    @model_validator(mode="after")
    def _parallel(self) -> Choice:
        for name in ("weights", "sources"):
            given = getattr(self, name)
            if given is not None and len(given) != len(self.values):
                raise ValueError(
                    f"{name} must have one entry per value ({len(self.values)}), not {len(given)}"
                )
        return self

    @property
    def low(self) -> float:
        """The smallest value."""
        return float(min(self.values))

    @property
    def high(self) -> float:
        """The largest value."""
        return float(max(self.values))

    @property
    def probabilities(self) -> list[float]:
        """Each value's probability (the weights normalised; equal if none are given)."""
        weights = self.weights or [1.0] * len(self.values)
        total = float(sum(weights))
        return [float(w) / total for w in weights]


Distribution = Annotated[Normal | Uniform | Triangular | Choice, Field(discriminator="dist")]


class PositionUncertainty(_Model):
    """Uncertainty about an actor's ideal point and red line (in issue units) and salience."""

    ideal: Distribution | None = None
    salience: Distribution | None = None
    red_line: Distribution | None = None


class ActorUncertainty(_Model):
    """Uncertainty about an actor's capability and BATNA."""

    capability: Distribution | None = None
    batna: Distribution | None = None
