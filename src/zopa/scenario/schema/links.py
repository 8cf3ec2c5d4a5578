"""Linked issues: linear constraints across issues that every package must keep."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from zopa.scenario.schema.base import Finite, Id, Provenance


class LinkOp(StrEnum):
    """How a link's left-hand side compares with its bound."""

    at_most = "<="
    at_least = ">="
    equal = "=="


class Link(Provenance):
    """One entry of ``links``: ``sum_j terms[j] * value_j  op  bound``.

    Values are in the issues' own units (an option issue by option index, 0 = first option).
    Example: ``{id: pause_for_hostages, terms: {hostages_phase1: 1, ceasefire_days: -0.5},
    op: ">=", bound: 0}`` reads "at least one hostage for every two days of pause".
    """

    id: Id
    name: str | None = None
    terms: dict[Id, Finite] = Field(
        description="issue id -> coefficient of the issue's value (issue units)."
    )
    op: LinkOp = Field(description="'<=', '>=' or '=='.")
    bound: Finite
