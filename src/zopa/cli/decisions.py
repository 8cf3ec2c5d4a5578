"""The ``--decision EVENT=RESULT`` option, shared by every command that runs a scenario.

A command adds ``decision: list[str] = DecisionOpt`` to its parameters and calls
:func:`with_decisions` on the loaded scenario: the vote events named are given the result chosen
(real or counterfactual) and their effects are applied (:mod:`zopa.institutions.decisions`).
"""

from __future__ import annotations

import typer

from zopa.errors import UsageError
from zopa.institutions.decisions import parse_result, scenario_with_decisions
from zopa.scenario.schema import Scenario, VoteResult

DecisionOpt = typer.Option(
    [],
    "--decision",
    "-D",
    metavar="EVENT=RESULT",
    help=(
        "Run the scenario after vote EVENT with RESULT (adopted, failed or vetoed), applying the "
        "event's effects and effects_if[RESULT]; repeatable."
    ),
)


def parse_decisions(pairs: list[str]) -> list[tuple[str, VoteResult]]:
    """``["unsc_res_2728=vetoed"]`` -> ``[("unsc_res_2728", VoteResult.vetoed)]``."""
    out: list[tuple[str, VoteResult]] = []
    for pair in pairs:
        event, sep, result = pair.partition("=")
        if not sep or not event.strip():
            raise UsageError(f"--decision takes EVENT=RESULT, not {pair!r}")
        if any(e == event.strip() for e, _ in out):
            raise UsageError(f"--decision: event {event.strip()!r} given twice")
        out.append((event.strip(), parse_result(result)))
    return out


def with_decisions(scenario: Scenario, pairs: list[str]) -> Scenario:
    """The scenario with the decisions of ``--decision`` options applied (unchanged if none)."""
    decisions = parse_decisions(pairs)
    return scenario_with_decisions(scenario, decisions) if decisions else scenario
