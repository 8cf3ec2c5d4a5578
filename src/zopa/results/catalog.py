"""Result of ``zopa models``: every plug-in of every kind with its parameters
(docs/json.md: ``zopa.plugins/1``)."""

from __future__ import annotations

from typing import Any, Literal

from zopa.results.base import Record, Result


class ParamInfo(Record):
    """A declared parameter (see :class:`zopa.params.Param`)."""

    name: str
    type: str
    default: Any
    help: str
    choices: list[str] | None
    low: float | None
    high: float | None
    length: int | None


class PluginEntry(Record):
    """One plug-in."""

    kind: str
    name: str
    title: str
    reference: str
    params: list[ParamInfo]


class PluginCatalogResult(Result):
    """``zopa models``: the registry's contents."""

    kind = "plugins"
    format: Literal["zopa.plugins/1"] = "zopa.plugins/1"
    plugins: list[PluginEntry]
