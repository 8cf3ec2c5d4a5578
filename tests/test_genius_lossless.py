"""Lossless GENIUS import: positions with stated ``values``, and ``zopa analyze`` on an imported
scenario against ``zopa analyze`` on its GENIUS folder.

Domains: every folder of tests/data/genius (Truce, Trilateral, and Harbour and Quartet, written
for these tests: weights summing to 1, ties, an issue a party does not care about, reservation
values, four parties); the ANAC domains of ../shared/genius when that folder exists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from genius_parity import analyses, differences
from zopa import app
from zopa.analysis.zone import analyse_zone, concave_values
from zopa.cli.app import app as cli
from zopa.errors import ScenarioError
from zopa.importers.genius import load_genius_folder, weight_sums
from zopa.protocols.space import problem_from_arrays
from zopa.scenario import load_scenario
from zopa.scenario.arrays import to_arrays
from zopa.utility import Valuation, piecewise_value, utility

DATA = Path(__file__).parent / "data" / "genius"
DOMAINS = sorted(p for p in DATA.iterdir() if p.is_dir())
SHARED = Path(__file__).resolve().parents[2] / "shared" / "genius"
ANAC = sorted(p for p in SHARED.iterdir() if p.is_dir()) if SHARED.is_dir() else []
runner = CliRunner()


def _imported(folder: Path, tmp_path: Path) -> Path:
    out = tmp_path / f"{folder.name}.yaml"
    out.write_text(app.import_genius(folder, as_of=dt.date(2024, 1, 1)).text, encoding="utf-8")
    return out


@pytest.mark.parametrize("folder", DOMAINS, ids=[p.name for p in DOMAINS])
def test_analyze_imported_equals_analyze_folder(folder: Path) -> None:
    assert differences(folder) == []
    of_folder, of_file, _ = analyses(folder)
    assert of_folder["outcome_count"] == of_file["outcome_count"] == load_genius_folder(
        folder).n_outcomes
    assert of_file["pareto"] and of_file["nash"] is not None


@pytest.mark.parametrize("folder", DOMAINS, ids=[p.name for p in DOMAINS])
def test_utility_table_is_genius_table(folder: Path, tmp_path: Path) -> None:
    domain = load_genius_folder(folder)
    problem = problem_from_arrays(to_arrays(load_scenario(_imported(folder, tmp_path))))
    table = domain.utility_table()
    scale = weight_sums(domain)
    if np.all(scale == 1.0):  # bit for bit
        assert np.array_equal(problem.utilities, table)
    # normalised GENIUS utilities divide the weights by their sum, as the importer does
    np.testing.assert_allclose(problem.utilities, table, rtol=0, atol=1e-15)
    assert np.array_equal(problem.reservation, [p.reservation for p in domain.profiles])


@pytest.mark.skipif(not ANAC, reason="../shared/genius (ANAC domains) not present")
@pytest.mark.parametrize("folder", ANAC, ids=[p.name for p in ANAC])
def test_anac_domains(folder: Path, tmp_path: Path) -> None:
    assert differences(folder) == []
    domain = load_genius_folder(folder)
    problem = problem_from_arrays(to_arrays(load_scenario(_imported(folder, tmp_path))))
    assert np.array_equal(problem.utilities, domain.utility_table())
    _check_zone_and_nash(folder, tmp_path)


def _check_zone_and_nash(folder: Path, tmp_path: Path) -> None:
    """The ZOPA margin is the best smallest surplus over all outcomes, and the Nash forecast
    model picks the outcome analysis's Nash point."""
    scenario = load_scenario(_imported(folder, tmp_path))
    arrays = to_arrays(scenario)
    problem = problem_from_arrays(arrays)
    best = float(np.max(np.min(problem.utilities - problem.reservation, axis=1)))
    assert analyse_zone(arrays).margin == pytest.approx(best, abs=1e-12)
    forecast = app.forecast(scenario, model="nash").to_json()
    labels = [v["label"] for v in forecast["outcome"].values()]
    assert labels == list(analyses(folder)[1]["nash"]["outcome"].values())


