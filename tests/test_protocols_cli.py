"""``zopa negotiate`` and ``zopa analyze`` on a small scenario and a GENIUS folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from test_protocols import SCENARIO
from zopa.cli.app import app
from zopa.cli.negotiate import load_problem

DATA = Path(__file__).parent / "data" / "genius"
runner = CliRunner()


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "pause.yaml"
    path.write_text(SCENARIO)
    return path


def test_analyze_json_shape(scenario: Path) -> None:
    result = runner.invoke(app, ["analyze", str(scenario), "--json", "--resolution", "13"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "zopa.outcomes/1"
    assert data["outcome_count"] == 13 * 3
    assert data["pareto"], "the pause scenario has a zone of agreement"
    for key in ("nash", "kalai_smorodinsky", "max_welfare"):
        point = data[key]
        assert set(point["outcome"]) == {"pause", "exchange"}
        assert set(point["utilities"]) == {"north", "south"}
    # Within both red lines: pause in [4, 6] weeks, exchange partial (north: >= partial,
    # south: < full).
    nash = data["nash"]["outcome"]
    assert 4 <= nash["pause"] <= 6 and nash["exchange"] == "partial"
    assert data["nash"]["utilities"]["north"] >= 0.3


def test_negotiate_json_and_table(scenario: Path) -> None:
    args = ["negotiate", str(scenario), "--runs", "50", "--seed", "3", "--strategy", "random",
            "--strategy", "north=aspiration:2", "--reservation-noise", "0.05", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "zopa.negotiation/1"
    assert data["strategies"] == {"north": "aspiration:2", "south": "random"}
    summary = data["summary"]
    assert summary["runs"] == 50 == len(data["runs"])
    assert summary["agreements"] == sum(r["agreement"] for r in data["runs"])
    for record in data["runs"]:
        if record["agreement"]:
            assert set(record["outcome"]) == {"pause", "exchange"}
    again = runner.invoke(app, args)
    assert again.stdout == result.stdout  # same seed, same runs
    table = runner.invoke(app, ["negotiate", str(scenario), "--protocol", "mediated"])
    assert table.exit_code == 0
    assert "agreement rate" in table.stdout


def test_negotiate_on_a_genius_folder() -> None:
    result = runner.invoke(app, ["negotiate", str(DATA / "Trilateral"), "--json",
                                 "--strategy", "linear", "--rounds", "20"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["runs"][0]["agreement"] is True
    assert data["resolution"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "auction"], "unknown protocol 'auction'; known: sao, mediated"),
        (["--strategy", "stubborn"], "unknown strategy 'stubborn'"),
        (["--strategy", "nobody=linear"], "unknown agent 'nobody'"),
        (["--strategy", "aspiration:x"], "parameter exponent: 'x' is not a number"),
        (["--strategy", "boulware:exponent=2"], "strategy boulware has no parameter 'exponent'"),
        (["--strategy", "aspiration:0"], "parameter exponent: 0 is below its minimum"),
        (["--strategy", "tit-for-tat:kindness=x"], "parameter kindness: 'x' is not a number"),
        (["--agents", "south,south"], "agents named twice: south"),
        (["--runs", "100000000"], "runs must be between 1 and 10,000,000"),
        (["--seed", "-1"], "a seed must be between 0 and 2**128 - 1"),
    ],
)
def test_negotiate_usage_errors(scenario: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["negotiate", str(scenario), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_load_problem_selects_agents(scenario: Path) -> None:
    found = load_problem(scenario, 5, "south,broker")
    assert found.problem.agents == ("south", "broker")
    assert found.header.title.startswith("Pause talks")
    genius = load_problem(DATA / "Trilateral", 5, "tri_gamma,tri_alpha")
    assert genius.problem.agents == ("tri_gamma", "tri_alpha")
