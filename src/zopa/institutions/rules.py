"""Decision rules of voting bodies, compiled to arrays, and the result of vote profiles.

A body's ``rule`` in the scenario (:class:`zopa.scenario.schema.Rule`) says how many affirmative
votes a draft needs and who can block it:

* **Quota** on the yes votes' total weight: an absolute number (``basis: votes``), a share of all
  members' weight (``members``) or a share of the weight of those present and voting, i.e. of the
  yes and no votes (``present_and_voting``; abstentions and absences do not count).
* **Veto**: a veto holder's no defeats a draft that has the votes. Whether its abstention or
  absence also does is ``abstention``: not under Security Council practice (Art. 27(3) of the UN
  Charter as applied since 1946; ICJ, *Namibia* advisory opinion, 1971, para. 22), yes under
  unanimity rules.
* **Double majority**: ``population_quota`` is the share of the members' total population that the
  yes votes must also hold; ``blocking_minority`` is the fewest members whose not voting yes can
  block on population, failing which the majority "shall be deemed attained" (Art. 16(4) TEU, the
  EU Council's qualified majority: 55 % of members, 65 % of population, at least four to block).

Result names follow UN practice: a draft is *vetoed* only if it had the votes and a veto holder
voted against (or, under unanimity, did not vote yes); a draft short of the quota *failed*, even
if a veto holder also voted no.

Vote codes are small integers so that many profiles can be decided at once (last axis: members).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from zopa.errors import UsageError
from zopa.scenario.schema import Abstention, Body, QuotaBasis, Vote, VoteResult

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
CodeArray = NDArray[np.int8]

YES, NO, ABSTAIN, ABSENT = 0, 1, 2, 3
"""Vote codes, in the order of :class:`zopa.scenario.schema.Vote`."""
VOTE_CODES: dict[Vote, int] = {
    Vote.yes: YES, Vote.no: NO, Vote.abstain: ABSTAIN, Vote.absent: ABSENT
}
VOTES: tuple[Vote, ...] = (Vote.yes, Vote.no, Vote.abstain, Vote.absent)

ADOPTED, FAILED, VETOED = 0, 1, 2
"""Result codes, in the order of :data:`RESULTS`."""
RESULTS: tuple[VoteResult, ...] = (VoteResult.adopted, VoteResult.failed, VoteResult.vetoed)

_REL_TOL = 1e-9  # float weights: a quota met up to rounding is met


def exact(value: float) -> Fraction:
    """The decimal a user wrote (``0.55``), not the binary float nearest to it."""
    return Fraction(repr(float(value)))


@dataclass(frozen=True, eq=False)
class DecisionRule:
    """A body's rule as arrays over its ``n`` members (see the module docstring)."""

    body_id: str
    member_ids: tuple[str, ...]
    member_names: tuple[str, ...]
    actors: tuple[str | None, ...]
    weight: FloatArray  # (n,) > 0
    population: FloatArray | None  # (n,) >= 0, or None if not every member has one
    quota: float
    basis: QuotaBasis
    veto: BoolArray  # (n,)
    abstention_is_veto: bool
    population_quota: float | None
    blocking_minority: int | None

    @classmethod
    def from_body(cls, body: Body) -> DecisionRule:
        """Compile a scenario body's rule; a :class:`UsageError` if a veto holder is not a
        member, or a population quota lacks a member's population."""
        rule = body.rule
        ids = tuple(m.id for m in body.members)
        unknown = [v for v in rule.veto if v not in ids]
        if unknown:
            raise UsageError(f"body {body.id}: veto holder {unknown[0]!r} is not a member")
        pops = [m.population for m in body.members]
        population = None if any(p is None for p in pops) else np.array(pops, dtype=float)
        if rule.population_quota is not None and population is None:
            raise UsageError(f"body {body.id}: a population quota needs every member's population")
        return cls(
            body_id=body.id,
            member_ids=ids,
            member_names=tuple(m.name or m.id for m in body.members),
            actors=tuple(m.actor for m in body.members),
            weight=np.array([m.weight for m in body.members], dtype=float),
            population=population,
            quota=float(rule.quota),
            basis=rule.basis,
            veto=np.isin(np.array(ids), np.array(rule.veto, dtype=str)),
            abstention_is_veto=rule.abstention == Abstention.veto,
            population_quota=rule.population_quota,
            blocking_minority=rule.blocking_minority,
        )

    @property
    def n(self) -> int:
        """Number of members."""
        return len(self.member_ids)

    @property
    def veto_holders(self) -> tuple[str, ...]:
        """Ids of the members that hold a veto, in member order."""
        return tuple(m for m, v in zip(self.member_ids, self.veto, strict=True) if v)

    def index(self, member_ids: Sequence[str]) -> NDArray[np.intp]:
        """Positions of members by id; a :class:`UsageError` names an unknown one."""
        at = {m: i for i, m in enumerate(self.member_ids)}
        for m in member_ids:
            if m not in at:
                raise UsageError(
                    f"{m!r} is not a member of body {self.body_id} "
                    f"(members: {', '.join(self.member_ids)})"
                )
        return np.array([at[m] for m in member_ids], dtype=np.intp)

    def codes(self, votes: Mapping[str, Vote | str]) -> CodeArray:
        """A profile ``member id -> vote`` as codes; members not named are absent."""
        out = np.full(self.n, ABSENT, dtype=np.int8)
        unknown = sorted(m for m, v in votes.items() if v == Vote.unknown)
        if unknown:
            raise UsageError(
                f"the vote of {', '.join(unknown)} is unknown: a result needs every vote "
                f"(give them, e.g. --vote {unknown[0]}=yes)"
            )
        for member, vote in votes.items():
            try:
                out[self.index([member])[0]] = VOTE_CODES[Vote(vote)]
            except ValueError:
                raise UsageError(
                    f"vote {vote!r} of {member}: use yes, no, abstain or absent"
                ) from None
        return out

    @cached_property
    def integer_weights(self) -> tuple[tuple[int, ...], int]:
        """Weights as integers with the same ratios, and the scale used (exact decimals)."""
        fractions = [exact(w) for w in self.weight]
        scale = math.lcm(*(f.denominator for f in fractions))
        return tuple(int(f * scale) for f in fractions), scale

    def integer_quota(self) -> int:
        """Smallest integer (scaled) yes weight meeting the quota when every member votes yes or
        no, which is the simple game that voting power is defined on."""
        weights, scale = self.integer_weights
        if self.basis == QuotaBasis.votes:
            need = exact(self.quota) * scale
        else:  # a share of all members' weight (present and voting = all of them in a yes/no game)
            need = exact(self.quota) * sum(weights)
        return max(1, math.ceil(need))

    def integer_population_quota(self) -> int | None:
        """Smallest integer yes population meeting the population quota (populations rounded to
        whole people), or ``None`` without one."""
        if self.population_quota is None or self.population is None:
            return None
        total = sum(round(float(p)) for p in self.population)
        return math.ceil(exact(self.population_quota) * total)


