"""Expected-utility model (bdm, bdm-scholz): reference replication, math pieces, properties.

Reference: tests/data/reference/bdm_scholz_eu_rounds.csv holds 10 rounds of the replication of
Scholz's code (github.com/jmckib/bdm-scholz-expected-utility-model) on the EU example of Scholz,
Calbert & Smith (2011), tests/data/import/scholz2011_eu_example.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrays_strategies import imported_arrays, make_arrays
from zopa.importers.table import import_table
from zopa.models import bdm_math as bm
from zopa.models.base import make_model
from zopa.models.bdm import PAPER, SCHOLZ_CODE, issue_round
from zopa.scenario.arrays import ScenarioArrays

DATA = Path(__file__).parent / "data"
# Published medians of the replication (shared/models/README.md, also in the reference CSV)
MEDIANS = [7.0, 8.415932315426764, 9.610859134120188, 9.961979590401311, 9.961979590401311,
           9.961979590401311, 7.47204636191629, 8.824593855262423, 9.671129769802048,
           9.671129769802048, 7.0]


def one_issue(cap: list[float], x: np.ndarray, s: np.ndarray) -> ScenarioArrays:
    """Actors on one issue of scale 0-10 (several issues if ``x`` is 2-D)."""
    x = np.asarray(x, dtype=float).reshape(len(cap), -1)
    return make_arrays(x, np.asarray(s, dtype=float).reshape(x.shape), cap, hi=10.0)


@pytest.fixture(scope="module")
def eu(tmp_path_factory: pytest.TempPathFactory) -> ScenarioArrays:
    text, _ = import_table(DATA / "import" / "scholz2011_eu_example.csv")
    return imported_arrays(text, tmp_path_factory.mktemp("eu"))


def reference_rows() -> list[dict[str, str]]:
    with (DATA / "reference" / "bdm_scholz_eu_rounds.csv").open() as handle:
        next(handle)  # the source line
        return list(csv.DictReader(handle))


def test_bdm_scholz_reproduces_the_published_eu_example(eu: ScenarioArrays) -> None:
    forecast = make_model("bdm-scholz").run(eu, rounds=10)
    assert forecast.positions.shape == (11, 10, 1)
    rows = reference_rows()
    assert len(rows) == 110
    for row in rows:
        k, i = int(row["round"]), eu.actor_ids.index(row["actor"])
        assert forecast.positions[k, i, 0] == pytest.approx(float(row["position"]), abs=1e-9)
        assert forecast.outcome[k, 0] == pytest.approx(float(row["median"]), abs=1e-9)
        if k:
            r = forecast.diagnostics["risk"][k - 1]["r"][row["actor"]]["issue"]
            assert r == pytest.approx(float(row["risk_r"]), abs=1e-9)
    np.testing.assert_allclose(forecast.outcome[:, 0], MEDIANS, atol=1e-9)


def test_bdm_scholz_round_one_offers(eu: ScenarioArrays) -> None:
    # shared/models/bdm/NOTES.md: Belgium compromises with France to 8.4159; Luxembourg loses to
    # Belgium (to 7); Ireland loses to Luxembourg (to 4).
    forecast = make_model("bdm-scholz").run(eu, rounds=1)
    got = {(c["actor"], c["by"], c["type"], round(c["to"], 4))
           for c in forecast.diagnostics["challenges"]}
    assert got == {("Belgium", "France", "compromise", 8.4159),
                   ("Luxembourg", "Belgium", "confrontation", 7.0),
                   ("Ireland", "Luxembourg", "confrontation", 4.0)}
    json_ready = forecast.diagnostics["challenge_counts"]
    assert json_ready == {"confrontation": 2, "compromise": 1, "capitulation": 0}


def naive_support(u: np.ndarray, x: np.ndarray, w: np.ndarray, r: np.ndarray,
                  dx: float) -> np.ndarray:
    """The n x n x n definition, for checking the prefix-sum version."""
    f = (np.abs(x[:, None] - u[None, :]) / dx) ** r[:, None]  # voter k, position a
    v = w[:, None, None] * (f[:, None, :] - f[:, :, None])  # k, a, b: support for a over b
    out = np.maximum(v, 0.0).sum(axis=0)
    np.fill_diagonal(out, 0.0)
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**31), st.booleans())
def test_support_matches_the_cubic_definition(n: int, seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, n).astype(float) if ties else rng.uniform(0, 10, n)
    w, r = rng.uniform(0, 1, n), rng.uniform(0.5, 2.0, n)
    u = np.unique(x)
    fast = bm.support(u, bm.Voters.of(x, w, r), 10.0)
    np.testing.assert_allclose(fast, naive_support(u, x, w, r, 10.0), atol=1e-12)
    pairs = sum(abs(naive_support(np.array([a, b]), x, w, r, 10.0)).sum() for a in x for b in x)
    counts = np.unique(x, return_counts=True)[1].astype(float)
    allp = bm.all_pairs_votes(u, counts, bm.Voters.of(x, w, r), 10.0)
    assert allp == pytest.approx(pairs / 1.0, rel=1e-12, abs=1e-12)


def test_paper_probabilities_sum_to_one() -> None:
    x = np.array([0.0, 3.0, 7.0, 10.0])
    votes = bm.support(x, bm.Voters.of(x, np.array([1.0, 2.0, 1.0, 3.0]), np.ones(4)), 10.0)
    p = bm.win_probability(votes, denominator=None)
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose((p + p.T)[off], 1.0)


def test_risk_exponents_bounds_and_degenerate() -> None:
    r = bm.risk_exponents(np.array([-3.0, 0.0, 5.0]))
    assert r[0] == pytest.approx(2.0) and r[2] == pytest.approx(0.5)
    np.testing.assert_array_equal(bm.risk_exponents(np.full(4, 2.5)), np.ones(4))


@pytest.mark.parametrize("name", ["bdm", "bdm-scholz"])
def test_degenerate_cases_give_no_nan(name: str) -> None:
    model = make_model(name)
    cases = [
        one_issue([1.0], np.array([3.0]), np.array([0.5])),  # a single actor
        one_issue([1.0, 2.0, 3.0], np.full(3, 4.0), np.full(3, 0.7)),  # one position
        one_issue([1.0, 2.0, 3.0], np.array([1.0, 5.0, 9.0]), np.zeros(3)),  # no salience
        one_issue([1.0, 1.0], np.array([2.0, 8.0]), np.array([0.5, 0.5])),  # symmetric
        one_issue([1.0, 2.0, 3.0], np.array([np.nan, 5.0, 9.0]), np.full(3, 0.5)),
    ]
    for arrays in cases:
        forecast = model.run(arrays, rounds=4)
        held = ~np.isnan(arrays.ideal)
        assert np.isfinite(forecast.positions[:, held]).all()
        assert np.isfinite(forecast.outcome).all()
        assert np.isnan(forecast.positions[:, ~held]).all()


def test_one_position_changes_nothing() -> None:
    arrays = one_issue([1.0, 2.0, 3.0, 4.0], np.full(4, 6.0), np.array([0.1, 0.5, 0.9, 1.0]))
    for name in ("bdm", "bdm-scholz"):
        forecast = make_model(name).run(arrays, rounds=3)
        assert (forecast.positions == 6.0).all()
        assert forecast.diagnostics["challenges"] == []


@st.composite
def actor_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    x = np.round(rng.uniform(0, 10, n), 1)
    return rng.uniform(0.1, 1.0, n), x, np.round(rng.uniform(0, 1, n), 2)


@settings(max_examples=40, deadline=None)
@given(actor_sets(), st.sampled_from([PAPER, SCHOLZ_CODE]))
def test_positions_stay_within_the_actors_range(
    actors: tuple[np.ndarray, np.ndarray, np.ndarray], variant: object
) -> None:
    c, x, s = actors
    lo, hi = x.min(), x.max()
    for _ in range(3):
        step = issue_round(x, c, s, float(hi - lo), variant)  # type: ignore[arg-type]
        assert np.isfinite(step.x).all()
        assert (step.x >= lo - 1e-12).all() and (step.x <= hi + 1e-12).all()
        assert ((step.r >= 0.5 - 1e-12) & (step.r <= 2.0 + 1e-12)).all()
        x = step.x


@settings(max_examples=30, deadline=None)
@given(actor_sets(), st.integers(0, 2**31))
def test_paper_variant_does_not_depend_on_actor_order(
    actors: tuple[np.ndarray, np.ndarray, np.ndarray], seed: int
) -> None:
    c, x, s = actors
    perm = np.random.default_rng(seed).permutation(x.size)
    a = issue_round(x, c, s, 10.0, PAPER)
    b = issue_round(x[perm], c[perm], s[perm], 10.0, PAPER)
    np.testing.assert_allclose(a.x[perm], b.x, atol=1e-9)
    np.testing.assert_allclose(a.r[perm], b.r, atol=1e-9)


def test_outcome_is_weighted_median_within_range(eu: ScenarioArrays) -> None:
    forecast = make_model("bdm").run(eu, rounds=5)
    assert ((forecast.outcome >= 4.0) & (forecast.outcome <= 10.0)).all()
    assert forecast.outcome[0, 0] == 7.0  # the weighted median of the EU example


def test_parameters_are_checked() -> None:
    from zopa.errors import UsageError

    with pytest.raises(UsageError):
        make_model("bdm", {"q": "1.5"})
    with pytest.raises(UsageError):
        make_model("bdm-scholz", {"scale": "meters"})
    model = make_model("bdm", {"q": "0.5", "t": "0.5", "scale": "issue"})
    arrays = one_issue([1.0, 2.0, 3.0], np.array([1.0, 5.0, 9.0]), np.array([0.4, 0.6, 0.9]))
    forecast = model.run(arrays, rounds=3)
    assert np.isfinite(forecast.outcome).all()
    assert forecast.diagnostics["scale_width"] == {"i0": 10.0}


def test_ten_thousand_actors_shape_only_small_round() -> None:
    # the large case lives in benchmarks/bench_bdm.py; here 2,000 actors keep the test fast
    rng = np.random.default_rng(7)
    n = 2000
    x = np.round(rng.uniform(0, 100, n), 2)
    step = issue_round(x, rng.uniform(0.01, 1, n), rng.uniform(0.1, 1, n), 100.0, PAPER)
    assert step.x.shape == (n,) and np.isfinite(step.x).all()
