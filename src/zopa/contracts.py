"""Contract checks that every plug-in of a kind must pass, whatever its maths.

As scikit-learn's ``check_estimator`` and Axelrod's inherited player tests: a new forecast model,
strategy, protocol, power method or vote model registered in :mod:`zopa.registry` gets every
generic check without a line of test code. ``tests/test_contracts.py`` runs them over the whole
registry; plug-in authors call :func:`check_plugin` on their own.

Each check is a small function that raises :class:`ContractError` naming what broke.

>>> [c.__name__ for c in CHECKS["power-method"]][:2]
['power_sums_to_one', 'power_symmetric_members_equal']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from zopa import registry
from zopa.errors import UsageError
from zopa.params import Param
from zopa.scenario.arrays import ScenarioArrays, from_matrices


class ContractError(AssertionError):
    """A plug-in breaks a contract of its kind."""


Check = Callable[[Any], None]


def _fail(plugin: Any, message: str) -> None:
    raise ContractError(f"{getattr(plugin, 'name', plugin)}: {message}")


def sample_arrays(n: int = 4, m: int = 3, seed: int = 7) -> ScenarioArrays:
    """A small random scenario (continuous issues on 0-100, capabilities 1-10), the same for a
    seed, on which every check runs."""
    rng = np.random.default_rng(seed)
    return from_matrices(
        rng.uniform(0, 100, (n, m)).round(1), rng.uniform(0.2, 1.0, (n, m)).round(2),
        rng.uniform(1, 10, n).round(1), lo=0.0, hi=100.0, batna=np.full(n, 0.1),
    )


# --- every kind: declared parameters ----------------------------------------------------------


def params_round_trip(plugin: Any) -> None:
    """Every parameter's default parses to itself, from the value and from its text."""
    for p in plugin.params:
        if not isinstance(p, Param):
            _fail(plugin, f"parameter {p!r} is not a Param")
        if p.parse(p.default) != p.default:
            _fail(plugin, f"parameter {p.name}: default {p.default!r} does not parse to itself")
        text = ",".join(map(str, p.default)) if isinstance(p.default, tuple) else str(p.default)
        if p.parse(text) != p.default:
            _fail(plugin, f"parameter {p.name}: text {text!r} does not parse to the default")


def declares_itself(plugin: Any) -> None:
    """A name, a title and a reference to the literature."""
    for attribute in ("name", "title", "reference"):
        if not str(getattr(plugin, attribute, "")).strip():
            _fail(plugin, f"declares no {attribute}")


# --- forecast models ---------------------------------------------------------------------------


def _final(cls: Any, arrays: ScenarioArrays, seed: int = 1) -> np.ndarray:
    forecast = cls().run(arrays, rounds=3, seed=seed)
    n, m = arrays.n_actors, arrays.n_issues
    rounds = forecast.rounds
    if forecast.outcome.shape != (rounds + 1, m) or forecast.positions.shape != (rounds + 1, n, m):
        _fail(cls, f"forecast shapes {forecast.outcome.shape} / {forecast.positions.shape} do not "
                   f"match {rounds} rounds, {n} actors, {m} issues")
    return np.asarray(forecast.final)


def model_deterministic(cls: Any) -> None:
    """The same seed gives the same forecast."""
    arrays = sample_arrays()
    if not np.array_equal(_final(cls, arrays), _final(cls, arrays), equal_nan=True):
        _fail(cls, "two runs with the same seed differ")


def model_order_independent(cls: Any) -> None:
    """Reordering the actors does not change the forecast (unless the model says it may)."""
    if not getattr(cls, "order_independent", True):
        return
    arrays = sample_arrays()
    order = np.array([2, 0, 3, 1])
    shuffled = arrays.with_values(
        actor_ids=tuple(arrays.actor_ids[i] for i in order),
        actor_names=tuple(arrays.actor_names[i] for i in order),
        is_party=arrays.is_party[order], capability=arrays.capability[order],
        batna=arrays.batna[order], ideal=arrays.ideal[order], salience=arrays.salience[order],
        red_line=arrays.red_line[order], prefers=arrays.prefers[order],
        relations=arrays.relations[:, order][:, :, order],
    )
    if not np.allclose(_final(cls, arrays), _final(cls, shuffled), atol=1e-9, equal_nan=True):
        _fail(cls, "the forecast depends on the order of the actors")


def model_stays_in_range(cls: Any) -> None:
    """Forecasts lie on every issue's scale."""
    for seed in (3, 11):
        arrays = sample_arrays(seed=seed)
        final = _final(cls, arrays)
        ok = np.isnan(final) | ((final >= arrays.lo - 1e-9) & (final <= arrays.hi + 1e-9))
        if not ok.all():
            _fail(cls, f"forecast {final} leaves the scale [{arrays.lo}, {arrays.hi}]")