@pytest.mark.parametrize("folder", DOMAINS, ids=[p.name for p in DOMAINS])
def test_zone_and_nash_model_on_imported(folder: Path, tmp_path: Path) -> None:
    _check_zone_and_nash(folder, tmp_path)


def test_cli_import_then_analyze(tmp_path: Path) -> None:
    out = tmp_path / "harbour.yaml"
    result = runner.invoke(cli, ["import-genius", str(DATA / "Harbour"), "-o", str(out),
                                 "--as-of", "2024-01-01"])
    assert result.exit_code == 0, result.stderr
    assert runner.invoke(cli, ["analyze", str(out), "--json"]).exit_code == 0


def test_piecewise_value_is_exact_at_points() -> None:
    x = np.array([[[0.0, 0.3, 1.0], [0.0, 1.0, np.nan]]])
    v = np.array([[[0.1, 0.7, 0.2], [1.0, 0.0, np.nan]]])
    z = np.array([[0.0, 0.0], [0.3, 0.5], [1.0, 1.0], [0.65, 0.25]])
    got = piecewise_value(z, x, v)[:, 0, :]
    assert got[:3, 0].tolist() == [0.1, 0.7, 0.2]
    assert got[3, 0] == pytest.approx(0.45)
    assert got[:, 1].tolist() == pytest.approx([1.0, 0.5, 0.0, 0.75])


def test_utility_with_values_and_without() -> None:
    ideal = np.array([[0.0, 0.5]])
    weights = np.array([[0.5, 0.5]])
    prefers = np.zeros((1, 2), dtype=np.int8)
    z = np.array([[0.0, 0.5], [1.0, 0.0]])
    plain = utility(z, ideal, weights, prefers)
    x = np.array([[[0.0, 1.0], [np.nan, np.nan]]])
    v = np.array([[[1.0, 0.6], [np.nan, np.nan]]])
    valued = utility(z, ideal, weights, prefers, Valuation(x, v, np.array([[True, False]])))
    assert plain.tolist() == [[1.0], [0.25]]
    assert valued[:, 0].tolist() == pytest.approx([1.0, 1 - 0.5 * 0.4 - 0.5 * 0.5])
    none = Valuation(x, v, np.zeros((1, 2), dtype=bool))
    assert np.array_equal(utility(z, ideal, weights, prefers, none), plain)


SCENARIO = """
meta: {{title: t, as_of: '2024-01-01'}}
actors:
- {{id: a, name: A, capability: {{value: 1}}}}
- {{id: b, name: B, capability: {{value: 1}}}}
issues:
- {{id: deal, name: Deal, options: [none, small, big]}}
- {{id: money, name: Money, range: [0, 100]}}
positions:
  a:
    deal: {{ideal: big, salience: 0.5, values: {a_deal}}}
    money: {{ideal: {a_ideal}, salience: 0.5, values: {a_money}}}
  b:
    deal: {{ideal: none, salience: 0.5}}
    money: {{ideal: 0, salience: 0.5, prefers: less}}
"""


def _scenario(tmp_path: Path, **parts: str) -> Path:
    fields = {"a_deal": "{none: 0, small: 0.4, big: 1}", "a_ideal": "100",
              "a_money": "[[0, 0], [50, 0.8], [100, 1]]"} | parts
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(**fields), encoding="utf-8")
    return path


def test_values_in_a_scenario(tmp_path: Path) -> None:
    arrays = to_arrays(load_scenario(_scenario(tmp_path)))
    assert arrays.valuation is not None
    assert arrays.valuation.mask.tolist() == [[True, True], [False, False]]
    u = arrays.utility(np.array([[0.5, 0.5], [1.0, 0.25]]))
    assert u[0, 0] == pytest.approx(1 - 0.5 * 0.6 - 0.5 * 0.2)
    assert u[1, 0] == pytest.approx(0.5 + 0.5 * 0.4)
    assert u[0, 1] == pytest.approx(1 - 0.5 * 0.5 - 0.5 * 0.5)
    assert concave_values(arrays.valuation) is False  # the option values rise faster at the end
    zone = analyse_zone(arrays)
    assert zone.feasible


