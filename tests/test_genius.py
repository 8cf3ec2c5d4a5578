"""GENIUS import: parsing, GENIUS vs raw (NegMAS) semantics, safety, errors, the CLI, and NegMAS.

Domains: tests/data/genius/Truce (2 parties, 4 issues, 108 outcomes) and Trilateral (3 parties,
3 issues, 36 outcomes), written for these tests in GENIUS's XML format.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from zopa.analysis.outcomes import nash_point, pareto_frontier
from zopa.cli.app import app
from zopa.errors import ScenarioError, UsageError
from zopa.importers.genius import load_genius_folder, parse_xml
from zopa.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "genius"
TRUCE, TRI = DATA / "Truce", DATA / "Trilateral"
runner = CliRunner()


def test_truce_domain() -> None:
    domain = load_genius_folder(TRUCE)
    assert domain.issues == ("Duration", "Exchange ratio", "Aid trucks", "Monitoring")
    assert domain.n_outcomes == 4 * 3 * 3 * 3
    assert [p.name for p in domain.profiles] == ["truce_party_a", "truce_party_b"]
    b = domain.profiles[1]
    assert b.discount == 0.9
    assert b.reservation == 0.0
    # Party b's Duration table as written in truce_party_b.xml.
    assert b.evaluations[0].tolist() == [59.0, 81.0, 50.0, 17.0]


def test_genius_normalisation_and_raw_semantics() -> None:
    domain = load_genius_folder(TRUCE)
    raw = domain.utility_table(normalise=False)
    norm = domain.utility_table(normalise=True)
    space = domain.space()
    o = int(space.encode([1, 2, 0, 1]))  # 2 weeks, 1:10, 100 trucks, UN
    a = domain.profiles[0]
    expected_raw = sum(a.weights[j] * a.evaluations[j][v] for j, v in enumerate([1, 2, 0, 1]))
    expected_norm = sum(a.weights[j] / a.weights.sum() * a.evaluations[j][v]
                        / a.evaluations[j].max() for j, v in enumerate([1, 2, 0, 1]))
    assert raw[o, 0] == pytest.approx(expected_raw)
    assert norm[o, 0] == pytest.approx(expected_norm)
    # normalised, the best outcome is worth 1 even though Truce's weights sum to 1.001;
    # raw (as NegMAS loads it), the best is worth the sum of the weights times the evaluations
    assert a.weights.sum() == pytest.approx(1.001)
    assert norm[:, 0].max() == pytest.approx(1.0)


def test_refuses_entities(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<x>&a;</x>\n')
    with pytest.raises(ScenarioError) as err:
        parse_xml(bomb)
    problem = err.value.problems[0]
    assert problem.file == str(bomb) and problem.line == 2 and "DOCTYPE" in problem.message
    external = tmp_path / "ext.xml"
    external.write_text('<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<x/>\n')
    with pytest.raises(ScenarioError):
        parse_xml(external)


def test_malformed_xml_is_located(tmp_path: Path) -> None:
    folder = tmp_path / "Broken"
    shutil.copytree(TRUCE, folder)
    profile = folder / "truce_party_a.xml"
    lines = profile.read_text().splitlines()
    lines[5] = lines[5].replace("</item>", "")  # unclosed <item> on line 6
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as err:
        load_genius_folder(folder)
    problem = err.value.problems[0]
    assert problem.file.endswith("truce_party_a.xml") and problem.line is not None
    assert "mismatched tag" in problem.message


def test_missing_evaluation_names_file_element_and_value(tmp_path: Path) -> None:
    folder = tmp_path / "Missing"
    shutil.copytree(TRUCE, folder)
    profile = folder / "truce_party_b.xml"
    text = profile.read_text().replace('value="UN" cost="0.0"', 'value="EU" cost="0.0"')
    profile.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_genius_folder(folder)
    assert "no evaluation for value 'UN'" in str(err.value)
    assert "issue Monitoring" in str(err.value)


def test_not_a_domain_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_genius_folder(tmp_path)


def test_import_genius_cli_writes_a_valid_scenario(tmp_path: Path) -> None:
    out = tmp_path / "tri.yaml"
    args = ["import-genius", str(TRI), "-o", str(out), "--as-of", "2024-03-25"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    scenario = load_scenario(out)
    assert [a.id for a in scenario.actors] == ["tri_alpha", "tri_beta", "tri_gamma"]
    assert scenario.issues[0].options == ["open", "partial", "closed"]
    doc = yaml.safe_load(out.read_text())
    alpha_border = doc["positions"]["tri_alpha"]["Border"]
    assert alpha_border["ideal"] == "open"  # evaluation 72 of 72, 18, 38
    assert alpha_border["values"]["partial"] == 0.25  # 18 / 72
    bad = runner.invoke(app, ["import-genius", str(tmp_path)])
    assert bad.exit_code == 2 and "no domain file" in bad.stderr


def test_analyze_json_on_a_genius_folder() -> None:
    import json

    result = runner.invoke(app, ["analyze", str(TRI), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome_count"] == 36
    for key in ("nash", "kalai_smorodinsky", "max_welfare"):
        assert set(data[key]["outcome"]) == {"Border", "Troops", "Funds"}
        assert set(data[key]["utilities"]) == {"tri_alpha", "tri_beta", "tri_gamma"}
    assert data["nash"] in data["pareto"]


@pytest.mark.parametrize("folder", [TRUCE, TRI], ids=["bilateral", "three-party"])
def test_same_frontier_and_nash_as_negmas(folder: Path) -> None:
    """NegMAS 0.16 loads raw evaluations and uses max(reserved value, worst utility) as the
    disagreement point of ``nash_points``; zopa is compared on that same footing."""
    pytest.importorskip("negmas")
    import warnings

    from negmas.inout import Scenario
    from negmas.preferences.ops import nash_points
    from negmas.preferences.ops import pareto_frontier as negmas_frontier

    warnings.filterwarnings("ignore")
    scenario = Scenario.from_genius_folder(folder, ignore_discount=True)
    problem = load_genius_folder(folder).problem(normalise=False)
    u = problem.utilities
    assert scenario.outcome_space.cardinality == problem.n_outcomes
    outcomes = list(scenario.outcome_space.enumerate_or_sample())
    negmas_u = np.array([[f(o) for f in scenario.ufuns] for o in outcomes])
    assert np.array_equal(negmas_u, u)  # bit for bit, in the same outcome order
    points, _ = negmas_frontier(scenario.ufuns, outcomes=outcomes)
    front = pareto_frontier(u, problem.rational)
    assert set(map(tuple, points)) == set(map(tuple, u[front]))
    ranges = [f.minmax(scenario.outcome_space, above_reserve=False) for f in scenario.ufuns]
    (negmas_nash, _), *_ = nash_points(scenario.ufuns, points, ranges=ranges)
    ours = nash_point(u, front, np.maximum(problem.reservation, u.min(axis=0)))
    assert ours is not None
    assert tuple(u[ours]) == tuple(negmas_nash)
