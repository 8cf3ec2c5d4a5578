"""The utility model (src/zopa/utility.py, docs/utility.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from zopa import utility as u

unit = st.floats(0.0, 1.0, allow_nan=False)


def test_docs_example() -> None:
    """The worked example of docs/utility.md."""
    ideal = np.array([[1.0, 20 / 130]])
    weights = u.salience_weights(np.array([[0.7, 0.5]]))
    prefers = np.array([[u.PEAKED, u.LESS]], dtype=np.int8)
    package = np.array([60 / 180, 40 / 130])
    value = u.utility(package, ideal, weights, prefers)
    assert value.shape == (1,)
    assert value[0] == pytest.approx(
        1 - (0.7 / 1.2) * (2 / 3) - (0.5 / 1.2) * (20 / 130), abs=1e-12
    )
    assert value[0] == pytest.approx(0.547, abs=5e-4)


def test_loss_shapes() -> None:
    ideal = np.array([[0.5], [0.5], [0.5]])
    prefers = np.array([[u.PEAKED], [u.MORE], [u.LESS]], dtype=np.int8)
    loss = u.issue_loss(np.array([[0.2], [0.9]]), ideal, prefers)
    assert loss[0, :, 0] == pytest.approx([0.3, 0.3, 0.0])
    assert loss[1, :, 0] == pytest.approx([0.4, 0.0, 0.4])


def test_zero_salience_actor_is_indifferent() -> None:
    weights = u.salience_weights(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert weights.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    values = u.utility(
        np.array([[0.0, 1.0]]),
        np.array([[1.0, 0.0], [1.0, 0.0]]),
        weights,
        np.zeros((2, 2), dtype=np.int8),
    )
    assert values.tolist() == [[1.0, 0.0]]


def test_acceptable_interval_and_violation() -> None:
    ideal = np.array([[0.8, 0.2, 0.5, 0.5]])
    red = np.array([[0.3, 0.6, 0.5, np.nan]])
    low, high = u.acceptable_interval(ideal, red)
    assert low.tolist() == [[0.3, 0.0, 0.5, 0.0]]
    assert high.tolist() == [[1.0, 0.6, 0.5, 1.0]]
    v = u.red_line_violation(np.array([0.1, 0.9, 0.5, 0.0]), low, high)
    assert v == pytest.approx([0.2 + 0.3])


def test_chunked_equals_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    z, ideal = rng.random((1000, 4)), rng.random((5, 4))
    weights = u.salience_weights(rng.random((5, 4)))
    prefers = rng.integers(-1, 2, (5, 4)).astype(np.int8)
    direct = u.utility(z, ideal, weights, prefers)
    monkeypatch.setattr(u, "_CHUNK_ELEMENTS", 37)
    assert np.array_equal(u.utility(z, ideal, weights, prefers), direct)


@given(
    z=hnp.arrays(float, (6, 3), elements=unit),
    ideal=hnp.arrays(float, (4, 3), elements=unit),
    sal=hnp.arrays(float, (4, 3), elements=unit),
    pref=hnp.arrays(np.int8, (4, 3), elements=st.sampled_from([-1, 0, 1])),
)
def test_utility_in_unit_interval_and_one_at_ideal(
    z: np.ndarray, ideal: np.ndarray, sal: np.ndarray, pref: np.ndarray
) -> None:
    weights = u.salience_weights(sal)
    values = u.utility(z, ideal, weights, pref)
    assert values.shape == (6, 4)
    assert np.all(values >= -1e-12) and np.all(values <= 1 + 1e-12)
    at_ideal = np.array([u.utility(ideal[i], ideal, weights, pref)[i] for i in range(4)])
    assert at_ideal == pytest.approx(np.ones(4))


def test_normalise_round_trip() -> None:
    lo, hi = np.array([0.0, -5.0]), np.array([180.0, 5.0])
    v = np.array([[90.0, 0.0], [180.0, -5.0]])
    assert u.normalise(v, lo, hi).tolist() == [[0.5, 0.5], [1.0, 0.0]]
    assert np.allclose(u.denormalise(u.normalise(v, lo, hi), lo, hi), v)