def model_single_actor(cls: Any) -> None:
    """With one actor, the forecast is its ideal point."""
    arrays = from_matrices(np.array([[30.0, 70.0]]), np.array([[0.5, 1.0]]), [2.0], hi=100.0)
    final = _final(cls, arrays)
    if not np.allclose(final, [30.0, 70.0], atol=1e-6):
        _fail(cls, f"one actor at (30, 70) gives {final}")


def model_zero_salience(cls: Any) -> None:
    """No actor cares about anything: no error, and no forecast off the scale or infinite."""
    arrays = sample_arrays()
    arrays = arrays.with_values(salience=np.zeros_like(arrays.salience))
    final = _final(cls, arrays)
    if np.isinf(final).any() or ((final < arrays.lo - 1e-9) | (final > arrays.hi + 1e-9)).any():
        _fail(cls, f"zero salience gives {final}")


def model_consensus(cls: Any) -> None:
    """All actors at one point: the forecast is that point."""
    point = np.array([25.0, 50.0, 90.0])
    arrays = sample_arrays()
    arrays = arrays.with_values(ideal=np.tile(point, (arrays.n_actors, 1)))
    final = _final(cls, arrays)
    if not np.allclose(final, point, atol=1e-6):
        _fail(cls, f"every actor at {point} gives {final}")


def model_parameters_round_trip(cls: Any) -> None:
    """A model rebuilt from its own ``parameters`` has the same parameters."""
    model = cls()
    if cls(**model.parameters).parameters != model.parameters:
        _fail(cls, "parameters do not survive a round trip")
    try:
        cls(no_such_parameter=1)
    except UsageError:
        return
    _fail(cls, "an unknown parameter is accepted")


def model_result_matches_schema(cls: Any) -> None:
    """The forecast's JSON validates against the ``zopa.forecast`` schema."""
    from zopa.app.forecast import forecast_arrays

    _validate(forecast_arrays(sample_arrays(), model=cls.name, rounds=2))


def _validate(result: Any) -> None:
    import jsonschema

    try:
        jsonschema.validate(result.to_json(), type(result).json_schema())
    except jsonschema.ValidationError as exc:
        raise ContractError(f"{type(result).__name__}: {exc.message}") from None


# --- strategies and protocols -----------------------------------------------------------------


def _problem() -> Any:
    from zopa.protocols.space import problem_from_arrays

    return problem_from_arrays(sample_arrays(n=3, m=2), None, 5)


def _play(strategy: Any, protocol: str = "sao", chunk: int = 64, runs: int = 24) -> Any:
    problem = _problem()
    spec = registry.get("protocol", protocol)
    chosen = [strategy.make(), registry.get("strategy", "linear").make(),
              registry.get("strategy", "conceder").make()]
    return problem, spec.engine(problem, chosen, n_steps=30, runs=runs, seed=5, chunk=chunk)


def strategy_reproducible(spec: Any) -> None:
    """The same seed gives the same negotiations."""
    _, a = _play(spec)
    _, b = _play(spec)
    if not a.same_as(b):
        _fail(spec, "two batches with the same seed differ")


def strategy_chunking_irrelevant(spec: Any) -> None:
    """Results do not depend on how runs are batched (chunk 1, 7 and all)."""
    _, whole = _play(spec, chunk=64)
    for chunk in (1, 7):
        if not whole.same_as(_play(spec, chunk=chunk)[1]):
            _fail(spec, f"chunk size {chunk} changes the results")


def strategy_individually_rational(spec: Any) -> None:
    """Every agreement is worth at least each agent's reservation value."""
    for protocol in registry.names("protocol"):
        problem, results = _play(spec, protocol)
        agreed = results.agreed
        if agreed.any() and (results.utilities[agreed] < problem.reservation - 1e-9).any():
            _fail(spec, f"{protocol}: an agreement falls below a reservation value")


def protocol_reproducible(spec: Any) -> None:
    """The same seed gives the same negotiations, whatever the chunk size."""
    boulware = registry.get("strategy", "random")
    problem = _problem()
    runs = [spec.engine(problem, [boulware.make()] * problem.n_agents, n_steps=20, runs=16,
                        seed=9, chunk=c) for c in (1, 7, 16)]
    if not all(runs[0].same_as(r) for r in runs[1:]):
        _fail(spec, "results depend on the chunk size or are not reproducible")


def protocol_individually_rational(spec: Any) -> None:
    """No agent ends below its reservation value in an agreement."""
    strategy = registry.get("strategy", "conceder")
    problem = _problem()
    results = spec.engine(problem, [strategy.make()] * problem.n_agents, n_steps=40, runs=16,
                          seed=2)
    agreed = results.agreed
    if agreed.any() and (results.utilities[agreed] < problem.reservation - 1e-9).any():
        _fail(spec, "an agreement falls below a reservation value")


