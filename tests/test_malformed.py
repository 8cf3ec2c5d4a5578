"""The malformed-scenario corpus: every file reports exactly its expected problems.

tests/data/malformed/expected.yaml maps each file to the lines ``zopa validate`` prints for it,
without the file name (``LINE: path.to.field: message``). The same lines must come from the library
(:func:`zopa.scenario.load_scenario`), from the ``zopa validate`` command (exit code 2, on stderr,
no traceback), and from both YAML parsers (libyaml and pure Python).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from zopa.cli.app import app
from zopa.errors import ScenarioError
from zopa.scenario import document, load_scenario

MALFORMED = Path(__file__).parent / "data" / "malformed"
MANIFEST = MALFORMED / "expected.yaml"
EXPECTED: dict[str, list[str]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
FILES = sorted(p.name for p in MALFORMED.iterdir() if p != MANIFEST)


def reported(name: str) -> list[str]:
    """The problems of a corpus file as printed, without the ``FILE:`` prefix."""
    path = MALFORMED / name
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = [str(problem) for problem in info.value.problems]
    prefix = f"{path}:"
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


def test_manifest_lists_every_file_and_nothing_else() -> None:
    assert set(EXPECTED) == set(FILES)
    assert len(FILES) >= 35
    assert all(isinstance(lines, list) and lines for lines in EXPECTED.values())


def test_corpus_covers_yaml_and_json() -> None:
    suffixes = {Path(name).suffix for name in FILES}
    assert suffixes == {".yaml", ".json"}
    assert sum(name.endswith(".json") for name in FILES) >= 5


@pytest.mark.parametrize("name", FILES)
def test_problems_match_manifest(name: str) -> None:
    assert sorted(reported(name)) == sorted(EXPECTED[name])


@pytest.mark.parametrize("name", FILES)
def test_every_problem_names_a_line_and_a_field(name: str) -> None:
    for line in EXPECTED[name]:
        number, path, message = line.split(": ", 2)
        assert int(number) >= 1
        assert path and " " not in path.strip("<>")
        assert message and "\n" not in message
        # pydantic's wording for programmers never reaches an analyst.
        assert "Input should" not in message and "instance of" not in message


def test_several_problems_are_all_reported() -> None:
    assert len(EXPECTED["several_schema_problems.yaml"]) >= 10
    assert len(EXPECTED["several_reference_problems.yaml"]) >= 10
    assert len(EXPECTED["several_problems.json"]) >= 5


def test_pure_python_parser_reports_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages must not depend on whether PyYAML was built with libyaml."""
    monkeypatch.setattr(document, "_FastLoader", None)
    for name in FILES:
        assert sorted(reported(name)) == sorted(EXPECTED[name]), name


runner = CliRunner()


@pytest.mark.parametrize("name", FILES)
def test_validate_command_prints_each_problem(name: str) -> None:
    path = MALFORMED / name
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert sorted(result.stderr.splitlines()) == sorted(f"{path}:{line}" for line in EXPECTED[name])
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_command_reports_every_file_at_once() -> None:
    paths = [str(MALFORMED / name) for name in FILES]
    result = runner.invoke(app, ["validate", *paths])
    assert result.exit_code == 2
    expected = [
        f"{path}:{line}" for path, name in zip(paths, FILES, strict=True) for line in EXPECTED[name]
    ]
    assert sorted(result.stderr.splitlines()) == sorted(expected)


def test_installed_command_exits_2_without_traceback() -> None:
    """The real console script, in a fresh process: exit code 2 and one line per problem."""
    names = ["yaml_tab_indent.yaml", "json_trailing_comma.json", "several_reference_problems.yaml"]
    paths = [str(MALFORMED / name) for name in names]
    zopa = Path(sys.executable).with_name("zopa")
    if not zopa.exists():
        pytest.skip("the zopa console script is not installed next to this Python")
    done = subprocess.run(
        [str(zopa), "validate", *paths], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    expected = [
        f"{path}:{line}" for path, name in zip(paths, names, strict=True) for line in EXPECTED[name]
    ]
    assert sorted(done.stderr.splitlines()) == sorted(expected)
