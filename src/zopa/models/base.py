"""The interface every forecast model implements, and the registry that finds models by name.

A model is a small class in the scikit-learn manner: its constructor only stores declared
parameters (checked against :attr:`ForecastModel.params`); :meth:`ForecastModel.run` does the work
on a :class:`~zopa.scenario.arrays.ScenarioArrays` and returns a :class:`Forecast`. Static models
(compromise, median, Nash) return round 0 only; dynamic ones (expected utility, exchange) one entry
per round.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import numpy as np

from zopa import registry
from zopa.errors import BudgetError, UsageError
from zopa.params import Param, parse_params
from zopa.scenario.arrays import ScenarioArrays
from zopa.seeds import SeedLike, as_generator
from zopa.utility import FloatArray

ParamValue = float | int | str | bool
"""What a model parameter holds (models declare no tuple parameters)."""

__all__ = ["Forecast", "ForecastModel", "Param", "ParamValue", "get_model", "make_model",
           "model_names", "register"]

@dataclass(frozen=True, eq=False)
class Forecast:
    """What a model run returns.

    Attributes:
        model: registry name of the model.
        parameters: every parameter's value, defaults included.
        actor_ids, issue_ids: labels of the axes.
        positions: ``(rounds + 1, n_actors, n_issues)`` positions in issue units; round 0 is the
            start (the scenario's ideal points, NaN where an actor takes no position).
        outcome: ``(rounds + 1, n_issues)`` the predicted outcome per issue after each round.
        diagnostics: model-specific, JSON-serialisable (e.g. challenges, exchanges).
    """

    model: str
    parameters: dict[str, ParamValue]
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    positions: FloatArray
    outcome: FloatArray
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        """Number of rounds simulated (0 for static models); ``outcome`` has one more row."""
        return int(self.outcome.shape[0]) - 1

    @property
    def final(self) -> FloatArray:
        """The outcome after the last round, per issue, in issue units."""
        return np.asarray(self.outcome[-1], dtype=float)


class ForecastModel(ABC):
    """Base of forecast models; subclasses set ``name``, ``title``, ``reference``, ``params``."""

    name: ClassVar[str]
    title: ClassVar[str]
    reference: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()
    dynamic: ClassVar[bool] = False
    """True if the model moves positions round by round (``rounds`` matters)."""
    default_rounds: ClassVar[int] = 0

    order_independent: ClassVar[bool] = True
    """False if the outcome may depend on the order of the actors (the contract suite then
    skips that check; the model's docs must say why)."""
    max_rounds: ClassVar[int] = 10_000
    """Most rounds a run may ask for (a usage error beyond it, before any work)."""
    max_work: ClassVar[int] = 2_000_000_000
    """Most units of :meth:`work` a run may take (about a few minutes for the built-ins)."""
    work_unit: ClassVar[str] = "actor-issue-rounds"
    """What :meth:`work` counts, for the message when a run is refused."""

    @classmethod
    def work(cls, n_actors: int, n_issues: int, rounds: int) -> int:
        """The work of a run, known before it starts (default: actors x issues x rounds)."""
        return n_actors * n_issues * max(rounds, 1)

    def __init__(self, **params: ParamValue | tuple[float, ...]) -> None:
        self.parameters = cast(
            "dict[str, ParamValue]", parse_params(self.params, params, f"model {self.name}")
        )

    def run(
        self, scenario: ScenarioArrays, *, rounds: int | None = None, seed: SeedLike = None
    ) -> Forecast:
        """Forecast the outcome of ``scenario``.

        Args:
            scenario: the scenario's arrays.
            rounds: rounds to simulate (dynamic models; default :attr:`default_rounds`).
            seed: seed or generator of the model's random numbers, for models that draw any.
        """
        return self._run(scenario, self._steps(scenario, rounds), as_generator(seed))

    def _steps(self, scenario: ScenarioArrays, rounds: int | None) -> int:
        """The rounds a run of ``scenario`` takes, after checking them and the run's work."""
        if rounds is not None and not 0 <= rounds <= self.max_rounds:
            raise UsageError(f"rounds must be between 0 and {self.max_rounds:,}, not {rounds}")
        steps = (self.default_rounds if rounds is None else rounds) if self.dynamic else 0
        work = self.work(scenario.n_actors, scenario.n_issues, steps)
        if work > self.max_work:
            raise BudgetError(
                f"model {self.name}: {scenario.n_actors:,} actors x {scenario.n_issues:,} issues"
                f" x {steps:,} rounds is {work:,} {self.work_unit}, beyond the limit of "
                f"{self.max_work:,}: use fewer rounds, fewer actors (those with little "
                "salience or capability) or fewer issues"
            )
        return steps

    @abstractmethod
    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        """Do the work; ``rounds`` is 0 for static models."""

    def _static(
        self, scenario: ScenarioArrays, outcome: FloatArray, **diagnostics: Any
    ) -> Forecast:
        """A one-round forecast of ``outcome`` from the scenario's ideal points."""
        return Forecast(
            model=self.name,
            parameters=dict(self.parameters),
            actor_ids=scenario.actor_ids,
            issue_ids=scenario.issue_ids,
            positions=scenario.ideal[None].copy(),
            outcome=np.asarray(outcome, dtype=float)[None].copy(),
            diagnostics=diagnostics,
        )


def register(cls: type[ForecastModel]) -> type[ForecastModel]:
    """Class decorator: make a model available by its ``name`` (see :mod:`zopa.registry`)."""
    return registry.register("model", cls)


def model_names() -> list[str]:
    """Names of every registered model (no model module is imported)."""
    return registry.names("model")


def get_model(name: str) -> type[ForecastModel]:
    """The model class registered as ``name``; raises UsageError listing the known names."""
    return cast("type[ForecastModel]", registry.get("model", name))


def make_model(
    name: str, params: Mapping[str, ParamValue | tuple[float, ...]] | None = None
) -> ForecastModel:
    """An instance of model ``name`` with ``params`` (text values are parsed)."""
    return get_model(name)(**dict(params or {}))
