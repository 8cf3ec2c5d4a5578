"""What every importer does last: make valid ids, validate the scenario, render it as YAML."""

from __future__ import annotations

import re
from typing import Any

import yaml

from zopa.errors import Problem, ScenarioError
from zopa.scenario.checks import check_scenario
from zopa.scenario.schema import Scenario

_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


def make_ids(names: list[str], prefix: str) -> list[str]:
    """Valid, distinct zopa ids for arbitrary names, in order (``prefix`` where a name has none)."""
    out: list[str] = []
    for name in names:
        base = _ID_BAD.sub("_", name.strip()).strip("_") or prefix
        if not base[0].isalpha():
            base = f"{prefix}_{base}"
        base = base[:60]
        candidate, k = base, 2
        while candidate in out:
            candidate, k = f"{base}_{k}", k + 1
        out.append(candidate)
    return out


def validated_yaml(document: dict[str, Any], file: str, header: str) -> str:
    """The scenario as YAML after the same validation ``load_scenario`` does.

    Raises:
        ScenarioError: naming ``file`` (the imported input) if the document is not a valid scenario.
    """
    try:
        scenario = Scenario.model_validate(document)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ScenarioError([Problem(file, None, "scenario", str(exc).splitlines()[0])]) from None
    found = check_scenario(scenario)
    if found:
        raise ScenarioError(
            Problem(file, None, ".".join(map(str, path)), message) for path, message in found
        )
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
