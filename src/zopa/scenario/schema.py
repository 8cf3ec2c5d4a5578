"""The scenario format: pydantic models for what a scenario file holds.

A scenario is a negotiation at one moment: who takes part (``actors``), what is negotiated
(``issues``), where each actor stands (``positions``), who can press whom (``relations``), the
voting bodies involved (``bodies``), what happened (``events``) and where every number comes from
(``sources``). Field-level ranges are checked here; checks that span several fields or sections
(unknown ids, red lines on the wrong side, values outside an issue's scale) live in
:mod:`zopa.scenario.checks`, so that a file is reported in full, not error by error.

``zopa schema`` prints the JSON Schema of :class:`Scenario` for editors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from zopa.errors import UsageError

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


Distribution = Annotated[Normal | Uniform | Triangular, Field(discriminator="dist")]


class PositionUncertainty(_Model):
    """Uncertainty about an actor's ideal point (in issue units) and salience."""

    ideal: Distribution | None = None
    salience: Distribution | None = None


class ActorUncertainty(_Model):
    """Uncertainty about an actor's capability and BATNA."""

    capability: Distribution | None = None
    batna: Distribution | None = None


# --- actors and issues -------------------------------------------------------------------------


class ActorKind(StrEnum):
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
        repeated = sorted({o for o in options if options.count(o) > 1})
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
    uncertainty: PositionUncertainty | None = None


# --- relations, bodies, events, sources -------------------------------------------------------


class RelationKind(StrEnum):
    pressure = "pressure"  # can impose costs on the target to move it
    influence = "influence"  # can persuade the target
    mediation = "mediation"  # carries proposals to the target
    alliance = "alliance"  # shares interests with the target
    patronage = "patronage"  # supplies the target (arms, money, cover)


class Relation(Provenance):
    source_actor: Id = Field(alias="from")
    target: Id = Field(alias="to")
    kind: RelationKind
    strength: Share = Field(description="0 (none) to 1 (decisive).")


class Member(_Model):
    id: Id
    name: str | None = None
    actor: Id | None = Field(None, description="The scenario actor this member is, if any.")
    weight: Annotated[Number, Field(gt=0.0, allow_inf_nan=False)] = 1.0
    population: Annotated[Number, Field(ge=0.0, allow_inf_nan=False)] | None = None


class QuotaBasis(StrEnum):
    votes = "votes"  # ``quota`` is an absolute number of (weighted) yes votes
    members = "members"  # ``quota`` is a share of all members' weight
    present_and_voting = "present_and_voting"  # a share of the weight of yes + no votes


class Abstention(StrEnum):
    """What a veto holder's abstention or absence means."""

    not_veto = "not_veto"  # Security Council practice under Art. 27(3)
    veto = "veto"  # unanimity among veto holders is required


class Rule(_Model):
    quota: Annotated[Number, Field(gt=0.0, allow_inf_nan=False)]
    basis: QuotaBasis = QuotaBasis.votes
    veto: list[Id] = Field(default_factory=list, description="Member ids holding a veto.")
    abstention: Abstention = Abstention.not_veto
    population_quota: Share | None = Field(
        None, description="Double majority: share of members' population that must vote yes."
    )
    blocking_minority: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Double majority: fewest members whose no can block on population."
    )

    @model_validator(mode="after")
    def _share(self) -> Rule:
        if self.basis != QuotaBasis.votes and self.quota > 1.0:
            raise ValueError(
                f"quota {self.quota:g} on basis {self.basis.value} is a share and must be <= 1"
            )
        return self


class Body(Provenance):
    id: Id
    name: str = Field(min_length=1)
    members: list[Member] = Field(min_length=1)
    rule: Rule


class EventType(StrEnum):
    talks = "talks"
    proposal = "proposal"
    counter_proposal = "counter_proposal"
    acceptance = "acceptance"
    rejection = "rejection"
    statement = "statement"
    vote = "vote"
    walkout = "walkout"
    military = "military"
    humanitarian = "humanitarian"
    other = "other"


class Vote(StrEnum):
    yes = "yes"
    no = "no"
    abstain = "abstain"
    absent = "absent"


class VoteResult(StrEnum):
    adopted = "adopted"
    failed = "failed"
    vetoed = "vetoed"


class EffectTarget(StrEnum):
    ideal = "ideal"
    salience = "salience"
    red_line = "red_line"
    batna = "batna"
    capability = "capability"
    relation = "relation"


