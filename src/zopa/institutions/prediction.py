"""Vote prediction: each member's chance of voting yes, no or abstaining on a draft, and the exact
probability that the draft is adopted, vetoed (by whom) or fails.

The model (docs/institutions.md has the long form; every parameter is a field of
:class:`VoteModel`):

1. **Own interest.** For a member that is scenario actor ``a``, ``d_a = U_a(draft) - U_a(sq)``:
   the gain in zopa's utility (:mod:`zopa.utility`) from the draft's point over the status quo,
   both as full packages that differ only on the draft's issues.
2. **Pressure.** Actors that press, influence, back or supply ``a`` (relations ``b -> a``) pull it
   towards their own view of the draft: ``x_a = d_a + pressure * sum_b k(kind) strength_ba d_b``.
3. **Salience.** ``s_a``, the largest salience ``a`` gives any of the draft's issues, widens or
   narrows the band of indifference in which ``a`` abstains: ``tau_a = tau0 + tau1 (1 - s_a)``.
4. **Ordered logit** (McKelvey & Zavoina 1975) over no < abstain < yes with latent
   ``beta x_a + e``, ``e`` logistic: ``P(yes) = L(beta x_a - tau_a)``,
   ``P(no) = L(-beta x_a - tau_a)``, ``P(abstain) = 1 - P(yes) - P(no)``.
5. Members that are no scenario actor vote with the declared defaults
   (:attr:`VoteModel.default`); any member's vote can be fixed (a counterfactual or a known vote).

Votes are independent given these probabilities. The distribution of the result is computed
exactly by dynamic programming over the tallies the rule looks at (yes and no weight, yes
population, number of yes votes, which veto holders block): no sampling.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from zopa.errors import BudgetError, UsageError
from zopa.institutions.rules import (
    ABSENT,
    ABSTAIN,
    NO,
    VOTE_CODES,
    YES,
    DecisionRule,
    exact,
)
from zopa.params import Param, ParamValue, parse_params
from zopa.registry import PluginSpec
from zopa.scenario.arrays import RELATION_KINDS, DraftArrays, ScenarioArrays
from zopa.scenario.schema import QuotaBasis, RelationKind, Vote
from zopa.utility import FloatArray

_STATE_LIMIT = 2_000_000  # distinct tallies the exact recursion may track
MAX_TALLY_STEPS = 50_000_000
"""Most (member x tally) steps of one exact result distribution (a minute or so in Python)."""
MAX_SWING_STEPS = 100_000_000
"""Most steps for every member's swing probability (two distributions per member)."""


def tally_steps(rule: DecisionRule) -> int:
    """An upper bound on the (member x distinct tally) steps of :func:`result_distribution`,
    from the quota and the rule's other tallies, known before any work."""
    weights, _ = rule.integer_weights
    if rule.basis == QuotaBasis.present_and_voting:
        span = (sum(weights) + 1) ** 2
    else:
        span = rule.integer_quota() + 1
    pop = rule.integer_population_quota()
    if pop is not None:
        span *= pop + 1
        if rule.blocking_minority is not None:
            span *= rule.n + 1
    span = min(span * 2 ** int(np.count_nonzero(rule.veto)), _STATE_LIMIT)
    return int(rule.n * 4 * span)


