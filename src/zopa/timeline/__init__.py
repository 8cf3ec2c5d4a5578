"""The timeline: the scenario's state at any date, event by event, and counterfactual branches.

The state at a date is the scenario's base (``meta.as_of``) with the effects of every later event
up to that date applied in date order (docs/timeline.md). Modules: :mod:`.state` (the changeable
numbers, batched over draws), :mod:`.relations` (how a change in a relation moves its target),
:mod:`.effects` (effects compiled to operations on a state), :mod:`.history` (events in order,
branches, the state at a date).
"""