class Effect(Provenance):
    """A change an event makes to the scenario, from the event's date on."""

    target: EffectTarget
    actor: Id
    issue: Id | None = Field(None, description="For ideal, salience and red_line.")
    to: Id | None = Field(None, description="For relation: the target actor.")
    kind: RelationKind | None = Field(None, description="For relation: which relation.")
    set: Point | None = Field(None, description="New value.")
    delta: Finite | None = Field(None, description="Change added to the current value.")

    @model_validator(mode="after")
    def _one_change(self) -> Effect:
        if self.set is not None and self.delta is not None:
            raise ValueError("give either set (a new value) or delta (a change), not both")
        if self.set is None and self.delta is None:
            raise ValueError("needs set (a new value) or delta (a change)")
        on_issue = (EffectTarget.ideal, EffectTarget.salience, EffectTarget.red_line)
        needs_issue = self.target in on_issue
        if needs_issue and self.issue is None:
            raise ValueError(f"an effect on {self.target.value} needs an issue")
        if self.target == EffectTarget.relation and (self.to is None or self.kind is None):
            raise ValueError("an effect on a relation needs to (the target actor) and kind")
        return self


class Event(Provenance):
    id: Id
    date: Date
    type: EventType
    title: str = Field(min_length=1)
    text: str = ""
    actors: list[Id] = Field(default_factory=list)
    body: Id | None = Field(None, description="For a vote: the voting body.")
    draft: str | None = Field(None, description="For a vote: the draft's symbol or name.")
    votes: dict[Id, Vote] | None = Field(None, description="For a vote: member id -> vote.")
    result: VoteResult | None = Field(None, description="For a vote: what happened.")
    effects: list[Effect] = Field(
        default_factory=list, description="Changes the event made, whatever a vote's result."
    )
    effects_if: dict[VoteResult, list[Effect]] = Field(
        default_factory=dict,
        description=(
            "For a vote: changes that follow from each possible result (adopted, failed, vetoed), "
            "so that counterfactual results can be run."
        ),
    )

    @model_validator(mode="after")
    def _vote_fields(self) -> Event:
        if self.type == EventType.vote and self.body is None:
            raise ValueError("a vote event needs a body")
        if self.votes is not None and self.body is None:
            raise ValueError("votes need a body: give the voting body's id in body")
        return self


class Draft(Provenance):
    """A draft put to a vote, as a (partial) point in the issue space (see docs/institutions.md)."""

    id: Id
    name: str | None = Field(None, description="The draft's symbol or title, e.g. S/2024/239.")
    body: Id | None = Field(None, description="The body the draft is put to.")
    point: dict[Id, Point] = Field(
        min_length=1,
        description="issue id -> value the draft would set; other issues are left as they are.",
    )
    status_quo: dict[Id, Point] = Field(
        default_factory=dict,
        description="issue id -> value if the draft is not adopted; overrides `status_quo`.",
    )


class Source(_Model):
    id: Id
    title: str = Field(min_length=1)
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)] | None = None
    publisher: str | None = None
    date: Date | None = None


class Meta(_Model):
    title: str = Field(min_length=1)
    as_of: Date = Field(description="Date the positions describe.")
    description: str = ""
    authors: list[str] = Field(default_factory=list)


class Scenario(_Model):
    """A negotiation scenario; see docs/scenario.md for every field."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="zopa scenario",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    meta: Meta
    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    positions: dict[Id, dict[Id, Position]] = Field(
        description="actor id -> issue id -> position."
    )
    relations: list[Relation] = Field(default_factory=list)
    bodies: list[Body] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    status_quo: dict[Id, Point] = Field(
        default_factory=dict,
        description="issue id -> value without a decision: what drafts are voted against.",
    )
    drafts: list[Draft] = Field(default_factory=list, description="Drafts put to bodies' votes.")

    def actor(self, actor_id: str) -> Actor:
        return _by_id(self.actors, actor_id, "actor")

    def issue(self, issue_id: str) -> Issue:
        return _by_id(self.issues, issue_id, "issue")

    def body(self, body_id: str) -> Body:
        return _by_id(self.bodies, body_id, "body")

    def draft(self, draft_id: str) -> Draft:
        return _by_id(self.drafts, draft_id, "draft")


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def _by_id(items: Sequence[_Item], item_id: str, what: str) -> _Item:
    """The item with this id; a :class:`UsageError` lists the known ids."""
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in items) or "none"
    raise UsageError(f"unknown {what} {item_id!r} (known: {known})")