@dataclass(frozen=True)
class VoteModel:
    """Every parameter of the vote model (see the module docstring for the formulas)."""

    beta: float = 10.0
    """Decisiveness: logit slope per unit of utility gain (utilities lie in [0, 1])."""
    tau0: float = 1.0
    """Half-width of the abstention band for a member to whom the draft matters most."""
    tau1: float = 2.0
    """Extra half-width for a member that gives the draft's issues no salience."""
    pressure: float = 1.0
    """Weight of other actors' pull relative to a member's own interest."""
    kinds: Mapping[RelationKind, float] = field(
        default_factory=lambda: {
            RelationKind.pressure: 1.0,
            RelationKind.patronage: 0.8,
            RelationKind.influence: 0.6,
            RelationKind.alliance: 0.5,
            RelationKind.mediation: 0.2,
        }
    )
    """How strongly each kind of relation carries pull (times the relation's strength)."""
    default: tuple[float, float, float] = (0.8, 0.05, 0.15)
    """(yes, no, abstain) for members that are no scenario actor. An estimate: drafts are
    rarely put to a vote without the support they need, so most pass; set it for the body at
    hand (``zopa vote --param default=yes,no,abstain``)."""

    def __post_init__(self) -> None:
        numbers = (self.beta, self.tau0, self.tau1, self.pressure, *self.default)
        if not all(np.isfinite(numbers)):
            raise UsageError("vote model: every parameter must be a finite number")
        if not (self.beta > 0 and self.tau0 >= 0 and self.tau1 >= 0 and self.pressure >= 0):
            raise UsageError("vote model: need beta > 0 and tau0, tau1, pressure >= 0")
        if any(p < 0 for p in self.default) or abs(sum(self.default) - 1.0) > 1e-9:
            raise UsageError("vote model: default probabilities must be >= 0 and sum to 1")


@dataclass(frozen=True)
class VoteModelSpec(PluginSpec):
    """A vote model plug-in: its declared parameters and how to build it."""

    def make(self, params: Mapping[str, ParamValue | str] | None = None) -> VoteModel:
        """The vote model with ``params`` (text values are parsed; the rest take defaults)."""
        values = parse_params(self.params, params or {}, f"vote model {self.name}")
        return VoteModel(**values)  # type: ignore[arg-type]


_DEFAULTS = VoteModel()
ORDERED_LOGIT = VoteModelSpec(
    "ordered-logit",
    "Ordered logit of each member's utility gain, pulled by pressure and alliances",
    "McKelvey & Zavoina 1975, A statistical model for the analysis of ordinal level dependent "
    "variables, J. Math. Sociology 4(1)",
    (
        Param("beta", float, _DEFAULTS.beta, "logit slope per unit of utility gain",
              low=1e-9, high=1e6),
        Param("tau0", float, _DEFAULTS.tau0, "half-width of the abstention band at full salience",
              low=0.0, high=1e6),
        Param("tau1", float, _DEFAULTS.tau1, "extra half-width at zero salience",
              low=0.0, high=1e6),
        Param("pressure", float, _DEFAULTS.pressure,
              "weight of other actors' pull relative to own interest", low=0.0, high=1e6),
        Param("default", tuple, _DEFAULTS.default,
              "yes,no,abstain probabilities of members that are no scenario actor",
              low=0.0, high=1.0, length=3, total=1.0),
    ),
)


def logistic(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float))))


def ordered_logit(support: FloatArray, salience: FloatArray, model: VoteModel) -> FloatArray:
    """``(n, 4)`` probabilities of yes, no, abstain, absent (absent: 0) from net support and
    salience (steps 3-4 of the model)."""
    tau = model.tau0 + model.tau1 * (1.0 - np.clip(salience, 0.0, 1.0))
    yes = logistic(model.beta * support - tau)
    no = logistic(-model.beta * support - tau)
    return np.stack([yes, no, np.clip(1.0 - yes - no, 0.0, 1.0), np.zeros_like(yes)], axis=-1)


def net_support(gain: FloatArray, pull: FloatArray, model: VoteModel) -> FloatArray:
    """Step 2: ``gain (n,)`` of each actor, ``pull (n, n)`` relation weights ``[from, to]``."""
    return np.asarray(gain + model.pressure * (pull.T @ gain))


def relation_pull(arrays: ScenarioArrays, model: VoteModel) -> FloatArray:
    """``(n, n)`` matrix of ``k(kind) * strength`` from actor to actor (summed over kinds)."""
    weights = np.array([model.kinds.get(RelationKind(kind), 0.0) for kind in RELATION_KINDS])
    return np.asarray(np.tensordot(weights, arrays.relations, axes=1))


@dataclass(frozen=True)
class MemberVote:
    """One member's predicted vote."""

    member: str
    actor: str | None
    basis: str  # "model", "default" or "fixed"
    gain: float | None  # own utility gain d_a
    support: float | None  # x_a with pressure
    probabilities: tuple[float, float, float, float]  # yes, no, abstain, absent


