"""The whole scenario: sources, meta data, every section, and lookups by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol, TypeVar

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
)

from zopa.errors import UsageError
from zopa.scenario.schema.actors import (
    Actor,
    Issue,
    Position,
)
from zopa.scenario.schema.base import (
    URL_PATTERN,
    Date,
    Id,
    Point,
    _Model,
)
from zopa.scenario.schema.branches import Branch
from zopa.scenario.schema.institutions import (
    Body,
    Draft,
    Event,
    Relation,
)
from zopa.scenario.schema.links import Link


class Source(_Model):
    """One entry of ``sources``: a document that numbers cite by its ``id`` (``source:``), with
    title, url, publisher and date."""

    id: Id
    title: str = Field(min_length=1)
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)] | None = None
    publisher: str | None = None
    date: Date | None = None


class Meta(_Model):
    """The ``meta`` section: the scenario's title, the date its positions describe (``as_of``),
    a description and its authors."""

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
    actors: list[Actor] = Field(
        default_factory=list,
        description="The parties; none in a voting record (bodies, drafts and votes only).",
    )
    issues: list[Issue] = Field(min_length=1)
    positions: dict[Id, dict[Id, Position]] = Field(
        default_factory=dict, description="actor id -> issue id -> position."
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
    links: list[Link] = Field(
        default_factory=list, description="Linear constraints across issues (docs/scenario.md)."
    )
    branches: list[Branch] = Field(
        default_factory=list,
        description="Named counterfactual patches of the events (docs/timeline.md).",
    )

    @property
    def is_record(self) -> bool:
        """Whether this is only a voting record (no actors): negotiation models cannot run."""
        return not self.actors

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id; a :class:`UsageError` lists the known ids."""
        return _by_id(self.actors, actor_id, "actor")

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id; a :class:`UsageError` lists the known ids."""
        return _by_id(self.issues, issue_id, "issue")

    def body(self, body_id: str) -> Body:
        """The voting body with this id; a :class:`UsageError` lists the known ids."""
        return _by_id(self.bodies, body_id, "body")

    def branch(self, branch_id: str) -> Branch:
        """The branch with this id; a :class:`UsageError` lists the known ids."""
        return _by_id(self.branches, branch_id, "branch")

    def draft(self, draft_id: str) -> Draft:
        """The draft with this id; a :class:`UsageError` lists the known ids."""
        return _by_id(self.drafts, draft_id, "draft")

    def draft_status_quo(self, draft_id: str) -> dict[str, Point]:
        """What the draft is voted against, issue by issue: the scenario's ``status_quo``; for an
        amendment, the text it amends (that draft's status quo with its point); then the draft's
        own ``status_quo`` on top. A circle of amendments (a validation error) stops where it
        closes."""
        chain: list[Draft] = []
        draft: Draft | None = self.draft(draft_id)
        while draft is not None and draft.id not in {d.id for d in chain}:
            chain.append(draft)
            found = [d for d in self.drafts if d.id == draft.amends]
            draft = found[0] if found else None
        values = dict(self.status_quo)
        for older in reversed(chain[1:]):  # the oldest text first
            values |= older.status_quo | older.point
        return values | chain[0].status_quo


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
