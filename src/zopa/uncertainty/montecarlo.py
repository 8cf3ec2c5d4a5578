"""The Monte Carlo driver: draws walked in chunks, memory bounded whatever their number.

:func:`run` cuts draws ``0 .. N-1`` into chunks, and for each chunk samples the declared inputs
(:func:`zopa.uncertainty.draws.sample`, whose draw ``j`` does not depend on the chunking), builds
the chunk's :class:`~zopa.timeline.state.State` with the caller's ``state_at`` (the timeline sets
the inputs and then applies the events' effects), evaluates it with the caller's ``evaluate`` (e.g.
:mod:`zopa.uncertainty.batch`) and stores the outputs per draw (or only their sums over draws,
for outputs not in ``keep``: memory then does not grow with the number of draws). The chunk size
comes from a memory budget unless given; per-draw results and boolean counts are identical for any
chunk size because every draw's inputs and random numbers are its own (sums of floating-point
outputs may differ in the last bits, being added chunk by chunk). For speed, ``state_at`` can be
a :class:`~zopa.uncertainty.draws.Sampler`'s ``apply(base, values, reuse=True)``, which refills
one chunk's arrays instead of making new ones (the benchmark's route, see
``benchmarks/bench_montecarlo.py``).

>>> from zopa.scenario.arrays import from_matrices
>>> from zopa.scenario.uncertain import UncertainInput
>>> from zopa.uncertainty.draws import apply_inputs
>>> from zopa.uncertainty.batch import compromise
>>> base = State.from_arrays(from_matrices(np.array([[0.0], [1.0]]), np.ones((2, 1))))
>>> ideal = UncertainInput("ideal", 0, 0, "uniform", (0.0, 0.2), 0.0, 0.0, 1.0, "ideal of a0")
>>> result = run(lambda v: apply_inputs(base, [ideal], v), [ideal], 1000, seed=1,
...              evaluate=lambda s, start: {"outcome": compromise(s)[:, 0]})
>>> bool(0.5 <= result.outputs["outcome"].mean() <= 0.6)
True
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from zopa.scenario.uncertain import UncertainInput
from zopa.seeds import SeedLike, as_seed_sequence
from zopa.timeline.state import CHANGEABLE, State
from zopa.uncertainty.draws import Sampler
from zopa.utility import FloatArray

__all__ = ["MEMORY_BUDGET", "WORK_FACTOR", "MonteCarlo", "chunk_size", "run"]

MEMORY_BUDGET = 64 * 2**20
"""Bytes a chunk's state and its evaluation may take (default of :func:`run`)."""

WORK_FACTOR = 8
"""Temporaries of an evaluation, as a multiple of the state's own bytes."""

StateAt = Callable[[FloatArray], State]
"""Builds the state of a chunk from its input values ``(D, k)`` (one row a draw)."""
Evaluate = Callable[[State, int], Mapping[str, np.ndarray]]
"""Outputs of a chunk's state, each with the draw axis first; gets the chunk's first draw."""


@dataclass(frozen=True, eq=False)
class MonteCarlo:
    """Result of :func:`run`.

    Attributes:
        draws: number of draws ``N``.
        outputs: the kept outputs of ``evaluate``, ``(N, ...)``.
        totals: the other outputs summed over draws (``(...)``; booleans counted as int64).
        chunk: the chunk size used.
    """

    draws: int
    outputs: dict[str, np.ndarray]
    totals: dict[str, np.ndarray]
    chunk: int
    source: tuple[Sampler, np.random.SeedSequence] | None = field(default=None, repr=False)
    """The run's inputs and seed, to draw :attr:`values` again (``None``: not kept)."""

    @cached_property
    def values(self) -> FloatArray | None:
        """``(N, k)`` the inputs' values of every draw (columns in the order of the inputs), or
        ``None`` for a run with ``keep_values=False``.

        Drawn again from the run's seed on first access (the numbers the run used, since draw
        ``j`` does not depend on the chunking; one to two microseconds a draw), rather than
        stored as the run goes: a run of 10^6 draws of 100 inputs then does not write 800 MB
        that most callers never read.
        """
        if self.source is None:
            return None
        sampler, seed = self.source
        return sampler.sample(0, self.draws, seed)


