"""What-if: a forecast with a few of the scenario's numbers changed (a salience, a BATNA, a red
line), as the web app's sliders ask for it.

A changed value loses its declared uncertainty range: the user has set it.

The changed scenario is validated like a file (schema ranges, then the cross-field checks), so a
slider can never produce a scenario the command line would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from zopa.app.forecast import forecast
from zopa.errors import UsageError
from zopa.results.forecast import ForecastResult
from zopa.scenario.checks import check_scenario
from zopa.scenario.schema import Scenario
from zopa.scenario.schema.actors import Actor, Position


class Change(BaseModel):
    """One changed number: ``salience`` or ``red_line`` of ``actor`` on ``issue``, or an
    ``actor``'s ``batna``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    target: Literal["salience", "red_line", "batna"]
    actor: str
    issue: str | None = None
    value: float


def changed(scenario: Scenario, changes: Sequence[Change]) -> Scenario:
    """The scenario with ``changes`` applied, validated.

    Raises:
        UsageError: an unknown actor or issue, or a value the scenario format refuses (the
            message says which change and why).
    """
    actors = {a.id: a for a in scenario.actors}
    positions = {a: dict(p) for a, p in scenario.positions.items()}
    for change in changes:
        where = f"{change.target} of {change.actor}" + (f" on {change.issue}" if change.issue
                                                         else "")
        if change.actor not in actors:
            raise UsageError(f"{where}: unknown actor {change.actor!r}")
        try:
            if change.target == "batna":
                actor = actors[change.actor]
                data = actor.model_dump(by_alias=True, exclude_unset=True)
                data["batna"] = {**actor.batna.model_dump(exclude_unset=True),
                                 "value": change.value}
                _drop_range(data, "batna")
                actors[change.actor] = Actor.model_validate(data)
                continue
            old = positions.get(change.actor, {}).get(change.issue or "")
            if old is None:
                raise UsageError(f"{where}: the actor has no position on that issue")
            data = {**old.model_dump(by_alias=True, exclude_unset=True),
                    change.target: change.value}
            _drop_range(data, change.target)
            positions[change.actor][change.issue or ""] = Position.model_validate(data)
        except ValidationError as exc:
            message = exc.errors(include_url=False)[0]["msg"]
            raise UsageError(f"{where}: {message}") from None
    result = scenario.model_copy(update={
        "actors": [actors[a.id] for a in scenario.actors], "positions": positions})
    found = check_scenario(result)
    if found:
        path, message = found[0]
        raise UsageError(f"{'.'.join(str(p) for p in path)}: {message}")
    return result


def _drop_range(data: dict[str, Any], field: str) -> None:
    """Forget the declared uncertainty of a value the user set: a what-if is a point answer,
    and the declared range (which must contain the stated value) no longer describes it."""
    ranges = data.get("uncertainty")
    if isinstance(ranges, dict) and field in ranges:
        rest = {k: v for k, v in ranges.items() if k != field and v is not None}
        data["uncertainty"] = rest or None


def what_if(
    scenario: Scenario,
    changes: Sequence[Change],
    *,
    model: str = "compromise",
    file: str | None = None,
) -> ForecastResult:
    """``model``'s forecast of the scenario with ``changes`` applied (point answers, no draws:
    this is the fast path behind live sliders).

    >>> from zopa.scenario import load_scenario
    >>> s = load_scenario("examples/gaza-2024-03.yaml")
    >>> before = forecast(s, model="compromise").outcome["ceasefire_days"].value
    >>> after = what_if(s, [Change(target="salience", actor="hamas", issue="ceasefire_days",
    ...                            value=0.05)]).outcome["ceasefire_days"].value
    >>> before != after
    True
    """
    return forecast(changed(scenario, changes), model=model, file=file)
