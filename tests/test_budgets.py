"""Every command sizes its work before starting: requests beyond a stated limit are refused at
once with one line naming the limit and how to go past it (exit 2, no traceback); requests
within the limits run, scaling the method where needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from zopa.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
GAZA = str(ROOT / "examples" / "gaza-2024-03.yaml")
EU = str(ROOT / "examples" / "eu-recovery-2020.yaml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def refused(*args: str) -> str:
    code, err = run(*args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def synthetic(path: Path, parties: int, issues: int, seed: int = 1) -> Path:
    """A valid scenario of random parties on 0-100 issues."""
    rng = np.random.default_rng(seed)
    doc = {
        "meta": {"title": f"synthetic {parties}x{issues}", "as_of": "2024-01-01"},
        "actors": [{"id": f"a{i}", "name": f"A{i}", "capability": 1 + i % 5, "batna": 0.1}
                   for i in range(parties)],
        "issues": [{"id": f"i{j}", "name": f"I{j}", "range": [0, 100]} for j in range(issues)],
        "positions": {f"a{i}": {f"i{j}": {"ideal": float(rng.integers(0, 101)),
                                          "salience": round(float(rng.uniform(0.1, 1)), 2)}
                                for j in range(issues)} for i in range(parties)},
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def genius_folder(folder: Path, issues: int, values: int) -> Path:
    """A GENIUS domain of ``issues`` x ``values`` with two profiles."""
    folder.mkdir()
    items = "".join(
        f'<issue etype="discrete" index="{j + 1}" name="I{j}" type="discrete" vtype="discrete">'
        + "".join(f'<item index="{k + 1}" value="v{k}"></item>' for k in range(values))
        + "</issue>" for j in range(issues))
    (folder / "big_domain.xml").write_text(
        f'<negotiation_template><utility_space number_of_issues="{issues}"><objective index="0"'
        f' name="root" type="objective" etype="objective">{items}</objective></utility_space>'
        "</negotiation_template>")
    for name in ("a", "b"):
        body = "".join(
            f'<issue index="{j + 1}" name="I{j}" vtype="discrete" type="discrete" '
            'etype="discrete">'
            + "".join(f'<item index="{k + 1}" value="v{k}" evaluation="{k + 1}"></item>'
                      for k in range(values))
            + "</issue>" for j in range(issues))
        weights = "".join(f'<weight index="{j + 1}" value="{1 / issues}"></weight>'
                          for j in range(issues))
        (folder / f"big_party_{name}.xml").write_text(
            '<utility_space><reservation value="0.0" /><objective index="0" name="root" '
            f'type="objective" etype="objective">{body}{weights}</objective></utility_space>')
    return folder


def test_a_genius_domain_too_large_to_enumerate(tmp_path: Path) -> None:
    folder = genius_folder(tmp_path / "big", issues=9, values=10)
    for command in ("analyze", "negotiate"):
        line = refused(command, str(folder))
        assert "1,000,000,000 outcomes exceed the limit of 5,000,000" in line


def test_a_scenario_space_too_large_to_enumerate() -> None:
    line = refused("analyze", GAZA, "--resolution", "1000")
    assert "outcomes exceed the limit" in line and "lower resolution" in line


def test_the_n_agent_frontier_is_sized(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "s.yaml", parties=3, issues=7)
    line = refused("analyze", str(path), "--resolution", "8", "--all-outcomes")
    assert "Pareto frontier of 2,097,152 outcomes among 3 agents" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["negotiate", EU, "--runs", "300000"], "can be listed one by one"),
        (["negotiate", EU, "--runs", "5000", "--rounds", "1000000", "--summary-only"],
         "run-rounds"),
        (["negotiate", EU, "--runs", "100000000"], "runs must be between 1 and 10,000,000"),
        (["forecast", EU, "--model", "bdm", "--rounds", "1000000"],
         "rounds must be between 0 and 10,000"),
        (["compare-decision", GAZA, "--event", "unsc_res_2728", "--negotiate", "5000000"],
         "between 0 and 1,000,000"),
        (["forecast", EU, "--seed", "-1"], "a seed must be between 0 and 2**128 - 1"),
        (["vote", GAZA, "--draft", "draft_res_2728", "--no-record", "--param", "beta=inf"],
         "must be finite"),
        (["vote", GAZA, "--draft", "draft_res_2728", "--no-record", "--param",
          "default=0.5,0.5,0.5"], "must sum to 1"),
        (["vote", GAZA, "--draft", "draft_res_2728", "--param", "beta=2"], "--no-record"),
    ],
)
def test_requests_beyond_the_limits(args: list[str], message: str) -> None:
    assert message in refused(*args)


def assembly(path: Path, members: int) -> Path:
    """A scenario whose body ``assembly`` has ``members`` equal members and a draft ``d``."""
    doc = {
        "meta": {"title": "assembly", "as_of": "2024-01-01"},
        "actors": [{"id": "a", "name": "A", "capability": 1}],
        "issues": [{"id": "x", "name": "X", "range": [0, 1]}],
        "positions": {"a": {"x": {"ideal": 1, "salience": 1}}},
        "bodies": [{"id": "assembly", "name": "Assembly",
                    "members": [{"id": f"m{i}"} for i in range(members)],
                    "rule": {"quota": 0.5, "basis": "members"}}],
        "status_quo": {"x": 0},
        "drafts": [{"id": "d", "body": "assembly", "point": {"x": 1}}],
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_vote_prediction_on_large_bodies(tmp_path: Path) -> None:
    def body(n: int) -> Path:
        return assembly(tmp_path / f"body{n}.yaml", n)

    line = refused("vote", str(body(10_000)), "--draft", "d")
    assert "beyond the limit of 50,000,000" in line
    result = CliRunner().invoke(app, ["vote", str(body(1_000)), "--draft", "d", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"swing": null' in result.stdout  # exact result, swings not computed


def test_a_large_nash_problem_is_solved_by_smoothing(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "s.yaml", parties=12, issues=20)
    result = CliRunner().invoke(app, ["forecast", str(path), "--model", "nash", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"feasible": true' in result.stdout


def test_scales_beyond_float_precision_are_refused(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "s.yaml", parties=2, issues=1)
    doc = yaml.safe_load(path.read_text())
    doc["issues"][0]["range"] = [-1e308, 1e308]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, err = run("forecast", str(path))
    assert code == 2 and "limits must lie within ±1e+12" in err


def test_a_body_file_gets_the_scenario_checks(tmp_path: Path) -> None:
    path = tmp_path / "body.yaml"
    path.write_text(yaml.safe_dump({"body": {
        "id": "b", "name": "B", "rule": {"quota": 10, "veto": ["zz"]},
        "members": [{"id": "a"}, {"id": "a"}, {"id": "c"}]}}))
    code, err = run("power", str(path))
    assert code == 2
    assert "body.members.1.id: duplicate" in err
    assert "body.rule.veto.0" in err and "is not a member" in err
    assert "quota 10 exceeds the members' total weight 3" in err


def test_dynamic_models_size_their_rounds(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "s.yaml", parties=200, issues=6)
    line = refused("forecast", str(path), "--model", "bdm", "--rounds", "5000")
    assert "1,200,000,000 actor-pair-issue-rounds, beyond the limit of 1,000,000,000" in line


def test_the_exchange_model_sizes_its_candidates(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "s.yaml", parties=150, issues=12)
    line = refused("forecast", str(path), "--model", "exchange")
    assert "actor-pair x issue-pair rounds, beyond the limit of 5,000,000" in line
