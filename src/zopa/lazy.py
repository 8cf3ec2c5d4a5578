"""Names of a package imported on first use (PEP 562 module ``__getattr__``), so that importing
the package, and the command line's ``--help``, loads nothing heavy."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(
    package: str, table: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``table`` maps a public name to the module
    that defines it; a name, once imported, is kept in ``namespace`` (the package's globals).

    >>> getattr_, _ = lazy_names("p", {"sqrt": "math"}, {})
    >>> getattr_("sqrt")(9.0)
    3.0
    """

    def getattr_(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted([*namespace, *table])

    return getattr_, dir_