def decide(rule: DecisionRule, votes: NDArray[np.integer]) -> tuple[NDArray[np.int8], BoolArray]:
    """Results of vote profiles.

    Args:
        rule: the body's rule.
        votes: vote codes, shape ``(..., n)``.

    Returns:
        ``(result, vetoers)``: result codes ``(...)`` (:data:`ADOPTED`, :data:`FAILED`,
        :data:`VETOED`) and, ``(..., n)``, the veto holders whose vote blocks the draft (whatever
        the result: on a failed draft they show who would also have blocked it).
    """
    votes = np.asarray(votes)
    yes = votes == YES
    no = votes == NO
    yes_w = yes @ rule.weight
    total = float(rule.weight.sum())
    tol = _REL_TOL * max(1.0, total)
    if rule.basis == QuotaBasis.votes:
        enough = yes_w >= rule.quota - tol
    elif rule.basis == QuotaBasis.members:
        enough = yes_w >= rule.quota * total - tol
    else:
        voting = yes_w + no @ rule.weight
        enough = (yes_w > 0) & (yes_w >= rule.quota * voting - tol)
    if rule.population_quota is not None and rule.population is not None:
        pop_total = float(rule.population.sum())
        pop_ok = yes @ rule.population >= rule.population_quota * pop_total - _REL_TOL * pop_total
        if rule.blocking_minority is not None:
            pop_ok = pop_ok | ((rule.n - yes.sum(axis=-1)) < rule.blocking_minority)
        enough = enough & pop_ok
    blocks = no | ((votes == ABSTAIN) | (votes == ABSENT)) if rule.abstention_is_veto else no
    vetoers = blocks & rule.veto
    vetoed = enough & vetoers.any(axis=-1)
    result = np.where(enough & ~vetoed, ADOPTED, np.where(vetoed, VETOED, FAILED)).astype(np.int8)
    return result, vetoers


def coalition_wins(rule: DecisionRule, yes: BoolArray) -> BoolArray:
    """Whether each coalition ``(..., n)`` adopts a draft when it votes yes and every other member
    votes no: the simple game on which voting power is defined."""
    result, _ = decide(rule, np.where(yes, YES, NO).astype(np.int8))
    wins: BoolArray = result == ADOPTED
    return wins