def member_probabilities(
    arrays: ScenarioArrays,
    rule: DecisionRule,
    draft: DraftArrays,
    model: VoteModel | None = None,
    fixed: Mapping[str, Vote] | None = None,
) -> list[MemberVote]:
    """Each member's vote probabilities under the model (steps 1-5)."""
    model = model or VoteModel()
    gain = arrays.utility(draft.proposal) - arrays.utility(draft.status_quo)
    support = net_support(gain, relation_pull(arrays, model), model)
    salience = np.where(draft.on, arrays.salience, 0.0).max(axis=1) if arrays.n_issues else (
        np.zeros(arrays.n_actors))
    probs = ordered_logit(support, salience, model)
    at = {a: i for i, a in enumerate(arrays.actor_ids)}
    fixed = dict(fixed or {})
    rule.index(list(fixed))  # names an unknown member
    out = []
    for member, actor in zip(rule.member_ids, rule.actors, strict=True):
        if member in fixed:
            p = [0.0, 0.0, 0.0, 0.0]
            p[VOTE_CODES[Vote(fixed[member])]] = 1.0
            out.append(MemberVote(member, actor, "fixed", None, None, (p[0], p[1], p[2], p[3])))
        elif actor is not None and actor in at:
            i = at[actor]
            pr = probs[i]
            out.append(MemberVote(member, actor, "model", float(gain[i]), float(support[i]),
                                  (float(pr[0]), float(pr[1]), float(pr[2]), 0.0)))
        else:
            y, n, a = model.default
            out.append(MemberVote(member, actor, "default", None, None, (y, n, a, 0.0)))
    return out


# --- exact distribution of the result ----------------------------------------------------------


@dataclass(frozen=True)
class ResultDistribution:
    """Exact probabilities of a vote's result given independent member votes."""

    adopted: float
    failed: float
    vetoed: float
    vetoed_by: dict[str, float]
    """P(the draft is vetoed and this member's vote is among the blocking ones)."""
    veto_sets: dict[tuple[str, ...], float]
    """P(vetoed by exactly these members)."""


def result_distribution(rule: DecisionRule, probs: NDArray[np.float64]) -> ResultDistribution:
    """Exact result probabilities for independent votes ``probs (n, 4)`` (yes, no, abstain,
    absent), by dynamic programming over the tallies (the rule's sufficient statistics)."""
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (rule.n, 4) or (probs < -1e-12).any():
        raise UsageError(f"need non-negative probabilities of shape ({rule.n}, 4)")
    steps = tally_steps(rule)
    if steps > MAX_TALLY_STEPS:
        raise BudgetError(
            f"body {rule.body_id}: the exact vote distribution of {rule.n:,} members would take "
            f"up to {steps:,} steps, beyond the limit of {MAX_TALLY_STEPS:,}: use fewer members "
            "or smaller integer weights"
        )
    weights, _ = rule.integer_weights
    pav = rule.basis == QuotaBasis.present_and_voting
    need = None if pav else rule.integer_quota()
    share = exact(rule.quota)
    pops = [round(float(p)) for p in rule.population] if rule.population is not None else None
    pop_need = rule.integer_population_quota()
    block = rule.blocking_minority if pop_need is not None else None
    veto_bit = {i: k for k, i in enumerate(np.flatnonzero(rule.veto).tolist())}
    blocking_codes = (NO, ABSTAIN, ABSENT) if rule.abstention_is_veto else (NO,)
    # state: (yes weight, no weight, yes population, yes count, mask of blocking veto holders)
    states: dict[tuple[int, int, int, int, int], float] = {(0, 0, 0, 0, 0): 1.0}
    for i in range(rule.n):
        nxt: dict[tuple[int, int, int, int, int], float] = defaultdict(float)
        for code in (YES, NO, ABSTAIN, ABSENT):
            p = float(probs[i, code])
            if p <= 0.0:
                continue
            dy = weights[i] if code == YES else 0
            dn = weights[i] if code == NO and pav else 0
            dp = pops[i] if code == YES and pops is not None and pop_need is not None else 0
            dc = 1 if code == YES and block is not None else 0
            dm = 1 << veto_bit[i] if i in veto_bit and code in blocking_codes else 0
            for (y, n_, pp, c, m), q in states.items():
                # caps merge tallies that decide alike: the rule only asks "at least the quota"
                y2 = y + dy if need is None else min(need, y + dy)
                p2 = min(pop_need, pp + dp) if pop_need is not None else 0
                nxt[(y2, n_ + dn, p2, c + dc, m | dm)] += q * p
        states = nxt
        if len(states) > _STATE_LIMIT:
            raise UsageError(
                f"body {rule.body_id}: too many distinct tallies for an exact vote distribution"
            )
    holders = [rule.member_ids[i] for i in veto_bit]
    adopted = failed = vetoed = 0.0
    by: dict[str, float] = defaultdict(float)
    sets: dict[tuple[str, ...], float] = defaultdict(float)
    for (y, n_, pp, c, m), q in states.items():
        if pav:
            enough = y > 0 and y * share.denominator >= share.numerator * (y + n_)
        else:
            enough = need is not None and y >= need
        if pop_need is not None:
            waived = block is not None and rule.n - c < block
            enough = enough and (pp >= pop_need or waived)
        if not enough:
            failed += q
        elif m:
            vetoed += q
            who = tuple(h for k, h in enumerate(holders) if m >> k & 1)
            sets[who] += q
            for h in who:
                by[h] += q
        else:
            adopted += q
    return ResultDistribution(adopted, failed, vetoed, dict(by), dict(sets))


