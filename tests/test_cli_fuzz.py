"""A fuzz of the command line: random argument lists per command, hostile values included.

Whatever the arguments, a command ends with exit 0 or 2, never a traceback. The work limits are
lowered for the fuzz (as a user could by asking for less) so that valid but large requests stay
quick; the limits themselves are tested in tests/test_budgets.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zopa.app import decisions, negotiation
from zopa.cli.app import app
from zopa.models.base import ForecastModel

ROOT = Path(__file__).resolve().parent.parent
GAZA = str(ROOT / "examples" / "gaza-2024-03.yaml")
EU = str(ROOT / "examples" / "eu-recovery-2020.yaml")
TRUCE = str(ROOT / "tests" / "data" / "genius" / "Truce")

HOSTILE = ["-1", "0", "1", "2", "nan", "inf", "-inf", "1e9", "", " ", "x", "=", "a=b", "a=",
           "=b", "99999999999999999999999", "0.5", "-0.0", "\x1b[31mred", "../../etc/passwd",
           "israel", "hamas", "unsc", "unsc_res_2728", "draft_res_2728", "vetoed", "adopted",
           "compromise", "bdm", "exchange", "nash", "median", "sao", "mediated", "boulware",
           "aspiration:2", "israel=linear", "beta=5", "default=0.6,0.1,0.3", "q=0.5",
           "united_states=no", "x" * 300]
"""Values every option may get: hostile, borderline and valid ones."""

COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    # command -> (files it may read, options it takes)
    "forecast": ([GAZA, EU], ["--model", "--rounds", "--param", "--seed", "--decision",
                             "--grid", "--workers", "--executor"]),
    "zone": ([GAZA, EU], ["--actors", "--decision"]),
    "analyze": ([GAZA, EU, TRUCE], ["--resolution", "--agents", "--decision"]),
    "negotiate": ([GAZA, EU, TRUCE], ["--protocol", "--strategy", "--rounds", "--runs", "--seed",
                                      "--reservation-noise", "--resolution", "--agents"]),
    "power": ([GAZA, EU], ["--body", "--builtin", "--method"]),
    "vote": ([GAZA], ["--body", "--draft", "--event", "--set", "--param", "--decision"]),
    "compare-decision": ([GAZA], ["--event", "--results", "--model", "--param", "--rounds",
                                  "--seed", "--negotiate"]),
    "models": ([], ["--kind"]),
    "schema": ([], ["--result"]),
    "show": ([GAZA, EU], []),
    "validate": ([GAZA, EU, TRUCE], []),
}


@pytest.fixture(autouse=True)
def small_limits() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(negotiation, "MAX_RUN_ROUNDS", 200_000)
        patch.setattr(decisions, "MAX_NEGOTIATIONS", 50)
        patch.setattr(ForecastModel, "max_rounds", 30)
        yield


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    files, options = COMMANDS[command]
    argv = [command]
    if files:
        argv.append(draw(st.sampled_from([*files, "missing.yaml", str(ROOT)])))
    for option in draw(st.lists(st.sampled_from(options), max_size=4)) if options else []:
        argv += [option, draw(st.sampled_from(HOSTILE))]
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_any_command_line_ends_cleanly(argv: list[str]) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code in (0, 2), (argv, result.exit_code, result.output, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv, repr(result.exception))
    assert "Traceback" not in result.stdout + result.stderr, argv
