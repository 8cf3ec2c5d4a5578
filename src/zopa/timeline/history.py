"""The events of a scenario in order, a branch's patch of them, and the state at any date.

The state at a date is the base (the scenario's numbers, which describe ``meta.as_of``) with the
effects of every event dated after ``meta.as_of`` and up to that date applied in date order
(events of one date in the order written). A vote applies its ``effects`` and the ``effects_if``
of its result: the recorded one, or the one a branch or a decision fixes. A vote with neither
applies only ``effects``.

A :class:`Timeline` is that sequence compiled against the scenario: one :class:`Step` an event,
each with its operations. :meth:`Timeline.states` replays it on a batch of draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.scenario.arrays import ScenarioArrays, to_arrays
from zopa.scenario.schema import Branch, Event, Scenario, VoteResult
from zopa.scenario.uncertain import UncertainInput
from zopa.timeline.effects import Operation, apply, compile_effect
from zopa.timeline.state import State
from zopa.utility import FloatArray

HISTORY = "history"
"""The name of the branch with no patch: what was recorded."""


@dataclass(frozen=True)
class Step:
    """One event of the timeline with the operations it applies.

    ``result`` is the vote's result in this timeline (``None`` for other events and for votes
    without one); ``fixed`` says whether a branch or a decision chose it.
    """

    event: Event
    result: VoteResult | None
    fixed: bool
    operations: tuple[Operation, ...]

    @property
    def date(self) -> dt.date:
        """The event's date."""
        return self.event.date


