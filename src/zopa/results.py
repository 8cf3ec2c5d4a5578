"""Plain, JSON-ready dictionaries of zopa's results: the stable machine-readable format.

docs/json.md documents every key. ``format`` names the layout and its version; a key is never
removed or changes meaning within a version. Missing numbers (an actor without a position, a model
without a solution) are ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from zopa.analysis.bargaining import package_distance
from zopa.analysis.zone import ZoneAnalysis
from zopa.models.base import Forecast
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.schema import Scenario
from zopa.utility import FloatArray

FORECAST_FORMAT = "zopa.forecast/1"
ZONE_FORMAT = "zopa.zone/1"


def number(value: float) -> float | None:
    """A float for JSON: ``None`` for NaN, rounded to 12 significant digits to hide float noise."""
    v = float(value)
    if not math.isfinite(v):
        return None
    return float(f"{v:.12g}")


def issue_values(scenario: ScenarioArrays, values: FloatArray) -> dict[str, float | None]:
    return {issue: number(v) for issue, v in zip(scenario.issue_ids, values, strict=True)}


def scenario_header(scenario: Scenario, file: str | None = None) -> dict[str, Any]:
    return {"title": scenario.meta.title, "as_of": scenario.meta.as_of.isoformat(), "file": file}


def evaluate_package(
    scenario: ScenarioArrays, package: FloatArray, members: np.ndarray
) -> dict[str, Any]:
    """Each member's utility, surplus over its BATNA, red-line violation and acceptance of a
    package given in issue units."""
    z = scenario.normalise(package)
    util = scenario.utility(z)
    violation = scenario.violation(z)
    out = {}
    for i in members:
        surplus = util[i] - scenario.batna[i]
        out[scenario.actor_ids[i]] = {
            "utility": number(util[i]),
            "batna": number(scenario.batna[i]),
            "surplus": number(surplus),
            "red_line_violation": number(violation[i]),
            "acceptable": bool(violation[i] <= 1e-9 and surplus >= -1e-9),
        }
    return out


def forecast_to_dict(
    forecast: Forecast,
    scenario: ScenarioArrays,
    *,
    header: dict[str, Any],
    title: str,
    reference: str,
    seed: int | None,
    nash: Forecast | None,
    zone: ZoneAnalysis | None,
) -> dict[str, Any]:
    rounds = [
        {
            "round": r,
            "outcome": issue_values(scenario, forecast.outcome[r]),
            "positions": {
                actor: issue_values(scenario, forecast.positions[r, i])
                for i, actor in enumerate(forecast.actor_ids)
            },
        }
        for r in range(forecast.rounds + 1)
    ]
    final = forecast.final
    members = scenario.members()
    result: dict[str, Any] = {
        "format": FORECAST_FORMAT,
        "scenario": header,
        "model": forecast.model,
        "title": title,
        "reference": reference,
        "parameters": forecast.parameters,
        "seed": seed,
        "rounds": rounds,
        "outcome": {
            issue: {"value": number(v), "label": scenario.label(j, v) if math.isfinite(v) else None}
            for j, (issue, v) in enumerate(zip(scenario.issue_ids, final, strict=True))
        },
        "evaluation": evaluate_package(scenario, final, members)
        if np.all(np.isfinite(final))
        else None,
        "diagnostics": forecast.diagnostics,
    }
    if nash is not None:
        nash_final = nash.final
        feasible = bool(np.all(np.isfinite(nash_final)))
        result["nash"] = {
            "outcome": issue_values(scenario, nash_final),
            "distance": number(
                package_distance(scenario.normalise(final), scenario.normalise(nash_final))
            )
            if feasible and np.all(np.isfinite(final))
            else None,
        }
    if zone is not None:
        result["zone"] = zone_to_dict(zone, scenario)
    return result


def zone_to_dict(zone: ZoneAnalysis, scenario: ScenarioArrays) -> dict[str, Any]:
    return {
        "members": list(zone.members),
        "feasible": zone.feasible,
        "margin": number(zone.margin),
        "issues": {
            z.issue: {
                "low": number(z.low),
                "high": number(z.high),
                "empty": z.empty,
                "low_set_by": list(z.low_set_by),
                "high_set_by": list(z.high_set_by),
            }
            for z in zone.issues
        },
        "package": issue_values(scenario, zone.package),
        "package_kind": "most_balanced_acceptable" if zone.feasible else "closest",
        "members_at_package": {
            actor: {
                "utility": number(zone.utility[k]),
                "surplus": number(zone.surplus[k]),
                "shortfall": number(zone.shortfall[k]),
                "red_line_violation": number(zone.violation[k]),
            }
            for k, actor in enumerate(zone.members)
        },
    }
