"""What the use cases share: a scenario prepared for a run (decisions applied, arrays built),
the header every result names it by, and per-party verdicts on a package."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from zopa.institutions.decisions import parse_result, scenario_with_decisions
from zopa.results.base import IssueInfo, ScenarioHeader, number
from zopa.results.forecast import PartyVerdict
from zopa.scenario.arrays import ScenarioArrays, to_arrays
from zopa.scenario.schema import Scenario, VoteResult
from zopa.utility import FloatArray

Decisions = Mapping[str, VoteResult | str] | Sequence[tuple[str, VoteResult | str]]
"""Vote events with a chosen result (real or counterfactual): ``{"unsc_res_2728": "vetoed"}``."""


@dataclass(frozen=True, eq=False)
class Prepared:
    """A scenario ready for a run: after the chosen decisions, as arrays, with its header."""

    scenario: Scenario
    arrays: ScenarioArrays
    header: ScenarioHeader


def prepare(scenario: Scenario, decisions: Decisions = (), file: str | None = None) -> Prepared:
    """Apply ``decisions`` (vote events' effects for the chosen results) and build the arrays."""
    pairs = list(decisions.items()) if isinstance(decisions, Mapping) else list(decisions)
    if pairs:
        parsed = [(event, parse_result(r) if isinstance(r, str) else r) for event, r in pairs]
        scenario = scenario_with_decisions(scenario, parsed)
    return Prepared(scenario, to_arrays(scenario), header(scenario, file))


def header(scenario: Scenario, file: str | None = None) -> ScenarioHeader:
    """The scenario's title, date and file, as every result names it."""
    return ScenarioHeader(title=scenario.meta.title, as_of=scenario.meta.as_of.isoformat(),
                          file=file)


def issue_info(arrays: ScenarioArrays) -> list[IssueInfo]:
    """Each issue's id, name, unit and options (so that results can be shown on their own)."""
    return [
        IssueInfo(id=i, name=name, unit=unit, options=list(opts) if opts else None)
        for i, name, unit, opts in zip(arrays.issue_ids, arrays.issue_names, arrays.units,
                                       arrays.options, strict=True)
    ]


def issue_values(arrays: ScenarioArrays, values: FloatArray) -> dict[str, float | None]:
    """Per issue id, a value rounded for JSON (``None`` where missing)."""
    return {issue: number(v) for issue, v in zip(arrays.issue_ids, values, strict=True)}


def verdicts(arrays: ScenarioArrays, package: FloatArray, members: np.ndarray
             ) -> dict[str, PartyVerdict]:
    """Each member's utility, surplus over its BATNA, red-line violation and acceptance of a
    package given in issue units."""
    z = arrays.normalise(package)
    util = arrays.utility(z)
    violation = arrays.violation(z)
    out = {}
    for i in members:
        surplus = util[i] - arrays.batna[i]
        out[arrays.actor_ids[i]] = PartyVerdict(
            utility=number(util[i]),
            batna=number(arrays.batna[i]),
            surplus=number(surplus),
            red_line_violation=number(violation[i]),
            acceptable=bool(violation[i] <= 1e-9 and surplus >= -1e-9),
        )
    return out
