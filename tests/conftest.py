"""Shared fixtures: paths to the test data under tests/data; every test's run store in a
temporary folder (never the user's data folder)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

_STORE_FOLDER = tempfile.mkdtemp(prefix="zopa-test-store-")
SESSION_STORE = Path(_STORE_FOLDER) / "runs.duckdb"
"""The run store of this test session. Set in the environment as this file is imported, before
any test module copies ``os.environ`` for its subprocesses (the hostile corpus does at import),
so that no test, in process or not, writes to the user's data folder."""
os.environ["ZOPA_STORE"] = str(SESSION_STORE)
os.environ.pop("ZOPA_NO_STORE", None)
atexit.register(shutil.rmtree, _STORE_FOLDER, True)


@pytest.fixture(autouse=True)
def _run_store(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands store their runs in the session's store (``$ZOPA_STORE``), never in the user's
    data folder, even after a test changed the variable; tests of the store pass ``--store``."""
    monkeypatch.setenv("ZOPA_STORE", str(SESSION_STORE))
    monkeypatch.delenv("ZOPA_NO_STORE", raising=False)
    return SESSION_STORE


@pytest.fixture
def data_dir() -> Path:
    """tests/data: scenario files written for the tests."""
    return DATA


@pytest.fixture
def valid_dir() -> Path:
    """tests/data/valid: small scenarios that must load without error."""
    return DATA / "valid"


@pytest.fixture
def malformed_dir() -> Path:
    """tests/data/malformed: broken scenarios, with their expected problems in expected.yaml."""
    return DATA / "malformed"