@pytest.mark.parametrize(
    ("parts", "where", "message"),
    [
        ({"a_deal": "{none: 0, small: 0.4, huge: 1}"}, "positions.a.deal.values.huge",
         "not an option"),
        ({"a_deal": "{none: 0, small: 1.4, big: 1}"}, "positions.a.deal.values.small",
         "outside [0, 1]"),
        ({"a_deal": "{none: 0, big: 1}"}, "positions.a.deal.values", "no value for option"),
        ({"a_deal": "[[0, 1], [2, 0]]"}, "positions.a.deal.values", "mapping"),
        ({"a_money": "[[0, 0], [60, 0.8], [50, 1]]"}, "positions.a.money.values.2",
         "sort the points"),
        ({"a_money": "[[10, 0], [100, 1]]"}, "positions.a.money.values", "cover the range"),
        ({"a_money": "[[0, 0], [100, -1]]"}, "positions.a.money.values.1", "outside [0, 1]"),
        ({"a_money": "[[0, 0, 1], [100, 1]]"}, "positions.a.money.values.0", "pair"),
        ({"a_ideal": "50"}, "positions.a.money.ideal", "must be a best point"),
    ],
)
def test_bad_values_are_located(tmp_path: Path, parts: dict[str, str], where: str,
                                message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, **parts))
    found = [(p.path, p.message) for p in err.value.problems]
    assert any(path == where and message in text for path, text in found), found


CONCAVE = """
meta: {title: t, as_of: '2024-01-01'}
actors:
- {id: a, name: A, capability: {value: 1}}
- {id: b, name: B, capability: {value: 1}, batna: {value: 0.1}}
issues:
- {id: money, name: Money, range: [0, 100]}
- {id: years, name: Years, range: [0, 10]}
positions:
  a:
    money: {ideal: 100, salience: 0.6, values: [[0, 0], [50, 0.9], [100, 1]]}
    years: {ideal: 10, salience: 0.4}
  b:
    money: {ideal: 0, salience: 0.5, values: [[0, 1], [60, 0.7], [100, 0]]}
    years: {ideal: 0, salience: 0.5, prefers: less}
"""


def test_concave_values_zone_and_nash_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CONCAVE, encoding="utf-8")
    scenario = load_scenario(path)
    arrays = to_arrays(scenario)
    assert concave_values(arrays.valuation)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 801), np.linspace(0, 1, 801)),
                    axis=-1).reshape(-1, 2)
    gain = arrays.utility(grid) - arrays.batna
    zone = analyse_zone(arrays)
    assert zone.margin >= gain.min(axis=1).max() - 1e-12
    assert zone.margin <= gain.min(axis=1).max() + 1e-3
    nash = app.forecast(scenario, model="nash").to_json()
    package = arrays.normalise(np.array([nash["outcome"][i]["value"] for i in ("money", "years")]))
    product = np.prod(arrays.utility(package) - arrays.batna)
    best = np.prod(np.maximum(gain, 0), axis=1).max()
    assert product >= best - 1e-9


def test_non_concave_values_on_a_range(tmp_path: Path) -> None:
    text = CONCAVE.replace("[[0, 0], [50, 0.9], [100, 1]]", "[[0, 1], [50, 0], [100, 1]]")
    text = text.replace("money: {ideal: 100, salience: 0.6", "money: {ideal: 0, salience: 0.6")
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    arrays = to_arrays(scenario)
    assert not concave_values(arrays.valuation)
    zone = analyse_zone(arrays)
    assert zone.feasible and zone.margin >= 0  # the hull rows find the zone; checked exactly
    assert np.allclose(zone.utility, arrays.utility(arrays.normalise(zone.package)))
    nash = app.forecast(scenario, model="nash").to_json()
    assert nash["diagnostics"]["feasible"]