@dataclass(frozen=True, eq=False)
class Timeline:
    """A scenario's history (or a branch of it), compiled.

    Attributes:
        scenario: the scenario as written (the base is its numbers).
        branch: the branch's id (:data:`HISTORY` for the recorded history).
        arrays: the base as arrays.
        start: the operations of the branch's ``set`` (applied to the base before any event).
        steps: the events after ``meta.as_of``, in the order they apply.
    """

    scenario: Scenario
    branch: str
    arrays: ScenarioArrays
    start: tuple[Operation, ...]
    steps: tuple[Step, ...]
    before: tuple[Event, ...] = ()
    """The events on or before ``meta.as_of`` (already in the base), in date order."""

    @property
    def inputs(self) -> tuple[UncertainInput, ...]:
        """Every uncertain input: the base's, then the effects' sizes in the order they apply."""
        return (*self.arrays.uncertainty,
                *(op.uncertain for op in self.operations if op.uncertain is not None))

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation in the order it applies."""
        return (*self.start, *(op for step in self.steps for op in step.operations))

    def until(self, date: dt.date | None) -> Timeline:
        """The timeline cut after the last event dated on or before ``date`` (``None``: all)."""
        if date is None:
            return self
        if date < self.scenario.meta.as_of:
            raise UsageError(
                f"as-of date {date.isoformat()} is before the scenario's base date "
                f"{self.scenario.meta.as_of.isoformat()} (meta.as_of): events cannot be undone; "
                "use a scenario whose base is earlier")
        steps = tuple(s for s in self.steps if s.date <= date)
        return Timeline(self.scenario, self.branch, self.arrays, self.start, steps, self.before)

    def states(self, values: FloatArray | None = None, draws: int = 1
               ) -> Iterator[tuple[Step | None, State]]:
        """The state after the start and after each step, for a batch of draws.

        Args:
            values: ``(D, k)`` values of :attr:`inputs` (Monte Carlo draws), or ``None`` for the
                stated values.
            draws: the number of draws when ``values`` is ``None``.

        Yields ``(None, state)`` for the base (after the branch's ``set``), then ``(step, state)``
        after each step. Each state is a fresh copy.
        """
        inputs = self.inputs
        if values is not None:
            from zopa.uncertainty.draws import apply_inputs

            values = np.asarray(values, dtype=float)
            state = apply_inputs(State.from_arrays(self.arrays), inputs, values)
        else:
            state = State.from_arrays(self.arrays, draws)
        column = {op.key: c for c, op in enumerate(inputs) if op.target == "effect"}
        keyed = {op.uncertain.key: column[op.uncertain.key]
                 for op in self.operations if op.uncertain is not None}

        def size(op: Operation) -> FloatArray | None:
            if values is None or op.key not in keyed:
                return None
            return values[:, keyed[op.key]]

        for op in self.start:
            apply(state, op, size(op))
        yield None, state.copy()
        for step in self.steps:
            for op in step.operations:
                apply(state, op, size(op))
            yield step, state.copy()

    def final(self, values: FloatArray | None = None, draws: int = 1) -> State:
        """The state after the last step."""
        last = None
        for _, state in self.states(values, draws):
            last = state
        assert last is not None
        return last


def branch_events(scenario: Scenario, branch: Branch | None) -> list[Event]:
    """The scenario's events with the branch's patch applied (drop, replace, move, add)."""
    if branch is None:
        return list(scenario.events)
    known = {e.id for e in scenario.events}
    for event_id in [*branch.drop, *branch.move, *(e.id for e in branch.replace)]:
        if event_id not in known:
            raise UsageError(f"branch {branch.id}: unknown event {event_id!r}")
    replaced = {e.id: e for e in branch.replace}
    events = [replaced.get(e.id, e) for e in scenario.events if e.id not in branch.drop]
    events = [e.model_copy(update={"date": branch.move[e.id]}) if e.id in branch.move else e
              for e in events]
    return [*events, *branch.add]


def compile_timeline(
    scenario: Scenario,
    branch: Branch | str | None = None,
    decisions: Mapping[str, VoteResult | str] | None = None,
) -> Timeline:
    """The scenario's history, or a branch of it, with vote results fixed by ``decisions``.

    ``branch`` is a :class:`Branch`, the id of one of the scenario's branches, or ``None`` /
    :data:`HISTORY` for the recorded history.
    """
    if isinstance(branch, str):
        branch = None if branch == HISTORY else scenario.branch(branch)
    events = branch_events(scenario, branch)
    votes: dict[str, VoteResult] = dict(branch.votes) if branch is not None else {}
    by_id = {e.id: e for e in events}
    for event_id, result in vote_results(decisions or {}).items():
        if event_id not in by_id:
            raise UsageError(f"unknown event {event_id!r} (vote events: "
                             f"{', '.join(e.id for e in events if e.body) or 'none'})")
        if by_id[event_id].body is None:
            raise UsageError(f"event {event_id!r} is not a vote (it has no body)")
        votes[event_id] = result
    for event_id in votes:
        if event_id not in by_id:
            raise UsageError(f"unknown vote event {event_id!r}")
    base = scenario.meta.as_of
    order = sorted((e for e in events if e.date > base),
                   key=lambda e: e.date)  # stable: the order written within a date
    steps = tuple(_step(scenario, e, votes) for e in order)
    name = branch.id if branch is not None else HISTORY
    start = tuple(compile_effect(scenario, effect, f"{name}.set/{k}")
                  for k, effect in enumerate(branch.set)) if branch is not None else ()
    before = tuple(sorted((e for e in events if e.date <= base), key=lambda e: e.date))
    return Timeline(scenario, name, to_arrays(scenario), start, steps, before)


def _step(scenario: Scenario, event: Event, votes: Mapping[str, VoteResult]) -> Step:
    fixed = event.id in votes
    result = votes.get(event.id, event.result)
    effects = [(f"{event.id}//{k}", e) for k, e in enumerate(event.effects)]
    if result is not None:
        effects += [(f"{event.id}/{result.value}/{k}", e)
                    for k, e in enumerate(event.effects_if.get(result, []))]
    operations = tuple(compile_effect(scenario, effect, key) for key, effect in effects)
    return Step(event, result, fixed, operations)


def parse_date(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD``; a :class:`UsageError` otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r:.40} is not a date written YYYY-MM-DD") from None


def vote_results(decisions: Mapping[str, VoteResult | str] | Sequence[tuple[str, VoteResult | str]]
                 ) -> dict[str, VoteResult]:
    """Decisions as ``{event id: result}`` (results given as text are parsed)."""
    from zopa.institutions.decisions import parse_result

    pairs = list(decisions.items()) if isinstance(decisions, Mapping) else list(decisions)
    out: dict[str, VoteResult] = {}
    for event_id, result in pairs:
        if event_id in out:
            raise UsageError(f"vote {event_id!r} is decided twice")
        out[event_id] = parse_result(result) if isinstance(result, str) else result
    return out
