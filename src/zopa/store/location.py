"""Where the run store lives: ``--store PATH``, else ``$ZOPA_STORE``, else the user's data folder
(``platformdirs.user_data_dir("zopa")/runs.duckdb``). ``--no-store`` or ``ZOPA_NO_STORE=1``
turns storing off."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "ZOPA_STORE"
"""Environment variable naming the store file."""
NO_STORE_ENV = "ZOPA_NO_STORE"
"""Environment variable that, set to anything but ``""`` or ``0``, turns storing off."""
FILE_NAME = "runs.duckdb"


def store_path(option: Path | None = None) -> Path:
    """The store file: ``option``, else ``$ZOPA_STORE``, else the user's data folder.

    >>> str(store_path(Path("/tmp/x.duckdb")))
    '/tmp/x.duckdb'
    """
    if option is not None:
        return option
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("zopa")) / FILE_NAME


def storing_off(no_store: bool = False) -> bool:
    """Whether runs are not to be stored (``--no-store`` or ``$ZOPA_NO_STORE``)."""
    return no_store or os.environ.get(NO_STORE_ENV, "") not in ("", "0")
