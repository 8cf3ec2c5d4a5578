"""Shared fixtures: paths to the test data under tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


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
