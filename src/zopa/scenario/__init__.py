"""The scenario: its file format, loading with located errors, and its array form.

Names are imported on first use, so that reading and validating a file does not load NumPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zopa.lazy import lazy_names

_LAZY: dict[str, str] = {
    "ScenarioArrays": "zopa.scenario.arrays",
    "to_arrays": "zopa.scenario.arrays",
    "load_scenario": "zopa.scenario.loader",
    "Actor": "zopa.scenario.schema",
    "Issue": "zopa.scenario.schema",
    "Position": "zopa.scenario.schema",
    "Scenario": "zopa.scenario.schema",
}

if TYPE_CHECKING:
    from zopa.scenario.arrays import ScenarioArrays, to_arrays
    from zopa.scenario.loader import load_scenario
    from zopa.scenario.schema import Actor, Issue, Position, Scenario


__getattr__, __dir__ = lazy_names("zopa.scenario", _LAZY, globals())

__all__ = ["Actor", "Issue", "Position", "Scenario", "ScenarioArrays", "load_scenario", "to_arrays"]
