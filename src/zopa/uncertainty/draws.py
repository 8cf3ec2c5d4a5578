"""Draws of the declared uncertain inputs, identical however the work is chunked.

Every input is drawn by inverse transform: a uniform number ``u`` in (0, 1) goes through the
input's inverse distribution function (truncated normal, uniform, triangular, or a discrete
choice), so that one uniform matrix ``(D, k)`` gives the draws of all ``k`` inputs at once, and
sensitivity analysis can feed its own designs through the same functions.

The uniforms come in blocks of :data:`BLOCK` draws; block ``b`` is drawn from the ``b``-th child
stream of the run's seed. Draws ``[start, stop)`` are cut from the blocks they overlap, so draw
``j`` is the same number whether the run is done in one chunk, in chunks of 7 or of 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from zopa.scenario.uncertain import UncertainInput
from zopa.seeds import SeedLike, as_seed_sequence, child_sequence
from zopa.timeline.state import CHANGEABLE, State
from zopa.utility import FloatArray

BLOCK = 4096
"""Draws per seeded block: draw ``j`` comes from block ``j // BLOCK``."""

_TINY = 1e-12


def uniforms(k: int, start: int, stop: int, seed: SeedLike) -> FloatArray:
    """``(stop - start, k)`` uniform numbers in (0, 1) of draws ``start .. stop - 1``."""
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, not {start}, {stop}")
    parent = as_seed_sequence(seed)
    out = np.empty((stop - start, k))
    first, last = start // BLOCK, (stop - 1) // BLOCK if stop > start else start // BLOCK - 1
    for block in range(first, last + 1):
        rng = np.random.default_rng(child_sequence(parent, block))
        u = rng.random((BLOCK, k))
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        out[lo - start: hi - start] = u[lo - block * BLOCK: hi - block * BLOCK]
    # keep away from 0 and 1, where inverse distribution functions are infinite
    return np.clip(out, _TINY, 1.0 - _TINY)


def to_values(inputs: Sequence[UncertainInput], u: FloatArray) -> FloatArray:
    """Uniform numbers ``u`` ``(D, k)`` as values of the ``k`` inputs (same shape)."""
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] != len(inputs):
        raise ValueError(f"need uniforms of shape (D, {len(inputs)}), not {u.shape}")
    out = np.empty_like(u)
    for c, spec in enumerate(inputs):
        out[:, c] = inverse_cdf(spec, u[:, c])
    return out


def inverse_cdf(spec: UncertainInput, u: FloatArray) -> FloatArray:
    """The input's inverse distribution function at ``u`` in (0, 1), vectorised."""
    p = spec.params
    if spec.dist == "normal":
        mean, sd = p
        # truncated to the input's valid range: u is spread over the mass inside it
        a = special.ndtr((spec.low - mean) / sd) if np.isfinite(spec.low) else 0.0
        b = special.ndtr((spec.high - mean) / sd) if np.isfinite(spec.high) else 1.0
        x = mean + sd * special.ndtri(np.clip(a + u * (b - a), _TINY, 1.0 - _TINY))
        x = np.clip(x, spec.low, spec.high)
    elif spec.dist == "uniform":
        x = p[0] + u * (p[1] - p[0])
    elif spec.dist == "triangular":
        low, mode, high = p
        cut = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        x = np.where(u < cut, left, right)
    elif spec.dist == "choice":
        k = len(p) // 2
        values, probs = np.asarray(p[:k]), np.asarray(p[k:])
        edges = np.cumsum(probs)
        edges[-1] = 1.0
        x = values[np.minimum(np.searchsorted(edges, u, side="right"), k - 1)]
    else:
        raise ValueError(f"unknown distribution {spec.dist!r}")
    if spec.discrete:
        x = np.rint(x)
    return np.asarray(x, dtype=float)


def sample(inputs: Sequence[UncertainInput], start: int, stop: int, seed: SeedLike
           ) -> FloatArray:
    """Values ``(stop - start, k)`` of the inputs for draws ``start .. stop - 1``."""
    return to_values(inputs, uniforms(len(inputs), start, stop, seed))


def apply_inputs(state: State, inputs: Sequence[UncertainInput], values: FloatArray) -> State:
    """The state with each base input set to its drawn value (one row of ``values`` a draw).

    ``state`` must have as many draws as ``values`` has rows (or one, which is then repeated).
    Inputs with target ``effect`` are left to the timeline (see :mod:`zopa.timeline.effects`).
    """
    values = np.asarray(values, dtype=float)
    d = values.shape[0]
    if state.draws not in (1, d):
        raise ValueError(f"state has {state.draws} draws, values {d}")
    if state.draws == d:
        out = state.copy()
    else:  # one draw repeated: np.repeat makes fresh arrays (cheaper than take + copy)
        out = state.with_values(**{name: np.repeat(getattr(state, name), d, axis=0)
                                   for name in CHANGEABLE})
    for c, spec in enumerate(inputs):
        column = values[:, c]
        if spec.target in ("ideal", "salience", "red_line"):
            getattr(out, spec.target)[:, spec.actor, spec.issue] = column
        elif spec.target in ("capability", "batna"):
            getattr(out, spec.target)[:, spec.actor] = column
        elif spec.target == "relation":
            assert spec.to is not None and spec.kind is not None
            out.relations[:, spec.kind, spec.actor, spec.to] = column
        elif spec.target != "effect":
            raise ValueError(f"unknown input target {spec.target!r}")
    return out
