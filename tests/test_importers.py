"""import-table and import-decide: valid scenarios out, line-exact problems for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zopa.cli.app import app
from zopa.errors import ScenarioError, UsageError
from zopa.importers.decide import import_decide
from zopa.importers.table import import_table, parse_range
from zopa.scenario.arrays import to_arrays
from zopa.scenario.loader import load_scenario

DATA = Path(__file__).parent / "data" / "import"
runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_table_detects_salience_scale_and_range(tmp_path: Path) -> None:
    text, table = import_table(DATA / "scholz2011_eu_salience100.csv")
    assert any("0-100" in note for note in table.notes)
    out = write(tmp_path, "eu.yaml", text)
    arrays = to_arrays(load_scenario(out))
    assert arrays.n_actors == 10 and arrays.n_issues == 1
    assert (arrays.lo[0], arrays.hi[0]) == (4.0, 10.0)  # the range of the data
    assert arrays.salience[arrays.actor_ids.index("Denmark"), 0] == 1.0
    same, _ = import_table(DATA / "scholz2011_eu_example.csv")
    assert to_arrays(load_scenario(write(tmp_path, "b.yaml", same))).salience.tolist() == \
        arrays.salience.tolist()


def test_table_long_format_wild_names_and_range(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "Stakeholder;Clout;Topic;Stance;Importance\n"
                 "Qatar;40;pause;6;80\nQatar;40;hostages;30;50\n"
                 "Israel;90;pause;2;90\nIsrael;90;hostages;40;70\n")
    text, _table = import_table(path, bounds=parse_range("0,100"))
    arrays = to_arrays(load_scenario(write(tmp_path, "t.yaml", text)))
    assert arrays.issue_ids == ("pause", "hostages")
    assert arrays.capability.tolist() == [40.0, 90.0]
    assert arrays.hi.tolist() == [100.0, 100.0]
    assert arrays.salience[1, 0] == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("actor,power,position,salience\nA,1,5,0.5\nB,x,4,0.5\n", 3, "not a number"),
        ("actor,power,position,salience\nA,1,5,0.5\nB,0,4,0.5\n", 3, "must be > 0"),
        ("actor,power,position,salience\nA,1,5,0.5\nB,1,4,150\n", 3, "outside 0-100"),
        ("actor,power,position,salience\nA,1,5,0.5\nA,1,4,0.5\n", 3, "already given on line 2"),
        ("actor,position,salience\nA,5,0.5\n", 1, "missing column"),
        ("actor,power,position,salience\nA,1,5\n", 2, "3 fields"),
    ],
)
def test_table_errors_are_line_exact(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    path = write(tmp_path, "bad.csv", body)
    with pytest.raises(ScenarioError) as info:
        import_table(path)
    assert any(p.line == line and fragment in p.message for p in info.value.problems), \
        info.value.problems


def test_table_position_outside_stated_range(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "actor,capability,position,salience\nA,1,5,0.5\nB,1,12,0.5\n")
    with pytest.raises(ScenarioError) as info:
        import_table(path, bounds=(0.0, 10.0))
    assert [p.line for p in info.value.problems] == [3]
    with pytest.raises(UsageError):
        parse_range("10,0")


def test_decide_sample(tmp_path: Path) -> None:
    text, _table = import_decide(DATA / "decide_sample_data.txt")
    arrays = to_arrays(load_scenario(write(tmp_path, "s.yaml", text)))
    assert arrays.n_actors == 10 and arrays.n_issues == 6
    j = arrays.issue_ids.index("tol-hoogte")
    assert (arrays.lo[j], arrays.hi[j]) == (0.5, 7.0)
    assert arrays.capability[arrays.actor_ids.index("SP")] == 0.4  # exact, not a mean


def test_decide_errors_are_line_exact() -> None:
    with pytest.raises(ScenarioError) as info:
        import_decide(DATA / "decide_copenhagen_with_errors.txt")
    lines = {(p.line, p.message.split(":")[0]) for p in info.value.problems}
    assert {line for line, _ in lines} == {86, 87}
    messages = " ".join(p.message for p in info.value.problems)
    assert "160 is outside the scale [0, 100]" in messages and "-0.247" in messages


def test_decide_unknown_actor_and_record(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "#A\tX\tX\n#P\tp\tP\n#D\tY\tp\t5\t0.5\t1\n#Q\tz\n")
    with pytest.raises(ScenarioError) as info:
        import_decide(path)
    assert sorted(p.line for p in info.value.problems) == [3, 4]


def test_cli_exit_codes_and_atomic_output(tmp_path: Path) -> None:
    out = tmp_path / "s.yaml"
    result = runner.invoke(app, ["import-decide", str(DATA / "decide_sample_data.txt"),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_scenario(out).issues[0].id == "tolheffing-binnenstad"
    bad = tmp_path / "c.yaml"
    result = runner.invoke(app, ["import-decide", str(DATA / "decide_copenhagen_with_errors.txt"),
                                 "-o", str(bad)])
    assert result.exit_code == 2
    assert "decide_copenhagen_with_errors.txt:86:" in result.output
    assert not bad.exists()
    result = runner.invoke(app, ["import-table", str(DATA / "scholz2011_eu_example.csv"),
                                 "--salience-scale", "7"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["forecast", str(out), "--model", "exchange", "--rounds", "2",
                                 "--json"])
    assert result.exit_code == 0, result.output
