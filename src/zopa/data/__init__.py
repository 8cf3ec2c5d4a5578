"""Built-in data files: voting bodies (``*.yaml``) that ``--builtin NAME`` reads."""

from __future__ import annotations

from importlib import resources


def builtin_body_names() -> list[str]:
    """Names of the built-in bodies (file names without ``.yaml``), without reading them."""
    return sorted(
        p.name.removesuffix(".yaml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".yaml")
    )
