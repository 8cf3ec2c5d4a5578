"""Relations, voting bodies, events with their effects, and drafts put to votes."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    Field,
    model_validator,
)

from zopa.scenario.schema.base import (
    Date,
    Distribution,
    Finite,
    Id,
    Number,
    Point,
    Provenance,
    Share,
    _Model,
)


class RelationKind(StrEnum):
    """What one actor can do to another (``kind`` of a relation)."""

    pressure = "pressure"  # can impose costs on the target to move it
    influence = "influence"  # can persuade the target
    mediation = "mediation"  # carries proposals to the target
    alliance = "alliance"  # shares interests with the target
    patronage = "patronage"  # supplies the target (arms, money, cover)


class Relation(Provenance):
    """One entry of ``relations``: a directed tie ``from`` one actor ``to`` another, of a
    ``kind``, with a ``strength`` from 0 to 1. Vote prediction pulls a member towards the views
    of the actors related to it (docs/institutions.md); events' effects can change relations."""

    source_actor: Id = Field(alias="from")
    target: Id = Field(alias="to")
    kind: RelationKind
    strength: Share = Field(description="0 (none) to 1 (decisive).")
    uncertainty: Distribution | None = Field(
        None, description="Distribution of the strength, for Monte Carlo runs.")


class Member(_Model):
    """A member of a voting body: its id within the body, the scenario ``actor`` it is (if any,
    whose positions then predict its vote), its vote ``weight`` (default 1) and ``population``
    (needed by a population quota)."""

    id: Id
    name: str | None = None
    actor: Id | None = Field(None, description="The scenario actor this member is, if any.")
    weight: Annotated[Number, Field(gt=0.0, le=1e12, allow_inf_nan=False)] = 1.0
    population: Annotated[Number, Field(ge=0.0, le=1e12, allow_inf_nan=False)] | None = None


class QuotaBasis(StrEnum):
    """What a rule's ``quota`` is counted against (``basis``, default ``votes``)."""

    votes = "votes"  # ``quota`` is an absolute number of (weighted) yes votes
    members = "members"  # ``quota`` is a share of all members' weight
    present_and_voting = "present_and_voting"  # a share of the weight of yes + no votes


class Abstention(StrEnum):
    """What a veto holder's abstention or absence means."""

    not_veto = "not_veto"  # Security Council practice under Art. 27(3)
    veto = "veto"  # unanimity among veto holders is required


class Rule(_Model):
    """A body's decision rule (``rule``): the yes ``quota`` and its ``basis``, the ``veto``
    holders and whether their abstention or absence blocks, and the optional double-majority
    criterion on population (docs/institutions.md)."""

    quota: Annotated[Number, Field(gt=0.0, le=1e15, allow_inf_nan=False)]
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


class RecordLink(_Model):
    """Where a body's voting record is kept when it is not in the scenario itself (``record`` of
    a body): a record ``file`` (a path relative to the scenario's file) and the ``series`` of
    bodies in that file whose votes are this body's record."""

    file: str = Field(min_length=1, description="Record file, relative to the scenario's file.")
    series: Id = Field(description="The series of bodies in that file (their `series`).")


class Body(Provenance):
    """One entry of ``bodies``: a voting body (a council, a parliament), its ``members`` and the
    ``rule`` by which it decides. Vote events and drafts refer to it by id.

    A body's membership is fixed; an institution whose members change (the Security Council's
    elected members rotate each January) is one body per term, the terms joined by a common
    ``series``: a member id that sits in several terms keeps one voting record across them.
    ``blocs`` name groups of members that often act together (the elected members, a regional
    group); the fitted vote model learns how much a member follows its bloc-mates' sponsorship.
    """

    id: Id
    name: str = Field(min_length=1)
    members: list[Member] = Field(min_length=1)
    rule: Rule
    series: Id | None = Field(
        None, description="Bodies of one series are terms of one institution (shared record)."
    )
    blocs: dict[Id, list[Id]] = Field(
        default_factory=dict, description="bloc id -> member ids (groups that act together)."
    )
    record: RecordLink | None = Field(
        None, description="A record file holding this body's earlier votes (fitted vote model)."
    )


class EventType(StrEnum):
    """What kind of event it is (``type``); a ``vote`` must name its body."""

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
    """How a member voted (``votes`` of a vote event); members not listed are absent.
    ``unknown``: the member voted, but no source says how (a record keeps what it knows)."""

    yes = "yes"
    no = "no"
    abstain = "abstain"
    absent = "absent"
    unknown = "unknown"


class VoteResult(StrEnum):
    """What a vote decided: ``adopted``; ``failed`` (short of the quota); ``vetoed`` (it had the
    votes, but a veto holder blocked it)."""

    adopted = "adopted"
    failed = "failed"
    vetoed = "vetoed"


class Outcome(StrEnum):
    """How the talks ended, when an event records it (``outcome`` of an event): it resolves the
    dated forecasts made before it (``zopa score``)."""

    agreement = "agreement"  # the parties reached a deal
    breakdown = "breakdown"  # the talks (or this round of them) ended without one


class EffectTarget(StrEnum):
    """What an effect changes: an actor's ``ideal``, ``salience`` or ``red_line`` on an issue,
    its ``batna`` or ``capability``, or the strength of its ``relation`` to another actor."""

    ideal = "ideal"
    salience = "salience"
    red_line = "red_line"
    batna = "batna"
    capability = "capability"
    relation = "relation"


class Effect(Provenance):
    """A change an event makes to the scenario, from the event's date on: ``set`` a new value or
    add a ``delta``; ``uncertainty`` is the distribution of that number (the new value or the
    change), for Monte Carlo runs."""

    target: EffectTarget
    actor: Id
    issue: Id | None = Field(None, description="For ideal, salience and red_line.")
    to: Id | None = Field(None, description="For relation: the target actor.")
    kind: RelationKind | None = Field(None, description="For relation: which relation.")
    set: Point | None = Field(None, description="New value.")
    delta: Finite | None = Field(None, description="Change added to the current value.")
    uncertainty: Distribution | None = Field(
        None, description="Distribution of the number given in set or delta."
    )

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
    """One entry of ``events``: something that happened on a ``date`` (talks, a proposal, a
    vote...). A vote names its ``body`` and may record the ``votes`` and ``result``; ``effects``
    and ``effects_if`` say how the event changes the scenario, so that a model can be run after
    each possible result of a vote."""

    id: Id
    date: Date
    type: EventType
    title: str = Field(min_length=1)
    text: str = ""
    actors: list[Id] = Field(default_factory=list)
    body: Id | None = Field(None, description="For a vote: the voting body.")
    draft: Id | None = Field(None, description="For a vote: the id of the draft voted on.")
    votes: dict[Id, Vote] | None = Field(None, description="For a vote: member id -> vote.")
    result: VoteResult | None = Field(None, description="For a vote: what happened.")
    outcome: Outcome | None = Field(
        None, description="agreement or breakdown: the event ends the talks (or this round).")
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
    sponsors: list[Id] = Field(
        default_factory=list, description="Member ids of the draft's body that sponsor it."
    )
    amends: Id | None = Field(
        None,
        description=(
            "For an amendment: the id of the draft it amends, whose point is then the amendment's "
            "status quo (under the amendment's own `status_quo`)."
        ),
    )
