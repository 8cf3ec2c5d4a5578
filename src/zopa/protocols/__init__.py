"""Negotiation protocols: outcome space, strategies, batched and step-by-step engines.

Typical use::

    from zopa.protocols import problem_from_arrays, run_sao, make_strategy
    problem = problem_from_arrays(to_arrays(load_scenario("examples/gaza-2024-03.yaml")))
    results = run_sao(problem, [make_strategy("boulware")] * problem.n_agents, runs=1000)

docs/negotiation.md explains the protocols, the strategies and how they compare with NegMAS.
"""

from zopa.protocols.mediated import run_mediated
from zopa.protocols.on_draws import DrawResults, negotiate_on_draws
from zopa.protocols.reference import reference_mediated, reference_sao
from zopa.protocols.results import NegotiationResults, summarise
from zopa.protocols.sao import run_sao
from zopa.protocols.space import (
    NegotiationProblem,
    OutcomeSpace,
    problem_from_arrays,
    space_from_arrays,
)
from zopa.protocols.strategies import (
    AgentView,
    Strategy,
    TimeBased,
    TitForTat,
    Turn,
    View,
    make_strategy,
)

__all__ = [
    "AgentView",
    "DrawResults",
    "NegotiationProblem",
    "NegotiationResults",
    "OutcomeSpace",
    "Strategy",
    "TimeBased",
    "TitForTat",
    "Turn",
    "View",
    "make_strategy",
    "negotiate_on_draws",
    "problem_from_arrays",
    "reference_mediated",
    "reference_sao",
    "run_mediated",
    "run_sao",
    "space_from_arrays",
    "summarise",
]
