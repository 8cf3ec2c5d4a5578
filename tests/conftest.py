"""Shared fixtures: paths to the test data under tests/data; every test's run store in a
temporary folder (never the user's data folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _run_store(tmp_path_factory: pytest.TempPathFactory,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands store their runs in a store of this test session (``$ZOPA_STORE``), not in the
    user's data folder; tests of the store pass ``--store`` or set their own."""
    path = tmp_path_factory.getbasetemp() / "store" / "runs.duckdb"
    monkeypatch.setenv("ZOPA_STORE", str(path))
    monkeypatch.delenv("ZOPA_NO_STORE", raising=False)
    return path


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
