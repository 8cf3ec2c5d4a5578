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
    by_dist: dict[str, list[int]] = {}
    for c, spec in enumerate(inputs):
        by_dist.setdefault(spec.dist, []).append(c)
    for dist, cols in by_dist.items():
        if dist in _VECTORISED:  # every input of one family at once: one numpy call a family
            params = np.array([inputs[c].params for c in cols], dtype=float).T
            bounds = np.array([(inputs[c].low, inputs[c].high) for c in cols], dtype=float).T
            out[:, cols] = _VECTORISED[dist](u[:, cols], params, bounds)
        else:
            for c in cols:
                out[:, c] = inverse_cdf(inputs[c], u[:, c])
    discrete = [c for c, spec in enumerate(inputs) if spec.discrete]
    if discrete:
        out[:, discrete] = np.rint(out[:, discrete])
    return out


def _normal(u: FloatArray, params: FloatArray, bounds: FloatArray) -> FloatArray:
    """Truncated normals: ``u`` is spread over the mass inside each input's valid range."""
    mean, sd = params
    low, high = bounds
    with np.errstate(invalid="ignore"):
        a = np.where(np.isfinite(low), special.ndtr((low - mean) / sd), 0.0)
        b = np.where(np.isfinite(high), special.ndtr((high - mean) / sd), 1.0)
    x = mean + sd * special.ndtri(np.clip(a + u * (b - a), _TINY, 1.0 - _TINY))
    return np.asarray(np.clip(x, low, high), dtype=float)


def _uniform(u: FloatArray, params: FloatArray, bounds: FloatArray) -> FloatArray:
    low, high = params
    return np.asarray(low + u * (high - low), dtype=float)


def _triangular(u: FloatArray, params: FloatArray, bounds: FloatArray) -> FloatArray:
    low, mode, high = params
    cut = (mode - low) / (high - low)
    below = u < cut
    # one square root for both branches: low + sqrt(u A) below the mode, high - sqrt((1-u) B)
    r = np.where(below, u, 1.0 - u)
    r *= np.where(below, (high - low) * (mode - low), (high - low) * (high - mode))
    np.sqrt(r, out=r)
    return np.asarray(np.where(below, low + r, high - r), dtype=float)


_VECTORISED = {"normal": _normal, "uniform": _uniform, "triangular": _triangular}
"""Families whose inputs share a parameter layout, drawn together (a choice is drawn alone)."""


def inverse_cdf(spec: UncertainInput, u: FloatArray) -> FloatArray:
    """The input's inverse distribution function at ``u`` in (0, 1), vectorised."""
    p = spec.params
    if spec.dist in _VECTORISED:
        column = np.asarray(u, dtype=float)[:, None]
        params = np.asarray(p, dtype=float)[:, None]
        bounds = np.array([[spec.low], [spec.high]])
        x = _VECTORISED[spec.dist](column, params, bounds)[:, 0]
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
    by_target: dict[str, list[int]] = {}
    for c, spec in enumerate(inputs):
        by_target.setdefault(spec.target, []).append(c)
    for target, cols in by_target.items():  # one fancy-indexed assignment a target
        actors = [inputs[c].actor for c in cols]
        if target in ("ideal", "salience", "red_line"):
            issues = [int(inputs[c].issue or 0) for c in cols]
            getattr(out, target)[:, actors, issues] = values[:, cols]
        elif target in ("capability", "batna"):
            getattr(out, target)[:, actors] = values[:, cols]
        elif target == "relation":
            kinds = [int(inputs[c].kind or 0) for c in cols]
            tos = [int(inputs[c].to or 0) for c in cols]
            out.relations[:, kinds, actors, tos] = values[:, cols]
        elif target != "effect":
            raise ValueError(f"unknown input target {target!r}")
    return out
