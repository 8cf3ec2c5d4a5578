"""What every importer does last: make valid ids, validate the scenario, render it as YAML."""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import ValidationError

from zopa.errors import Problem, ScenarioError
from zopa.inputs import printable, printable_error
from zopa.scenario.checks import check_scenario
from zopa.scenario.document import MAX_BYTES, MAX_NODES
from zopa.scenario.schema import Scenario

_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")
_ID_MAX = 64
"""Longest id the scenario format accepts (``schema.Id``)."""
_ID_BASE = 60
_SMALLER = "import fewer actors or issues at a time, e.g. one file per issue"

_Dumper: Any = getattr(yaml, "CSafeDumper", None) or yaml.SafeDumper
"""libyaml's emitter when PyYAML has it: the same text, about ten times faster on big tables."""


def make_ids(names: list[str], prefix: str) -> list[str]:
    """Valid, distinct zopa ids for arbitrary names, in order (``prefix`` where a name has none).

    Time is linear in the number of names, even when thousands of them are alike.
    """
    out: list[str] = []
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for name in names:
        base = _ID_BAD.sub("_", name.strip()).strip("_") or prefix
        if not base[0].isalpha():
            base = f"{prefix}_{base}"
        base = base[:_ID_BASE]
        candidate, k = base, next_suffix.get(base, 2)
        while candidate in taken:
            suffix = f"_{k}"
            candidate, k = base[: _ID_MAX - len(suffix)] + suffix, k + 1
        next_suffix[base] = k
        taken.add(candidate)
        out.append(candidate)
    return out


def validated_yaml(document: dict[str, Any], file: str, header: str) -> str:
    """The scenario as YAML after the same validation ``load_scenario`` does.

    Raises:
        ScenarioError: naming ``file`` (the imported input) and each invalid field if the
            document is not a valid scenario, or if it is too large for the scenario reader
            (:data:`~zopa.scenario.document.MAX_NODES` values or
            :data:`~zopa.scenario.document.MAX_BYTES` bytes): zopa would refuse to read it.
    """
    values = _values(document)
    if values > MAX_NODES:
        raise printable_error(ScenarioError([Problem(
            file, None, "scenario", f"the scenario would hold about {values:,} values; zopa "
            f"reads scenarios of at most {MAX_NODES:,} ({_SMALLER})")]))
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        raise printable_error(ScenarioError(
            Problem(file, None, ".".join(map(str, error["loc"])) or "scenario", error["msg"])
            for error in exc.errors()
        )) from None
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid scenario"
        raise printable_error(ScenarioError([Problem(file, None, "scenario", first)])) from None
    found = check_scenario(scenario)
    if found:
        raise printable_error(ScenarioError(
            Problem(file, None, ".".join(map(str, path)), message) for path, message in found
        ))
    text = _comment(header) + yaml.dump(document, Dumper=_Dumper, sort_keys=False,
                                        allow_unicode=True, width=100)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise printable_error(ScenarioError([Problem(
            file, None, "scenario", f"the scenario would be {size:,} bytes; zopa reads scenarios "
            f"of at most {MAX_BYTES:,} bytes ({_SMALLER})")]))
    return text


def _values(document: Any) -> int:
    """YAML parser events the document makes (as the reader counts them against MAX_NODES)."""
    count = 4  # stream and document start and end
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += 2 + len(item)  # start, end, and a key for each value
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            count += 2
            stack.extend(item)
        else:
            count += 1
    return count


def _comment(header: str) -> str:
    """``header`` as YAML comment lines, whatever names it quotes (a newline in a file name must
    not end the comment and start YAML)."""
    lines = (printable(line) for line in header.splitlines())
    return "".join(f"{line if line.startswith('#') else '# ' + line}\n" for line in lines)
