"""One registry for every kind of plug-in: forecast models, negotiation protocols, strategies,
power methods and vote models.

A plug-in is any object with ``name``, ``title``, ``reference`` and ``params`` (a tuple of
:class:`~zopa.params.Param`): a model class, or a spec object for the other kinds. Built-in
plug-ins are listed here by module path and imported only when first asked for, so that listing
names (``zopa --help``) costs no imports; others are added with :func:`register`.

>>> "compromise" in names("model")
True
>>> get("strategy", "boulware").name
'boulware'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, cast

from zopa.errors import UsageError
from zopa.params import Param

Kind = Literal["model", "protocol", "strategy", "power-method", "vote-model"]
KINDS: tuple[Kind, ...] = ("model", "protocol", "strategy", "power-method", "vote-model")

_BUILTIN: dict[Kind, dict[str, str]] = {
    "model": {
        "compromise": "zopa.models.compromise:CompromiseModel",
        "median": "zopa.models.compromise:MedianModel",
        "nash": "zopa.models.nash:NashModel",
        "bdm": "zopa.models.bdm:BdmModel",
        "bdm-scholz": "zopa.models.bdm:BdmScholzModel",
        "exchange": "zopa.models.exchange:ExchangeModel",
    },
    "protocol": {
        "sao": "zopa.protocols.catalog:SAO",
        "mediated": "zopa.protocols.catalog:MEDIATED",
    },
    "strategy": {
        name: f"zopa.protocols.catalog:{const}"
        for name, const in (
            ("boulware", "BOULWARE"), ("linear", "LINEAR"), ("conceder", "CONCEDER"),
            ("hardliner", "HARDLINER"), ("aspiration", "ASPIRATION"), ("random", "RANDOM"),
            ("tit-for-tat", "TIT_FOR_TAT"),
        )
    },
    "power-method": {
        name: f"zopa.institutions.power_methods:{const}"
        for name, const in (
            ("auto", "AUTO"), ("enumerate", "ENUMERATE"), ("generating", "GENERATING"),
            ("split", "SPLIT"),
        )
    },
    "vote-model": {"ordered-logit": "zopa.institutions.prediction:ORDERED_LOGIT"},
}
"""Built-in plug-ins: name -> ``module:attribute``, imported on first use."""

_NOUN: dict[Kind, str] = {
    "model": "model", "protocol": "protocol", "strategy": "strategy",
    "power-method": "power method", "vote-model": "vote model",
}


class Plugin(Protocol):
    """What every plug-in declares."""

    @property
    def name(self) -> str:
        """The name it is registered and selected by (e.g. ``bdm``), unique within its kind."""
        ...

    @property
    def title(self) -> str:
        """A one-line description for listings such as ``zopa models``."""
        ...

    @property
    def reference(self) -> str:
        """The publication or implementation it follows (free text)."""
        ...

    @property
    def params(self) -> tuple[Param, ...]:
        """Its declared parameters (name, type, default, allowed values, help text)."""
        ...


@dataclass(frozen=True)
class PluginSpec:
    """The declaration every spec-style plug-in (protocols, strategies, power methods, vote
    models) starts from; model classes declare the same as class attributes."""

    name: str
    title: str
    reference: str
    params: tuple[Param, ...]


@dataclass(frozen=True)
class PluginInfo:
    """A plug-in's declaration, for listings (``zopa models``), docs and web forms."""

    kind: Kind
    name: str
    title: str
    reference: str
    params: tuple[Param, ...]

    def describe(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "name": self.name, "title": self.title,
                "reference": self.reference, "params": [p.describe() for p in self.params]}


_added: dict[Kind, dict[str, Any]] = {kind: {} for kind in KINDS}

P = TypeVar("P")


def register(kind: Kind, plugin: P, *, replace: bool = False) -> P:
    """Make ``plugin`` available as ``plugin.name`` among the ``kind`` plug-ins; returns it, so
    it can be used as a class decorator. Registering the same object again is harmless."""
    _check_kind(kind)
    name = cast("Plugin", plugin).name
    current = _added[kind].get(name)
    if current is not None and current is not plugin and not replace:
        raise ValueError(f"a {_NOUN[kind]} named {name!r} is already registered")
    if name in _BUILTIN[kind] and not replace:
        loaded = _load_builtin(kind, name, plugin)
        if loaded is not plugin:
            raise ValueError(f"{name!r} is a built-in {_NOUN[kind]}")
    _added[kind][name] = plugin
    return plugin


def unregister(kind: Kind, name: str) -> None:
    """Remove a plug-in added with :func:`register` (built-ins stay)."""
    _added[kind].pop(name, None)


def registrar(kind: Kind) -> Callable[[P], P]:
    """A decorator that registers its argument as a ``kind`` plug-in."""
    return lambda plugin: register(kind, plugin)


def names(kind: Kind) -> list[str]:
    """Names of the ``kind`` plug-ins: built-ins first, in their declared order (no imports)."""
    _check_kind(kind)
    return [*_BUILTIN[kind], *(n for n in _added[kind] if n not in _BUILTIN[kind])]


def get(kind: Kind, name: str) -> Any:
    """The ``kind`` plug-in called ``name``.

    Raises:
        UsageError: for an unknown name, listing the known ones.
    """
    _check_kind(kind)
    key = name.strip().lower().replace("_", "-") if kind == "strategy" else name
    if key in _added[kind]:
        return _added[kind][key]
    if key in _BUILTIN[kind]:
        return _load_builtin(kind, key)
    raise UsageError(f"unknown {_NOUN[kind]} {name!r:.60}; known: {', '.join(names(kind))}")


def info(kind: Kind, name: str) -> PluginInfo:
    """The declaration of a plug-in."""
    plugin = cast("Plugin", get(kind, name))
    return PluginInfo(kind, plugin.name, plugin.title, plugin.reference, tuple(plugin.params))


def catalog(kinds: tuple[Kind, ...] = KINDS) -> list[PluginInfo]:
    """Every plug-in of the given kinds (imports the built-ins)."""
    return [info(kind, name) for kind in kinds for name in names(kind)]


def _load_builtin(kind: Kind, name: str, registering: object | None = None) -> Any:
    module_name, _, attribute = _BUILTIN[kind][name].partition(":")
    module = importlib.import_module(module_name)
    # while a built-in module is being imported, its own @register sees no attribute yet
    return getattr(module, attribute, registering)


def _check_kind(kind: str) -> None:
    if kind not in _BUILTIN:
        raise UsageError(f"unknown plug-in kind {kind!r}; known: {', '.join(KINDS)}")
