"""Voting bodies as data: the built-in ones (``zopa/data/*.yaml``) and body files.

A body file is plain YAML that a user could have written: a ``body`` mapping in the scenario's
format (:class:`zopa.scenario.schema.Body`) and optional ``sources``. Its ``body`` can be pasted
into any scenario's ``bodies:`` list.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zopa.data import builtin_body_names
from zopa.errors import ScenarioError, UsageError
from zopa.scenario.checks import check_body
from zopa.scenario.document import Document, read_document
from zopa.scenario.schema import Body, Source

DATA_PACKAGE = "zopa.data"


def builtin_names() -> list[str]:
    """Names of the built-in bodies (file names without ``.yaml``)."""
    return builtin_body_names()


def builtin_path(name: str) -> Path:
    """The installed YAML file of built-in body ``name``; a :class:`UsageError` lists the names."""
    if name not in builtin_names():
        raise UsageError(f"no built-in body {name!r} (built-in: {', '.join(builtin_names())})")
    return Path(str(resources.files(DATA_PACKAGE).joinpath(f"{name}.yaml")))


def builtin_body(name: str) -> Body:
    """A built-in body by name, e.g. ``un-security-council`` or ``eu-council-qmv``."""
    return load_body_file(builtin_path(name))[0]


def is_body_file(document: Document) -> bool:
    """True if the document is a body file (a mapping with a ``body`` key), not a scenario."""
    return isinstance(document.data, dict) and "body" in document.data


def load_body_file(path: str | Path) -> tuple[Body, list[Source]]:
    """Read a body file; problems are reported with file and line like a scenario's."""
    document = read_document(path)
    return body_from_document(document)


def body_from_document(document: Document) -> tuple[Body, list[Source]]:
    """The body and sources of a body file already read.

    Checks what a scenario would check of its bodies (schema, unique member ids, veto holders
    are members, populations for a population quota) and raises a :class:`ScenarioError` with
    every problem located by file and line.
    """
    data: Any = document.data
    if not is_body_file(document):
        raise ScenarioError([document.problem((), "a body file is a mapping with a `body` key")])
    unknown = sorted(set(data) - {"body", "sources"})
    if unknown:
        raise ScenarioError([document.problem((unknown[0],), "unknown field (use body, sources)")])
    problems = []
    try:
        body = Body.model_validate(data["body"])
        sources = [Source.model_validate(s) for s in data.get("sources") or []]
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = ("body", *(p for p in error["loc"] if isinstance(p, str | int)))
            problems.append(document.problem(_known_prefix(data, path), str(error["msg"])))
        raise ScenarioError(problems) from None
    # the scenario's own checks of a body (a body file has no actors to check members against)
    problems = [document.problem(path, message) for path, message in check_body(body, ("body",))]
    if problems:
        raise ScenarioError(problems)
    return body, sources


def _known_prefix(data: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The longest prefix of ``path`` present in ``data`` (pydantic adds validator names)."""
    node, out = data, []
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            break
        node = node[part]
        out.append(part)
    return tuple(out)
