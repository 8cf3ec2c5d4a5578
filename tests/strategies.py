"""Hypothesis strategies for random *valid* scenario files (as the dicts a YAML/JSON file holds).

Shared by every test that needs scenarios: draw a dict with :func:`scenario_dicts`, validate it with
``Scenario.model_validate`` (or dump it to YAML/JSON and load the file). Every dict drawn passes the
schema and :func:`zopa.scenario.checks.check_scenario`:

- actors ``a0..a{n-1}``, issues ``i0..i{m-1}`` (continuous ``range`` or named ``options``);
- every actor takes a position on each issue with probability ``coverage`` (at least one issue);
- ideal points inside the issue's scale (option issues: the option's name or its index);
- saliences in [0, 1]; ``prefers`` one of none / ideal / more / less;
- optional red lines on the acceptable side: at or below the ideal point for ``more``, at or above
  it for ``less``, anywhere on the scale otherwise;
- cited numbers sometimes bare, sometimes ``{value, source, estimate}``; with ``extras``, also
  sources, relations between distinct actors and a voting body.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PREFERS = (None, "ideal", "more", "less")


def _unit(draw: st.DrawFn) -> float:
    """A fraction in [0, 1], often exactly 0 or 1 (the edges of a scale)."""
    return draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))


def _cited(draw: st.DrawFn, value: float, sources: list[str]) -> Any:
    """A number bare or as ``{value, source | estimate}``."""
    forms = ["bare", "estimate", "source"] if sources else ["bare", "estimate"]
    form = draw(st.sampled_from(forms))
    if form == "bare":
        return value
    if form == "estimate":
        return {"value": value, "estimate": True}
    return {"value": value, "source": draw(st.sampled_from(sources))}


@st.composite
def issue_dicts(draw: st.DrawFn, issue_id: str, options: bool = True) -> dict[str, Any]:
    """One issue: a continuous range (any finite scale) or 2-6 named options."""
    if options and draw(st.booleans()):
        count = draw(st.integers(2, 6))
        names = [f"o{k}" for k in range(count)]
        return {"id": issue_id, "name": issue_id.upper(), "options": names}
    low = draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    width = draw(st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False))
    high = low + width
    if not low < high:  # width lost to rounding next to a large low
        high = low + abs(low) * 1e-9 + 1e-3
    return {"id": issue_id, "name": issue_id.upper(), "range": [low, high]}


@st.composite
def position_dicts(
    draw: st.DrawFn, issue: dict[str, Any], red_lines: bool = True
) -> dict[str, Any]:
    """A position on ``issue``, with an optional red line on the acceptable side."""
    prefers = draw(st.sampled_from(PREFERS))
    with_red = red_lines and draw(st.booleans())
    if "options" in issue:
        names = issue["options"]
        top = len(names) - 1
        ideal = draw(st.integers(0, top))
        low, high = {"more": (0, ideal), "less": (ideal, top)}.get(prefers or "", (0, top))
        red = draw(st.integers(low, high))

        def named(k: int) -> int | str:
            return str(names[k]) if draw(st.booleans()) else k

        ideal_value: float | str = named(ideal)
        red_value: float | str = named(red)
    else:
        # Fractions of the scale; low + x * width is monotonic in x, so the order survives.
        lo, hi = float(issue["range"][0]), float(issue["range"][1])
        fraction, step = _unit(draw), _unit(draw)
        red_fraction = {
            "more": fraction * step,
            "less": fraction + (1.0 - fraction) * step,
        }.get(prefers or "", step)

        def scaled(x: float) -> float:
            return min(max(lo + x * (hi - lo), lo), hi)

        ideal_value, red_value = scaled(fraction), scaled(red_fraction)
    position: dict[str, Any] = {"ideal": ideal_value, "salience": _unit(draw)}
    if prefers is not None:
        position["prefers"] = prefers
    if with_red:
        position["red_line"] = red_value
    return position


@st.composite
def scenario_dicts(
    draw: st.DrawFn,
    min_actors: int = 1,
    max_actors: int = 5,
    max_issues: int = 4,
    red_lines: bool = True,
    options: bool = True,
    extras: bool = True,
    coverage: float = 0.8,
) -> dict[str, Any]:
    """A random valid scenario as a plain dict (see the module docstring)."""
    n = draw(st.integers(min_actors, max_actors))
    m = draw(st.integers(1, max_issues))
    sources = [f"s{k}" for k in range(draw(st.integers(0, 2)))] if extras else []
    issues = [draw(issue_dicts(f"i{j}", options=options)) for j in range(m)]
    actors = []
    for i in range(n):
        actor: dict[str, Any] = {
            "id": f"a{i}",
            "name": f"Actor {i}",
            "role": draw(st.sampled_from(["party", "party", "mediator", "stakeholder"])),
            "capability": _cited(draw, draw(st.floats(0.01, 1000.0)), sources),
        }
        if draw(st.booleans()):
            actor["batna"] = _cited(draw, _unit(draw), sources)
        actors.append(actor)
    positions: dict[str, dict[str, Any]] = {}
    for actor in actors:
        chosen = [issue for issue in issues if draw(st.floats(0.0, 1.0)) < coverage]
        stances = chosen or [issues[draw(st.integers(0, m - 1))]]
        positions[actor["id"]] = {
            issue["id"]: draw(position_dicts(issue, red_lines=red_lines)) for issue in stances
        }
    scenario: dict[str, Any] = {
        "meta": {"title": "Random scenario", "as_of": "2024-03-20"},
        "actors": actors,
        "issues": issues,
        "positions": positions,
    }
    if extras:
        scenario["sources"] = [{"id": s, "title": f"Source {s}"} for s in sources]
        if n >= 2 and draw(st.booleans()):
            a, b = draw(st.lists(st.sampled_from([x["id"] for x in actors]), min_size=2,
                                 max_size=2, unique=True))
            scenario["relations"] = [
                {"from": a, "to": b, "kind": "pressure", "strength": _unit(draw)}
            ]
        if draw(st.booleans()):
            members = [{"id": f"m{i}", "actor": actor["id"]} for i, actor in enumerate(actors)]
            scenario["bodies"] = [
                {"id": "body", "name": "Body", "members": members,
                 "rule": {"quota": draw(st.integers(1, n)), "veto": [members[0]["id"]]}}
            ]
    return scenario
