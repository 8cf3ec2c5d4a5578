"""The `zopa` command on small scenarios written for the tests (tests/data/cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zopa.cli.app import app

DATA = Path(__file__).parent / "data" / "cli"
TRUCE = DATA / "truce.yaml"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("model", ["compromise", "median", "nash"])
def test_forecast_json(model: str) -> None:
    code, out, _ = run("forecast", str(TRUCE), "--model", model, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "zopa.forecast/1"
    assert data["model"] == model
    assert [r["round"] for r in data["rounds"]] == [0]
    assert set(data["rounds"][0]["outcome"]) == {"days", "hostages", "end"}
    assert data["rounds"][0]["positions"]["qat"]["hostages"] is None  # no position
    assert data["zone"]["feasible"] is True
    assert set(data["evaluation"]) == {"isr", "ham"}
    if model == "nash":
        assert all(e["acceptable"] for e in data["evaluation"].values())
        assert data["outcome"]["end"]["label"] == "talks"
        assert data["outcome"]["days"]["value"] == pytest.approx(60.0, abs=1e-6)


def test_forecast_table_and_zone() -> None:
    code, out, _ = run("forecast", str(TRUCE))
    assert code == 0
    assert "Outcome per issue" in out and "ZOPA exists" in out
    code, out, _ = run("zone", str(TRUCE), "--actors", "isr,ham")
    assert code == 0 and "ZOPA of isr, ham" in out


def test_zone_json_to_file(tmp_path: Path) -> None:
    target = tmp_path / "zone.json"
    code, _, err = run("zone", str(TRUCE), "--json", "-o", str(target))
    assert code == 0 and "wrote" in err
    data = json.loads(target.read_text())
    assert data["format"] == "zopa.zone/1"
    assert data["issues"]["end"] == {
        "low": 1.0, "high": 1.0, "empty": False, "low_set_by": ["ham"], "high_set_by": ["isr"]
    }
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_no_zone_reports_shortfalls() -> None:
    code, out, _ = run("zone", str(DATA / "deadlock.yaml"))
    assert code == 0
    assert "No ZOPA" in out
    code, out, _ = run("forecast", str(DATA / "deadlock.yaml"), "-m", "nash", "--json")
    data = json.loads(out)
    assert data["zone"]["feasible"] is False
    assert data["evaluation"] is None
    assert all(v is None for v in data["outcome"].values() for v in [v["value"]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "TRUCE", "-m", "nope"], "error: unknown model 'nope'"),
        (["forecast", "TRUCE", "--param", "x"], "error: --param takes KEY=VALUE"),
        (["zone", "TRUCE", "--actors", "isr,xyz"], "error: unknown actor 'xyz'"),
        (["forecast", "missing.yaml"], "missing.yaml: <file>: no such file"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*[str(TRUCE) if a == "TRUCE" else a for a in args])
    assert code == 2
    assert err.strip() == message or err.strip().startswith(message)
    assert "Traceback" not in out + err


def test_validate_and_show_and_schema() -> None:
    code, out, _ = run("validate", str(TRUCE), "--warnings")
    assert code == 0 and "truce.yaml: ok (3 actors, 3 issues" in out
    assert f"{TRUCE}: actors.0.capability: warning: no source and not an estimate\n" in out
    code, out, _ = run("show", str(TRUCE))
    assert code == 0 and "Positions" in out and "Ceasefire length" in out
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert {"meta", "actors", "issues", "positions"} <= set(schema["properties"])


def test_validate_reports_every_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: {title: x, as_of: 2024-01-01}\nactors: []\nissues: []\n")
    code, out, err = run("validate", str(TRUCE), str(bad))
    assert code == 2
    assert "ok" in out
    assert f"{bad}:3: issues: needs at least 1 entry" in err
