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
from typing import Any, ClassVar

import numpy as np

from zopa.errors import UsageError
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

ParamValue = float | int | str | bool


@dataclass(frozen=True)
class Param:
    """A declared model parameter."""

    name: str
    type: type[float] | type[int] | type[str] | type[bool]
    default: ParamValue
    help: str
    choices: tuple[str, ...] | None = None

    def parse(self, value: ParamValue) -> ParamValue:
        """Coerce a value (e.g. text from ``--param k=v``) to this parameter's type."""
        try:
            if self.type is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                parsed: ParamValue = value.lower() in ("true", "1", "yes")
            else:
                parsed = self.type(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"parameter {self.name}: {value!r} is not a {self.type.__name__}"
            ) from None
        if isinstance(parsed, float) and not np.isfinite(parsed):
            raise UsageError(f"parameter {self.name}: must be finite")
        if self.choices is not None and parsed not in self.choices:
            raise UsageError(
                f"parameter {self.name}: {parsed!r} is not one of {', '.join(self.choices)}"
            )
        return parsed


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

    def __init__(self, **params: ParamValue) -> None:
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            names = ", ".join(declared) or "none"
            raise UsageError(
                f"model {self.name} has no parameter {unknown[0]!r} (parameters: {names})"
            )
        self.parameters: dict[str, ParamValue] = {
            p.name: p.parse(params[p.name]) if p.name in params else p.default for p in self.params
        }

    def run(
        self, scenario: ScenarioArrays, *, rounds: int | None = None, seed: int | None = None
    ) -> Forecast:
        """Forecast the outcome of ``scenario``.

        Args:
            scenario: the scenario's arrays.
            rounds: rounds to simulate (dynamic models; default :attr:`default_rounds`).
            seed: seed of the model's random generator, for models that draw random numbers.
        """
        if rounds is not None and rounds < 0:
            raise UsageError("rounds must be >= 0")
        steps = self.default_rounds if rounds is None else rounds
        return self._run(scenario, steps if self.dynamic else 0, np.random.default_rng(seed))

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


_REGISTRY: dict[str, type[ForecastModel]] = {}


def register(cls: type[ForecastModel]) -> type[ForecastModel]:
    """Class decorator: make a model available by its ``name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a model named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def model_names() -> list[str]:
    _load_builtin_models()
    return sorted(_REGISTRY)


def get_model(name: str) -> type[ForecastModel]:
    """The model class registered as ``name``; raises UsageError listing the known names."""
    _load_builtin_models()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown model {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def make_model(name: str, params: Mapping[str, ParamValue] | None = None) -> ForecastModel:
    return get_model(name)(**dict(params or {}))


def _load_builtin_models() -> None:
    # Imported lazily: the built-in model modules import this one.
    import zopa.models.builtin  # noqa: F401
