"""The built-in negotiation protocols and strategies as plug-ins (see :mod:`zopa.registry`).

A :class:`StrategySpec` builds a :class:`~zopa.protocols.strategies.Strategy` from declared
parameters; a :class:`ProtocolSpec` names an engine. ``zopa models`` lists both kinds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from zopa.params import Param, ParamValue, parse_params
from zopa.protocols.mediated import run_mediated
from zopa.protocols.results import NegotiationResults, Progress
from zopa.protocols.sao import run_sao
from zopa.protocols.space import NegotiationProblem
from zopa.protocols.strategies import NAMED_EXPONENTS, Strategy, TimeBased, TitForTat
from zopa.registry import PluginSpec
from zopa.seeds import SeedLike
from zopa.utility import FloatArray

_FARATIN = ("Faratin, Sierra & Jennings 1998, Negotiation decision functions for autonomous "
            "agents, Robotics and Autonomous Systems 24(3-4)")

_DEADLINE = Param("deadline_accept", float, 0.0,
                  "share of the time at the end in which anything above the reservation value "
                  "is accepted", low=0.0, high=1.0)
_TIME_BASED = (
    Param("max_aspiration", float, 1.0, "aspiration at the start, 0-1 of the agent's own range",
          low=0.0, high=1.0),
    Param("tolerance", float, 0.001, "how far below its aspiration an agent still offers",
          low=0.0, high=1.0),
    _DEADLINE,
)


@dataclass(frozen=True)
class StrategySpec(PluginSpec):
    """A strategy plug-in: declared parameters and how to build the strategy from them."""

    build: Callable[..., Strategy]

    def make(self, params: dict[str, ParamValue | str] | None = None) -> Strategy:
        """The strategy with ``params`` (text values are parsed; the rest take defaults)."""
        values = parse_params(self.params, params or {}, f"strategy {self.name}")
        return self.build(**values)


def _time_based(exponent: float | None, random_offers: bool = False) -> Callable[..., Strategy]:
    def build(**values: Any) -> Strategy:
        fixed = {} if exponent is None else {"exponent": exponent}
        return TimeBased(**fixed, random_offers=random_offers, **values)
    return build


BOULWARE = StrategySpec("boulware", "Boulware: concedes late (aspiration exponent 4)", _FARATIN,
                        _TIME_BASED, _time_based(NAMED_EXPONENTS["boulware"]))
LINEAR = StrategySpec("linear", "Linear concession (exponent 1)", _FARATIN, _TIME_BASED,
                      _time_based(NAMED_EXPONENTS["linear"]))
CONCEDER = StrategySpec("conceder", "Conceder: concedes early (exponent 0.25)", _FARATIN,
                        _TIME_BASED, _time_based(NAMED_EXPONENTS["conceder"]))
HARDLINER = StrategySpec("hardliner", "Hardliner: never concedes", _FARATIN, _TIME_BASED,
                         _time_based(math.inf))
ASPIRATION = StrategySpec(
    "aspiration", "Polynomial aspiration curve with a chosen exponent", _FARATIN,
    (Param("exponent", float, 4.0, "aspiration exponent: >1 concedes late, <1 early",
           low=1e-6, high=1e6), *_TIME_BASED),
    _time_based(None))
RANDOM = StrategySpec("random", "Random offers within a Boulware aspiration", _FARATIN,
                      _TIME_BASED, _time_based(NAMED_EXPONENTS["boulware"], random_offers=True))
TIT_FOR_TAT = StrategySpec(
    "tit-for-tat", "Naive imitative tit-for-tat", _FARATIN,
    (Param("kindness", float, 1.0, "how much of the opponents' improvement is returned",
           low=0.0, high=10.0), _DEADLINE),
    lambda **values: TitForTat(**values))


class Engine(Protocol):
    """A protocol's engine (:func:`~zopa.protocols.sao.run_sao`'s signature)."""

    def __call__(self, problem: NegotiationProblem, strategies: Sequence[Strategy], *,
                 n_steps: int = ..., runs: int = ..., seed: SeedLike = ...,
                 reservation: FloatArray | None = ..., chunk: int = ...,
                 progress: Progress | None = ..., first: int = ...) -> NegotiationResults:
        """Play ``runs`` negotiations of ``problem``, one strategy per agent, within ``n_steps``
        rounds, and return the results of all runs."""
        ...


@dataclass(frozen=True)
class ProtocolSpec(PluginSpec):
    """A negotiation protocol plug-in: its batched engine."""

    engine: Engine


SAO = ProtocolSpec(
    "sao", "Stacked alternating offers",
    "Aydogan et al. 2017, Alternating offers protocols for multilateral negotiation; "
    "NegMAS SAOMechanism", (), run_sao)
MEDIATED = ProtocolSpec(
    "mediated", "Mediated single negotiation text",
    "Raiffa 1982, The Art and Science of Negotiation; Klein et al. 2003, Protocols for "
    "negotiating complex contracts", (), run_mediated)
