"""The scenario: its file format, loading with located errors, and its array form."""

from zopa.scenario.arrays import ScenarioArrays, to_arrays
from zopa.scenario.loader import load_scenario
from zopa.scenario.schema import Actor, Issue, Position, Scenario

__all__ = ["Actor", "Issue", "Position", "Scenario", "ScenarioArrays", "load_scenario", "to_arrays"]
