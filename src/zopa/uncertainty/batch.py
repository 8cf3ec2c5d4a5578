"""A scenario's outputs for every draw of a :class:`~zopa.timeline.state.State` at once.

Each function here gives, for ``D`` draws, what the one-scenario code gives for one draw, with the
draw axis leading every array and no Python loop over draws (except :func:`forecast` for
``nash`` and ``exchange``, see there):

- :func:`compromise`, :func:`median`: the static models of :mod:`zopa.models.compromise`,
  ``(D, m)`` in issue units, equal to ``make_model(name).run(state.arrays(d)).final``;
- :func:`verdicts`: each member's utility, surplus, red-line violation and acceptance of one
  package per draw, as :func:`zopa.app.common.verdicts`;
- :func:`issue_zones`: per issue, the interval every member accepts, ``(D, m)`` twice;
- :func:`zone_exists` (from :mod:`.zones`): whether the ZOPA is empty, exactly as
  :func:`zopa.analysis.zone.analyse_zone`;
- :func:`forecast`: any registered model (``bdm`` and ``bdm-scholz`` on all draws at once;
  ``nash`` and ``exchange`` a run a draw where they must, see there).

Memory grows linearly with ``D``: callers bound it by chunking (:mod:`.montecarlo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from zopa import utility as u
from zopa.analysis.zone import member_valuation
from zopa.models.base import ParamValue, make_model
from zopa.models.bdm import ExpectedUtilityModel
from zopa.models.compromise import influence_weights, weighted_mean, weighted_median
from zopa.models.exchange import ExchangeModel
from zopa.models.nash import NashModel, without_solution
from zopa.seeds import SeedLike, as_seed_sequence, child_sequence
from zopa.timeline.state import State
from zopa.uncertainty.zones import Members, MemberView, ZoneBatch, member_view, zone_exists
from zopa.utility import BoolArray, FloatArray

__all__ = ["VECTORISED", "MemberView", "Members", "Verdicts", "ZoneBatch", "compromise",
           "forecast", "issue_zones", "median", "member_view", "verdicts", "zone_exists"]

_ACCEPT_TOL = 1e-9
"""As :func:`zopa.app.common.verdicts`: a violation or a shortfall up to this much is none."""


def compromise(state: State) -> FloatArray:
    """The compromise model (capability x salience weighted mean) on each draw: ``(D, m)``.

    >>> from zopa.scenario.arrays import from_matrices
    >>> s = State.from_arrays(from_matrices(np.array([[0.0], [1.0]]), np.ones((2, 1)), [1, 3]))
    >>> compromise(s).tolist()
    [[0.75]]
    """
    weights = influence_weights(state.capability, state.salience, state.ideal)
    midpoint = (state.base.lo + state.base.hi) / 2.0
    return weighted_mean(state.ideal, weights, midpoint)


def median(state: State) -> FloatArray:
    """The weighted median (median voter) on each draw: ``(D, m)``."""
    weights = influence_weights(state.capability, state.salience, state.ideal)
    midpoint = (state.base.lo + state.base.hi) / 2.0
    return weighted_median(state.ideal, weights, midpoint)


VECTORISED = {"compromise": compromise, "median": median}
"""The models :func:`forecast` computes for all draws at once."""


def forecast(
    model: str,
    state: State,
    *,
    rounds: int | None = None,
    seed: SeedLike = None,
    params: Mapping[str, ParamValue] | None = None,
    start: int = 0,
) -> FloatArray:
    """A registered model's forecast on each draw: ``(D, m)`` in issue units.

    Each row equals ``make_model(model, params).run(state.arrays(d), rounds=rounds).final``:

    - ``compromise`` and ``median`` (without parameters) run on all draws at once, at about a
      microsecond a draw; so do ``bdm`` and ``bdm-scholz`` with any parameters
      (:meth:`~zopa.models.bdm.ExpectedUtilityModel.run_batch`: ``rounds`` rounds of ``n^2 m``
      work with the draws along every array, the same numbers as a run a draw);
    - ``nash``: the draws whose red-line boxes leave no package are found for all draws at once
      (:func:`zopa.models.nash.without_solution`: NaN, as the model gives); each other draw is
      one run, because the Nash solution is an iterative optimisation (a linear programme, then
      SLSQP and L-BFGS-B from it, then a coordinate search) whose steps depend on the draw's
      numbers: solving draws together would not give each draw's own answer to the bit;
    - ``exchange``: a run a draw without the report
      (:meth:`~zopa.models.exchange.ExchangeModel.run_batch`: its exchanges are realised one
      after another, in an order that differs between draws);
    - any other model: a run a draw on ``state.arrays(d)``. Draw ``d`` takes its random numbers
      from child ``start + d`` of ``seed`` (:func:`zopa.seeds.child_sequence`), so a draw's
      result does not depend on the chunk it was computed in: pass ``start``, the number of the
      chunk's first draw.

    docs/models.md lists the measured cost of each.

    Args:
        model: a model's registry name.
        state: the draws.
        rounds: rounds of dynamic models (default: the model's own).
        seed: seed of the models' random numbers (``None``: fresh entropy).
        params: the model's parameters.
        start: the number of the first draw of ``state`` in the whole run.
    """
    if model in VECTORISED and not params:
        return VECTORISED[model](state)
    runner = make_model(model, params)
    if isinstance(runner, ExpectedUtilityModel):  # draws no random numbers
        outcomes = runner.run_batch(state.base, state.ideal, state.salience, state.capability,
                                    rounds=rounds, every_round=False)
        return np.asarray(outcomes[:, -1], dtype=float)
    if isinstance(runner, ExchangeModel):  # draws no random numbers either
        return runner.run_batch(state.base, state.ideal, state.salience, state.capability,
                                rounds=rounds)
    out = np.full((state.draws, state.base.n_issues), np.nan)
    draws = np.arange(state.draws)
    if isinstance(runner, NashModel):  # no package where a box leaves none: NaN, not solved
        view = member_view(state)
        valued = member_valuation(state.base.valuation, view.index) is not None
        draws = np.flatnonzero(~without_solution(state.base.options, view.low.max(axis=1),
                                                 view.high.min(axis=1), valued))
    parent = as_seed_sequence(seed)
    for d in draws.tolist():  # the model takes one scenario: one run a draw
        found = runner.run(state.arrays(d), rounds=rounds, seed=child_sequence(parent, start + d))
        out[d] = found.final
    return out


@dataclass(frozen=True, eq=False)
class Verdicts:
    """Each member's verdict on one package per draw (:func:`verdicts`); arrays ``(D, k)``.

    Attributes:
        members: the ``k`` members' ids.
        utility: ``U_i`` of the package.
        batna: the member's BATNA in the draw.
        surplus: ``utility - batna``.
        violation: red-line violation (normalised distance beyond the member's red lines).
        acceptable: violation and shortfall both at most ``1e-9``.
    """

    members: tuple[str, ...]
    utility: FloatArray
    batna: FloatArray
    surplus: FloatArray
    violation: FloatArray
    acceptable: BoolArray


def verdicts(state: State, packages: FloatArray, members: Members = None) -> Verdicts:
    """Each member's verdict on draw ``d``'s package ``packages[d]`` (issue units, ``(D, m)``).

    Equal for every draw to :func:`zopa.app.common.verdicts` on ``state.arrays(d)``. A package
    with a missing value (NaN, e.g. Nash without agreement) gets NaN numbers and is not
    acceptable (the app gives no verdicts then).

    Args:
        state: the draws.
        packages: one package a draw, in issue units.
        members: actor ids, indices or a :class:`MemberView` (computed once with
            :func:`member_view` when several functions look at the same members).
    """
    view = member_view(state, members)
    index, base = view.index, state.base
    z = base.normalise(np.asarray(packages, dtype=float))[:, None, :]  # (D, 1, m)
    weights = u.salience_weights(state.salience[:, index])
    util = u.utility(z, view.ideal, weights, base.prefers[index],
                     member_valuation(base.valuation, index))[:, 0]
    violation = u.red_line_violation(z, view.low, view.high)[:, 0]
    batna = state.batna[:, index]
    surplus = util - batna
    return Verdicts(
        members=view.ids,
        utility=util,
        batna=batna,
        surplus=surplus,
        violation=violation,
        acceptable=(violation <= _ACCEPT_TOL) & (surplus >= -_ACCEPT_TOL),
    )


def issue_zones(state: State, members: Members = None) -> tuple[FloatArray, FloatArray]:
    """Per draw and issue, the interval every member accepts: ``(low, high)``, each ``(D, m)``
    in issue units; the zone is empty where ``low > high`` (as
    :attr:`zopa.analysis.zone.IssueZone.empty`, with its tolerance of 1e-9 on the 0-1 scale)."""
    view = member_view(state, members)
    return (state.base.denormalise(view.low.max(axis=1)),
            state.base.denormalise(view.high.min(axis=1)))
