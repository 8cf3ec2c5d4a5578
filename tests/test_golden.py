"""Every command's JSON on the bundled examples, compared field by field with the golden files.

The golden files (tests/data/golden/, written by ``python tests/golden_cases.py --write``) hold
what each command printed before the application layer was introduced. A refactor must change
no number: every key of a golden file must still be there with the same value (numbers to a
relative 1e-9); new keys may be added. Deliberate changes are listed in ``CHANGED`` with the
reason, and docs/json.md says what changed for users.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from golden_cases import CASES, TEXT_CASES
from zopa.cli.app import app
from zopa.results import RESULT_TYPES

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "data" / "golden"

CHANGED: dict[str, str] = {
    # path in the JSON (as reported by _diff) -> why it changed on purpose
    "$.method": "zopa.power/1: auto now picks generating functions for every weighted game "
                "(faster, the same exact numbers)",
}
"""Deliberate differences from the golden files, by JSON path."""


def _diff(old: Any, new: Any, path: str = "$") -> list[str]:
    """Where ``new`` loses or changes what ``old`` holds (extra keys in ``new`` are fine)."""
    if path in CHANGED:
        return []
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{path}: was an object"]
        out = []
        for key, value in old.items():
            if key not in new:
                out.append(f"{path}.{key}: missing")
            else:
                out += _diff(value, new[key], f"{path}.{key}")
        return out
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{path}: list of {len(old)} became {new!r:.80}"]
        return [d for k, (a, b) in enumerate(zip(old, new, strict=True))
                for d in _diff(a, b, f"{path}[{k}]")]
    if isinstance(old, bool) or old is None or isinstance(old, str):
        return [] if old == new else [f"{path}: {old!r} became {new!r}"]
    if isinstance(old, int | float):
        if isinstance(new, bool) or not isinstance(new, int | float):
            return [f"{path}: {old!r} became {new!r}"]
        if math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12):
            return []
        return [f"{path}: {old!r} became {new!r}"]
    return [] if old == new else [f"{path}: {old!r} became {new!r}"]


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.stderr
    return result.stdout


_SCHEMAS: dict[str, dict[str, Any]] = {}


def _schema_for(format_id: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The schema ``zopa schema --result KIND`` prints for a format id such as zopa.zone/1."""
    kind = next(k for k, cls in RESULT_TYPES.items()
                if cls.model_fields["format"].default == format_id)
    if kind not in _SCHEMAS:
        _SCHEMAS[kind] = json.loads(_run(["schema", "--result", kind], monkeypatch))
    return _SCHEMAS[kind]


@pytest.mark.parametrize(("name", "argv"), CASES, ids=[c[0] for c in CASES])
def test_json_matches_golden(name: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    new = json.loads(_run([*argv, "--json"], monkeypatch))
    old = json.loads((GOLDEN / f"{name}.json").read_text())
    problems = _diff(old, new)
    assert not problems, "\n".join(problems[:20])
    jsonschema.validate(new, _schema_for(new["format"], monkeypatch))


def test_every_result_kind_has_a_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in RESULT_TYPES:
        schema = json.loads(_run(["schema", "--result", kind], monkeypatch))
        assert schema["properties"]["format"]["const"].startswith("zopa.")
    with pytest.raises(jsonschema.ValidationError):  # the schemas can fail
        jsonschema.validate({"format": "zopa.zone/1", "members": "x"},
                            _schema_for("zopa.zone/1", monkeypatch))
    result = CliRunner().invoke(app, ["schema", "--result", "nope"])
    assert result.exit_code == 2 and "unknown result 'nope'" in result.stderr


@pytest.mark.parametrize(("name", "argv"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_text_matches_golden(name: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(argv, monkeypatch) == (GOLDEN / name).read_text()


def test_diff_finds_changes() -> None:
    """The comparison itself can fail: a changed number, a lost key, a shorter list."""
    assert _diff({"a": 1.0, "b": [1, 2]}, {"a": 1.0, "b": [1, 2], "c": 3}) == []
    assert _diff({"a": 1.0}, {"a": 1.001}) == ["$.a: 1.0 became 1.001"]
    assert _diff({"a": 1.0}, {}) == ["$.a: missing"]
    assert _diff({"b": [1, 2]}, {"b": [1]}) == ["$.b: list of 2 became [1]"]
    assert _diff({"x": None}, {"x": 0.0}) == ["$.x: None became 0.0"]
