"""The scenario format: pydantic models for what a scenario file holds.

A scenario is a negotiation at one moment: who takes part (``actors``), what is negotiated
(``issues``), where each actor stands (``positions``), who can press whom (``relations``), the
voting bodies involved (``bodies``), what happened (``events``) and where every number comes from
(``sources``). Field-level ranges are checked here; checks that span several fields or sections
(unknown ids, red lines on the wrong side, values outside an issue's scale) live in
:mod:`zopa.scenario.checks`, so that a file is reported in full, not error by error.

The models live in one module a topic: :mod:`.base` (ids, numbers, provenance, uncertainty),
:mod:`.actors` (actors, issues, positions), :mod:`.institutions` (relations, bodies, events,
drafts), :mod:`.branches` (counterfactual patches) and :mod:`.scenario` (the whole file).
``zopa schema`` prints the JSON Schema of :class:`Scenario` for editors.
"""

from zopa.scenario.schema.actors import (
    Actor,
    ActorKind,
    Issue,
    Position,
    Prefers,
    Role,
)
from zopa.scenario.schema.base import (
    ID_PATTERN,
    URL_PATTERN,
    ActorUncertainty,
    Choice,
    Cited,
    Date,
    Distribution,
    Finite,
    Id,
    Normal,
    Number,
    Point,
    PositionUncertainty,
    Provenance,
    Share,
    Triangular,
    Uniform,
)
from zopa.scenario.schema.branches import Branch
from zopa.scenario.schema.institutions import (
    Abstention,
    Body,
    Draft,
    Effect,
    EffectTarget,
    Event,
    EventType,
    Member,
    Outcome,
    QuotaBasis,
    RecordLink,
    Relation,
    RelationKind,
    Rule,
    Vote,
    VoteResult,
)
from zopa.scenario.schema.links import Link, LinkOp
from zopa.scenario.schema.scenario import Meta, Scenario, Source

__all__ = [
    "ID_PATTERN",
    "URL_PATTERN",
    "Abstention",
    "Actor",
    "ActorKind",
    "ActorUncertainty",
    "Body",
    "Branch",
    "Choice",
    "Cited",
    "Date",
    "Distribution",
    "Draft",
    "Effect",
    "EffectTarget",
    "Event",
    "EventType",
    "Finite",
    "Id",
    "Issue",
    "Link",
    "LinkOp",
    "Member",
    "Meta",
    "Normal",
    "Number",
    "Outcome",
    "Point",
    "Position",
    "PositionUncertainty",
    "Prefers",
    "Provenance",
    "QuotaBasis",
    "RecordLink",
    "Relation",
    "RelationKind",
    "Role",
    "Rule",
    "Scenario",
    "Share",
    "Source",
    "Triangular",
    "Uniform",
    "Vote",
    "VoteResult",
]
