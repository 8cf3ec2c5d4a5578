"""Random streams: every stochastic function takes a seed in one of a few forms.

Functions accept a :data:`SeedLike`: ``None`` (fresh entropy), a non-negative ``int``, a
:class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`. Work split into chunks or
runs draws from child streams keyed by the chunk's or run's number, never from one shared
generator, so that results do not depend on how the work is split (as NumPy recommends for
parallel streams: ``SeedSequence.spawn``).
"""

from __future__ import annotations

import numpy as np

from zopa.errors import UsageError

SeedLike = int | np.random.SeedSequence | np.random.Generator | None
"""A seed as users and callers give it."""

MAX_SEED = 2**128 - 1


def check_seed(seed: int | None) -> int | None:
    """An integer seed checked for range (``--seed -1`` is a usage error, not a traceback).

    >>> check_seed(42)
    42
    """
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise UsageError(f"a seed must be a whole number, not {seed!r:.40}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise UsageError(f"a seed must be between 0 and 2**128 - 1, not {int(seed)}")
    return int(seed)


def as_generator(seed: SeedLike) -> np.random.Generator:
    """A generator for ``seed`` (a generator given is used as it is).

    >>> float(as_generator(1).random()) == float(as_generator(1).random())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    return np.random.default_rng(check_seed(seed))


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """A seed sequence for ``seed``; a generator gives a child of its own bit generator's."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        sequence = seed.bit_generator.seed_seq
        if not isinstance(sequence, np.random.SeedSequence):
            raise UsageError("the generator has no seed sequence to spawn streams from")
        return sequence.spawn(1)[0]
    return np.random.SeedSequence(check_seed(seed))


def child_sequence(parent: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The ``index``-th child of ``parent``, the same as ``parent.spawn(index + 1)[index]`` but
    without spawning the others (and whatever was spawned before)."""
    return np.random.SeedSequence(
        parent.entropy, spawn_key=(*parent.spawn_key, index), pool_size=parent.pool_size
    )
