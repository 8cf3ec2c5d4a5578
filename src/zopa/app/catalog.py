"""Use case ``list_plugins``: every plug-in of every kind with its declared parameters."""

from __future__ import annotations

from zopa import registry
from zopa.results.catalog import ParamInfo, PluginCatalogResult, PluginEntry


def list_plugins(kinds: tuple[registry.Kind, ...] = registry.KINDS) -> PluginCatalogResult:
    """The registry's contents (imports the built-in plug-ins).

    >>> "exchange" in [p.name for p in list_plugins(("model",)).plugins]
    True
    """
    return PluginCatalogResult(plugins=[
        PluginEntry(kind=p.kind, name=p.name, title=p.title, reference=p.reference,
                    params=[ParamInfo(**q.describe()) for q in p.params])
        for p in registry.catalog(kinds)
    ])
