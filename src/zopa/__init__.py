"""zopa: model, simulate and forecast multi-party conflict negotiations.

The common path in four lines::

    from zopa import load_scenario, to_arrays, make_model, analyse_zone
    arrays = to_arrays(load_scenario("examples/gaza-2024-03.yaml"))
    forecast = make_model("nash").run(arrays)
    zone = analyse_zone(arrays)
"""

from zopa.analysis.zone import ZoneAnalysis, analyse_zone
from zopa.errors import Problem, ScenarioError, UsageError, ZopaError
from zopa.models.base import Forecast, ForecastModel, get_model, make_model, model_names
from zopa.scenario import Scenario, ScenarioArrays, load_scenario, to_arrays

__version__ = "0.1.0"

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