# --- power methods -----------------------------------------------------------------------------


def _weighted_body(weights: list[int], quota: int) -> Any:
    from zopa.institutions.rules import DecisionRule
    from zopa.scenario.schema import Body

    body = Body.model_validate({
        "id": "b", "name": "B",
        "members": [{"id": f"m{i}", "weight": w} for i, w in enumerate(weights)],
        "rule": {"quota": quota, "basis": "votes"},
    })
    return DecisionRule.from_body(body)


def _power(spec: Any, rule: Any) -> Any | None:
    try:
        return spec.compute(rule)
    except UsageError:
        return None  # the method does not apply to this rule: it must say so, as it did


def power_sums_to_one(spec: Any) -> None:
    """Shapley-Shubik indices sum to exactly 1 (if the method applies)."""
    indices = _power(spec, _weighted_body([4, 3, 2, 1, 1], 6))
    if indices is not None and sum(indices.shapley_shubik) != 1:
        _fail(spec, f"Shapley-Shubik sums to {sum(indices.shapley_shubik)}")


def power_symmetric_members_equal(spec: Any) -> None:
    """Members of equal weight have equal power."""
    indices = _power(spec, _weighted_body([3, 2, 2, 1], 5))
    if indices is not None and (indices.shapley_shubik[1] != indices.shapley_shubik[2]
                                or indices.swings[1] != indices.swings[2]):
        _fail(spec, "two members of weight 2 differ in power")


def power_agrees_with_enumeration(spec: Any) -> None:
    """Every method gives what enumerating all coalitions gives."""
    rule = _weighted_body([5, 4, 3, 2, 2, 1], 9)
    indices = _power(spec, rule)
    reference = registry.get("power-method", "enumerate").compute(rule)
    if indices is not None and (indices.shapley_shubik != reference.shapley_shubik
                                or indices.swings != reference.swings):
        _fail(spec, "differs from enumeration")


# --- vote models -------------------------------------------------------------------------------


def _vote_setup() -> tuple[ScenarioArrays, Any, Any]:
    from zopa.scenario.arrays import DraftArrays

    arrays = sample_arrays(n=3, m=2)
    rule = _weighted_body([1, 1, 1, 1], 3)
    rule = type(rule)(**{**rule.__dict__, "actors": ("a0", "a1", "a2", None)})
    draft = DraftArrays("d", "d", np.array([0.9, 0.5]), np.array([0.1, 0.5]),
                        np.array([True, False]))
    return arrays, rule, draft


def vote_probabilities_sum_to_one(spec: Any) -> None:
    """Each member's probabilities and the result's sum to one."""
    from zopa.institutions.prediction import predict_vote

    arrays, rule, draft = _vote_setup()
    prediction = predict_vote(arrays, rule, draft, None, spec.make())
    for member in prediction.members:
        if abs(sum(member.probabilities) - 1.0) > 1e-9:
            _fail(spec, f"member {member.member}'s probabilities sum to "
                        f"{sum(member.probabilities)}")
    r = prediction.result
    if abs(r.adopted + r.failed + r.vetoed - 1.0) > 1e-9:
        _fail(spec, "result probabilities do not sum to one")


def vote_fixed_votes_respected(spec: Any) -> None:
    """A fixed vote is that vote with certainty."""
    from zopa.institutions.prediction import predict_vote
    from zopa.scenario.schema import Vote

    arrays, rule, draft = _vote_setup()
    prediction = predict_vote(arrays, rule, draft, {"m0": Vote.no}, spec.make())
    if prediction.members[0].probabilities != (0.0, 1.0, 0.0, 0.0):
        _fail(spec, "a vote fixed to no is not certain")


_COMMON: list[Check] = [declares_itself, params_round_trip]

CHECKS: dict[str, list[Check]] = {
    "model": [*_COMMON, model_deterministic, model_order_independent, model_stays_in_range,
              model_single_actor, model_zero_salience, model_consensus,
              model_parameters_round_trip, model_result_matches_schema],
    "strategy": [*_COMMON, strategy_reproducible, strategy_chunking_irrelevant,
                 strategy_individually_rational],
    "protocol": [*_COMMON, protocol_reproducible, protocol_individually_rational],
    "power-method": [power_sums_to_one, power_symmetric_members_equal,
                     power_agrees_with_enumeration, *_COMMON],
    "vote-model": [*_COMMON, vote_probabilities_sum_to_one, vote_fixed_votes_respected],
}
"""The contract of each kind of plug-in."""


def check_plugin(kind: registry.Kind, plugin: Any) -> None:
    """Run every check of ``kind`` on ``plugin``; raises :class:`ContractError` on the first
    one it breaks."""
    for check in CHECKS[kind]:
        check(plugin)
