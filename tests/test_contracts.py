"""Every plug-in of every kind passes the contract of its kind (zopa.contracts), and a plug-in
registered here gets the same checks without a line of test code of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pytest

from zopa import registry
from zopa.contracts import CHECKS, ContractError, check_plugin
from zopa.models.base import Forecast, ForecastModel, Param
from zopa.scenario.arrays import ScenarioArrays

CASES = [
    (kind, name, check)
    for kind in registry.KINDS
    for name in registry.names(kind)
    for check in CHECKS[kind]
]


@pytest.mark.parametrize(("kind", "name", "check"), CASES,
                         ids=[f"{k}-{n}-{c.__name__}" for k, n, c in CASES])
def test_contract(kind: registry.Kind, name: str, check: Any) -> None:
    check(registry.get(kind, name))


def test_every_kind_has_a_contract_and_plugins() -> None:
    for kind in registry.KINDS:
        assert CHECKS[kind], kind
        assert registry.names(kind), kind


class ToyMean(ForecastModel):
    """The unweighted mean of the ideal points: the smallest honest model."""

    name = "toy-mean"
    title = "Unweighted mean (test)"
    reference = "Arithmetic"
    params: ClassVar[tuple[Param, ...]] = (
        Param("shrink", float, 0.0, "pull towards the middle", low=0.0, high=1.0),
    )

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        mean = np.nanmean(scenario.ideal, axis=0)
        middle = (scenario.lo + scenario.hi) / 2
        shrink = float(self.parameters["shrink"])
        return self._static(scenario, (1 - shrink) * mean + shrink * middle)


class ToyNoisy(ToyMean):
    """Draws fresh entropy, ignoring the seed: must fail the determinism contract."""

    name = "toy-noisy"

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        noise = np.random.default_rng().uniform(-1, 1, scenario.n_issues)
        return self._static(scenario, np.nanmean(scenario.ideal, axis=0) + noise)


@pytest.fixture
def toys() -> Iterator[None]:
    registry.register("model", ToyMean)
    registry.register("model", ToyNoisy)
    yield
    registry.unregister("model", "toy-mean")
    registry.unregister("model", "toy-noisy")


@pytest.mark.usefixtures("toys")
def test_a_registered_toy_model_runs_through_every_contract() -> None:
    assert "toy-mean" in registry.names("model")
    check_plugin("model", registry.get("model", "toy-mean"))  # passes every check
    with pytest.raises(ContractError, match="same seed differ"):
        check_plugin("model", registry.get("model", "toy-noisy"))


@pytest.mark.usefixtures("toys")
def test_a_registered_model_is_usable_everywhere() -> None:
    from zopa import app
    from zopa.scenario import load_scenario

    result = app.forecast(load_scenario("examples/eu-recovery-2020.yaml"), model="toy-mean",
                          params={"shrink": "0.5"})
    assert result.model == "toy-mean" and result.parameters == {"shrink": 0.5}


def test_registering_a_second_model_under_a_taken_name_is_refused() -> None:
    class Impostor(ToyMean):
        name = "median"

    with pytest.raises(ValueError, match="already registered"):
        registry.register("model", Impostor)