def swing_probability(rule: DecisionRule, probs: NDArray[np.float64]) -> FloatArray:
    """``P(adopted | i votes yes) - P(adopted | i votes no)`` for each member: how likely it is
    that member ``i``'s own vote decides adoption (its pivotality under the predicted votes).

    NaN for every member when the ``2 n`` exact distributions would exceed
    :data:`MAX_SWING_STEPS` (large bodies): the result's probabilities are still exact."""
    probs = np.asarray(probs, dtype=float)
    out = np.zeros(rule.n)
    if 2 * rule.n * tally_steps(rule) > MAX_SWING_STEPS:
        return np.full(rule.n, np.nan)  # too costly: unknown, said so in the result
    for i in range(rule.n):
        p_yes, p_no = probs.copy(), probs.copy()
        p_yes[i], p_no[i] = (1.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0)
        out[i] = result_distribution(rule, p_yes).adopted - result_distribution(rule, p_no).adopted
    return out


@dataclass(frozen=True)
class VotePrediction:
    """Everything ``zopa vote`` reports."""

    body: str
    draft: str
    members: list[MemberVote]
    result: ResultDistribution
    swing: dict[str, float]
    model: VoteModel

    def pivotal(self, threshold: float = 0.05) -> list[str]:
        """Members whose own vote decides adoption with probability at least ``threshold``,
        most decisive first."""
        ranked = sorted(self.swing.items(), key=lambda kv: -kv[1])
        return [m for m, s in ranked if s >= threshold]  # NaN (not computed) never passes


def predict_vote(
    arrays: ScenarioArrays,
    rule: DecisionRule,
    draft: DraftArrays,
    fixed: Mapping[str, Vote] | None = None,
    model: VoteModel | None = None,
) -> VotePrediction:
    """Predict a body's vote on a draft (see the module docstring)."""
    model = model or VoteModel()
    members = member_probabilities(arrays, rule, draft, model, fixed)
    probs = np.array([m.probabilities for m in members])
    swing = swing_probability(rule, probs)
    return VotePrediction(
        body=rule.body_id,
        draft=draft.id,
        members=members,
        result=result_distribution(rule, probs),
        swing={m: float(s) for m, s in zip(rule.member_ids, swing, strict=True)},
        model=model,
    )


__all__ = [
    "MemberVote",
    "ResultDistribution",
    "VoteModel",
    "VotePrediction",
    "member_probabilities",
    "predict_vote",
    "result_distribution",
    "swing_probability",
]
