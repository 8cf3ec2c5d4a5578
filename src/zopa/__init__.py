"""zopa: model, simulate and forecast multi-party conflict negotiations.

The common path goes through the application layer, one function a use case::

    >>> from zopa import app, load_scenario
    >>> scenario = load_scenario("examples/gaza-2024-03.yaml")
    >>> app.forecast(scenario, model="median").outcome["hostages_phase1"].label
    '97 hostages'

The names below are imported on first use, so that ``import zopa`` (and the command line's
``--help``) stays fast: nothing heavy (scipy, the models, the protocols) loads until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zopa.lazy import lazy_names

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Forecast": "zopa.models.base",
    "ForecastModel": "zopa.models.base",
    "get_model": "zopa.models.base",
    "make_model": "zopa.models.base",
    "model_names": "zopa.models.base",
    "ZoneAnalysis": "zopa.analysis.zone",
    "analyse_zone": "zopa.analysis.zone",
    "Problem": "zopa.errors",
    "ScenarioError": "zopa.errors",
    "UsageError": "zopa.errors",
    "ZopaError": "zopa.errors",
    "Scenario": "zopa.scenario",
    "ScenarioArrays": "zopa.scenario",
    "load_scenario": "zopa.scenario",
    "to_arrays": "zopa.scenario",
}
"""Public name -> the module that defines it."""

if TYPE_CHECKING:
    from zopa.analysis.zone import ZoneAnalysis, analyse_zone
    from zopa.errors import Problem, ScenarioError, UsageError, ZopaError
    from zopa.models.base import Forecast, ForecastModel, get_model, make_model, model_names
    from zopa.scenario import Scenario, ScenarioArrays, load_scenario, to_arrays


__getattr__, __dir__ = lazy_names("zopa", _LAZY, globals())

__all__ = [
    "Forecast",
    "ForecastModel",
    "Problem",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "UsageError",
    "ZoneAnalysis",
    "ZopaError",
    "__version__",
    "analyse_zone",
    "get_model",
    "load_scenario",
    "make_model",
    "model_names",
    "to_arrays",
]
