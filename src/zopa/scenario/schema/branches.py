"""Branches: named counterfactual patches of the timeline (what if the US had vetoed?)."""

from __future__ import annotations

from pydantic import Field

from zopa.scenario.schema.base import Date, Id, Provenance
from zopa.scenario.schema.institutions import Effect, Event, VoteResult


class Branch(Provenance):
    """One entry of ``branches``: the scenario's history with a patch applied.

    The patch is applied in this order: ``drop`` removes events; ``replace`` puts a new version
    in place of the event with the same id; ``move`` gives events a new date; ``add`` appends
    new events; ``votes`` fixes the result of vote events (their ``effects_if`` for that result
    then apply); ``set`` changes the base (as of ``meta.as_of``) before any event. An empty
    branch is the recorded history.
    """

    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    drop: list[Id] = Field(default_factory=list, description="Ids of events that do not happen.")
    replace: list[Event] = Field(
        default_factory=list, description="Events that happen differently (matched by id)."
    )
    move: dict[Id, Date] = Field(
        default_factory=dict, description="event id -> the date it happens on instead."
    )
    add: list[Event] = Field(default_factory=list, description="Events that happen in addition.")
    votes: dict[Id, VoteResult] = Field(
        default_factory=dict, description="vote event id -> the result it has in this branch."
    )
    set: list[Effect] = Field(
        default_factory=list, description="Changes to the base state, before any event."
    )
