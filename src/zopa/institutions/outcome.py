"""The result of one vote: adopted, failed for lack of votes, or vetoed by whom.

See :mod:`zopa.institutions.rules` for what each rule means; this module wraps one profile in a
readable record with the tallies a user checks against the official record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from zopa.errors import UsageError
from zopa.institutions.rules import (
    ABSENT,
    ABSTAIN,
    NO,
    RESULTS,
    YES,
    DecisionRule,
    decide,
)
from zopa.scenario.schema import QuotaBasis, Scenario, Vote, VoteResult


@dataclass(frozen=True)
class Outcome:
    """What a vote decided, and why."""

    body: str
    result: VoteResult
    vetoed_by: tuple[str, ...]
    """Veto holders whose vote blocked the draft (on a failed draft: who would also have)."""
    yes: tuple[str, ...]
    no: tuple[str, ...]
    abstain: tuple[str, ...]
    absent: tuple[str, ...]
    yes_weight: float
    needed: float
    """Yes weight the quota asked for, given who voted."""
    population_share: float | None
    """Share of the members' population that voted yes (double-majority rules)."""

    @property
    def tally(self) -> str:
        """The official form ``yes-no-abstain`` (e.g. ``14-0-1``)."""
        return f"{len(self.yes)}-{len(self.no)}-{len(self.abstain)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the fields, with the member ids grouped under ``votes`` by vote and
        the :attr:`tally` added."""
        return {
            "body": self.body,
            "result": self.result.value,
            "vetoed_by": list(self.vetoed_by),
            "tally": self.tally,
            "votes": {"yes": list(self.yes), "no": list(self.no),
                      "abstain": list(self.abstain), "absent": list(self.absent)},
            "yes_weight": self.yes_weight,
            "needed": self.needed,
            "population_share": self.population_share,
        }


def vote_outcome(rule: DecisionRule, votes: Mapping[str, Vote | str]) -> Outcome:
    """Decide one vote; members missing from ``votes`` are absent."""
    codes = rule.codes(votes)
    result, vetoers = decide(rule, codes)
    ids = np.array(rule.member_ids)
    yes_w = float(rule.weight[codes == YES].sum())
    if rule.basis == QuotaBasis.votes:
        needed = rule.quota
    elif rule.basis == QuotaBasis.members:
        needed = rule.quota * float(rule.weight.sum())
    else:
        needed = rule.quota * float(rule.weight[(codes == YES) | (codes == NO)].sum())
    share = None
    if rule.population is not None and rule.population.sum() > 0:
        share = float(rule.population[codes == YES].sum() / rule.population.sum())
    return Outcome(
        body=rule.body_id,
        result=RESULTS[int(result)],
        vetoed_by=tuple(ids[vetoers].tolist()),
        yes=tuple(ids[codes == YES].tolist()),
        no=tuple(ids[codes == NO].tolist()),
        abstain=tuple(ids[codes == ABSTAIN].tolist()),
        absent=tuple(ids[codes == ABSENT].tolist()),
        yes_weight=yes_w,
        needed=needed,
        population_share=share,
    )


def recorded_outcome(scenario: Scenario, event_id: str) -> Outcome:
    """The outcome of a vote event's recorded votes under its body's rule."""
    event = next((e for e in scenario.events if e.id == event_id), None)
    if event is None or event.body is None:
        raise UsageError(f"{event_id!r} is not a vote event of the scenario")
    if event.votes is None:
        raise UsageError(f"event {event_id} records no votes")
    return vote_outcome(DecisionRule.from_body(scenario.body(event.body)), event.votes)