def chunk_size(state: State, budget: int = MEMORY_BUDGET) -> int:
    """Draws a chunk may hold so that its state, times :data:`WORK_FACTOR`, fits ``budget``."""
    per_draw = sum(int(getattr(state, name)[0].nbytes) for name in CHANGEABLE)
    return max(1, budget // (WORK_FACTOR * max(per_draw, 1)))


def run(
    state_at: StateAt,
    inputs: Sequence[UncertainInput],
    draws: int,
    seed: SeedLike,
    evaluate: Evaluate,
    *,
    chunk: int | None = None,
    budget: int = MEMORY_BUDGET,
    keep: Collection[str] | None = None,
    keep_values: bool = True,
) -> MonteCarlo:
    """Evaluate ``draws`` draws of the inputs, chunk by chunk.

    Args:
        state_at: the state of a chunk from its input values ``(D, k)`` (a buffer that the
            next chunk's values overwrite: copy what the state keeps of it).
        inputs: the uncertain inputs (:func:`zopa.scenario.uncertain.uncertain_inputs`).
        draws: number of draws ``N``.
        seed: the run's seed; draw ``j`` is the same whatever the chunking.
        evaluate: the outputs of a chunk, ``evaluate(state, start)`` with ``start`` the number of
            the chunk's first draw (for per-draw random streams, see
            :func:`zopa.uncertainty.batch.forecast`); arrays with the chunk's draws first.
        chunk: draws a chunk (default: from ``budget`` and the state's size, see
            :func:`chunk_size`).
        budget: bytes a chunk may take, when ``chunk`` is not given.
        keep: the outputs stored per draw (default: all); the others are summed over draws.
        keep_values: make every draw's input values available (:attr:`MonteCarlo.values`,
            drawn again from the seed when read).

    Returns:
        Outputs per draw and totals. Memory: the kept outputs of all draws plus one chunk's
        work.
    """
    if draws < 1:
        raise ValueError(f"need at least one draw, not {draws}")
    if chunk is not None and chunk < 1:
        raise ValueError(f"a chunk holds at least one draw, not {chunk}")
    parent = as_seed_sequence(seed)  # one sequence for all chunks, even for seed=None
    sampler = Sampler(inputs)  # families and parameters prepared once for every chunk
    scratch = np.empty((0, len(inputs)))  # the chunk's values, one buffer for every chunk
    outputs: dict[str, np.ndarray] = {}
    totals: dict[str, np.ndarray] = {}
    start = 0
    step = chunk or 1  # without a chunk size: the first draw alone, to measure the state
    while start < draws:
        stop = min(draws, start + step)
        if scratch.shape[0] < stop - start:
            scratch = np.empty((stop - start, len(inputs)))
        chunk_values = sampler.sample(start, stop, parent, out=scratch[: stop - start])
        state = state_at(chunk_values)
        found = evaluate(state, start)
        for name, out in found.items():
            out = np.asarray(out)
            if out.shape[:1] != (stop - start,):
                raise ValueError(f"output {name!r} must have the chunk's {stop - start} draws "
                                 f"first, not shape {out.shape}")
            if keep is not None and name not in keep:
                total = out.sum(axis=0, dtype=np.int64 if out.dtype == bool else None)
                totals[name] = totals[name] + total if name in totals else total
                continue
            if name not in outputs:
                outputs[name] = np.empty((draws, *out.shape[1:]), dtype=out.dtype)
            outputs[name][start:stop] = out
        if chunk is None:
            step = chunk_size(state, budget)
        start = stop
    return MonteCarlo(draws, outputs, totals, step, (sampler, parent) if keep_values else None)
