"""Draws of the declared uncertain inputs, identical however the work is chunked.

Every input is drawn by inverse transform: a uniform number ``u`` in (0, 1) goes through the
input's inverse distribution function (truncated normal, uniform, triangular, or a discrete
choice), so that one uniform matrix ``(D, k)`` gives the draws of all ``k`` inputs at once, and
sensitivity analysis can feed its own designs through the same functions.

The uniforms come in blocks of :data:`BLOCK` draws; block ``b`` is drawn from the ``b``-th child
stream of the run's seed, row after row (``k`` numbers a draw). Draws ``[start, stop)`` are read
from the blocks they overlap, by jumping each block's generator to the first row needed
(``PCG64.advance``, one 64-bit step a number), so draw ``j`` is the same number whether the run
is done in one chunk, in chunks of 7 or of 1, and a chunk costs only its own draws.

A :class:`Sampler` prepares the inputs once (families, parameters, targets) for a run of many
chunks: per chunk, each family's inputs are drawn in a few array operations over ``(D, k_f)``
(all triangular inputs together, all choices together, ...), and each target array of the state
is set in one fancy-indexed assignment. :func:`sample`, :func:`to_values` and
:func:`apply_inputs` are the same on one chunk, preparing as they go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from zopa.scenario.uncertain import UncertainInput
from zopa.seeds import SeedLike, as_seed_sequence, child_sequence
from zopa.timeline.state import CHANGEABLE, State
from zopa.utility import FloatArray

__all__ = ["BLOCK", "Sampler", "apply_inputs", "inverse_cdf", "sample", "to_values", "uniforms"]

BLOCK = 4096
"""Draws per seeded block: draw ``j`` comes from block ``j // BLOCK``."""

TILE = 512
"""Draws a family's inverse distribution function works on at a time: its temporaries then stay
in the processor's cache (a few hundred kB) instead of going to memory and back each step."""

_TINY = 1e-12

IndexArray = NDArray[np.intp]
Kernel = Callable[[FloatArray], FloatArray]
"""A family's inverse distribution function: uniforms ``(t, k_f)`` (C order; the kernel may
overwrite them) to values of the same shape."""


def uniforms(k: int, start: int, stop: int, seed: SeedLike, out: FloatArray | None = None
             ) -> FloatArray:
    """``(stop - start, k)`` uniform numbers in (0, 1) of draws ``start .. stop - 1``.

    ``out``: a C-contiguous ``(stop - start, k)`` array to fill (returned), e.g. one buffer for
    every chunk of a run.
    """
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, not {start}, {stop}")
    if out is None:
        out = np.empty((stop - start, k))
    elif out.shape != (stop - start, k) or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous array of shape {(stop - start, k)}")
    parent = as_seed_sequence(seed)
    first, last = start // BLOCK, (stop - 1) // BLOCK if stop > start else start // BLOCK - 1
    for block in range(first, last + 1):
        lo, hi = max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)
        # np.random.default_rng(seq) is PCG64(seq); rng.random((BLOCK, k)) takes one 64-bit
        # step a number, row after row, so row r of the block starts r * k steps in
        bits = np.random.PCG64(child_sequence(parent, block))
        bits.advance((lo - block * BLOCK) * k)
        np.random.Generator(bits).random(out=out[lo - start: hi - start])
    # keep away from 0 and 1, where inverse distribution functions are infinite
    return np.clip(out, _TINY, 1.0 - _TINY, out=out)


# --- families: every input of one family at once, parameters as rows over its inputs --------


def _normal(params: FloatArray, bounds: FloatArray) -> Kernel:
    """Truncated normals: ``u`` is spread over the mass inside each input's valid range."""
    mean, sd = params
    low, high = bounds
    with np.errstate(invalid="ignore"):
        a = np.where(np.isfinite(low), special.ndtr((low - mean) / sd), 0.0)
        b = np.where(np.isfinite(high), special.ndtr((high - mean) / sd), 1.0)
    mass = b - a

    def kernel(u: FloatArray) -> FloatArray:
        u *= mass
        u += a
        np.clip(u, _TINY, 1.0 - _TINY, out=u)
        special.ndtri(u, out=u)
        u *= sd
        u += mean
        return np.clip(u, low, high, out=u)

    return kernel


def _uniform(params: FloatArray, bounds: FloatArray) -> Kernel:
    low, high = params
    width = high - low

    def kernel(u: FloatArray) -> FloatArray:
        u *= width
        u += low
        return u

    return kernel


def _triangular(params: FloatArray, bounds: FloatArray) -> Kernel:
    """Below the mode ``low + sqrt(u A)``, above it ``high - sqrt((1 - u) B)``.

    Both branches are computed on every number and one selection made at the end: on contiguous
    tiles this is quicker than selecting the square root's argument first (a masked operation
    costs several arithmetic ones), and each number gets the same operations as it would alone.
    """
    low, mode, high = params
    with np.errstate(invalid="ignore", divide="ignore"):  # low = high: no mode, u never below
        cut = (mode - low) / (high - low)
    under = (high - low) * (mode - low)
    over = (high - low) * (high - mode)

    def kernel(u: FloatArray) -> FloatArray:
        below = u < cut
        lower = u * under
        np.sqrt(lower, out=lower)
        lower += low
        np.subtract(1.0, u, out=u)  # u is not needed any more
        u *= over
        np.sqrt(u, out=u)
        np.subtract(high, u, out=u)
        return np.where(below, lower, u)

    return kernel


_VECTORISED: dict[str, Callable[[FloatArray, FloatArray], Kernel]] = {
    "normal": _normal, "uniform": _uniform, "triangular": _triangular}
"""Families whose inputs share a parameter layout: their kernel from parameters ``(p, k_f)`` and
bounds ``(2, k_f)``."""


def _choice(specs: Sequence[UncertainInput]) -> Kernel:
    """Discrete choices, any number of values each: the value whose cumulative probability
    interval holds ``u`` (as ``np.searchsorted(edges, u, "right")``: the edges at or below ``u``
    counted), from one table of every input's values padded to the longest."""
    sizes = np.array([len(s.params) // 2 for s in specs], dtype=np.intp)
    width = int(sizes.max())
    real = np.arange(width) < sizes[:, None]  # (inputs, width): the input's own values
    values = np.zeros(real.shape)
    probs = np.zeros(real.shape)
    values[real] = [v for s in specs for v in s.params[: len(s.params) // 2]]
    probs[real] = [p for s in specs for p in s.params[len(s.params) // 2:]]
    edges = np.cumsum(probs, axis=1)  # as each input's own cumsum: the padding adds zeros
    edges[np.arange(len(specs)), sizes - 1] = 1.0
    edges = np.where(real, edges, np.inf).T.copy()  # a padded edge is never at or below u
    values = np.where([[s.discrete] for s in specs], np.rint(values), values)
    flat = values.reshape(-1)
    last = sizes - 1
    offsets = np.arange(len(specs)) * width

    def kernel(u: FloatArray) -> FloatArray:
        index = np.zeros(u.shape, dtype=np.intp)
        for edge in edges[:-1]:  # the last real edge is 1 and u < 1: never counted
            index += u >= edge
        np.minimum(index, last, out=index)  # u == 1 (a design's) takes the last value
        index += offsets
        return np.take(flat, index, out=u)

    return kernel


@dataclass(frozen=True, eq=False)
class _Family:
    """The inputs of one family (and discreteness): their columns and inverse function."""

    columns: IndexArray
    kernel: Kernel
    discrete: bool


@dataclass(frozen=True, eq=False)
class _Target:
    """The inputs that set one changeable array: their columns, and per input the index of the
    number it sets within a draw's array (one index array per axis)."""

    name: str
    columns: IndexArray
    index: tuple[IndexArray, ...]

    def flat(self, shape: tuple[int, ...]) -> IndexArray:
        """The numbers' indices in a draw's array of ``shape``, flattened."""
        return np.asarray(np.ravel_multi_index(self.index, shape), dtype=np.intp)


class Sampler:
    """The inverse distribution functions and targets of ``inputs``, prepared once.

    For a run of many chunks (:func:`zopa.uncertainty.montecarlo.run`): the inputs grouped by
    distribution family, each family's parameters as arrays over its inputs, and each target
    array's flat indices; per chunk then a few array operations a family and one assignment a
    target array, whatever the number of inputs.

    >>> ideal = UncertainInput("ideal", 0, 0, "uniform", (0.0, 0.2), 0.1, 0.0, 1.0, "ideal")
    >>> Sampler([ideal]).sample(0, 3, seed=1).shape
    (3, 1)
    """

    def __init__(self, inputs: Sequence[UncertainInput]) -> None:
        self.inputs = tuple(inputs)
        groups: dict[tuple[str, bool], list[int]] = {}
        for c, spec in enumerate(self.inputs):
            if spec.dist not in (*_VECTORISED, "choice"):
                raise ValueError(f"unknown distribution {spec.dist!r}")
            discrete = spec.discrete and spec.dist != "choice"  # a choice's table is rounded
            groups.setdefault((spec.dist, discrete), []).append(c)
        families = []
        self._target_plan: tuple[_Target, ...] | None = None
        self._kept: tuple[State, dict[str, FloatArray]] | None = None  # see apply(reuse=True)
        for (dist, discrete), cols in groups.items():
            specs = [self.inputs[c] for c in cols]
            if dist == "choice":
                kernel = _choice(specs)
            else:
                params = np.array([s.params for s in specs], dtype=float).T.copy()
                bounds = np.array([(s.low, s.high) for s in specs], dtype=float).T.copy()
                kernel = _VECTORISED[dist](params, bounds)
            families.append(_Family(np.array(cols, dtype=np.intp), kernel, discrete))
        self._families = tuple(families)

    @property
    def k(self) -> int:
        """Number of inputs."""
        return len(self.inputs)

    def values(self, u: FloatArray, out: FloatArray | None = None) -> FloatArray:
        """Uniform numbers ``u`` ``(D, k)`` as values of the inputs (same shape; into ``out``)."""
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.k:
            raise ValueError(f"need uniforms of shape (D, {self.k}), not {u.shape}")
        if out is None:
            out = np.empty(u.shape)
        for first in range(0, u.shape[0], TILE):
            rows = slice(first, min(u.shape[0], first + TILE))
            tile = u[rows]
            for family in self._families:
                part = family.kernel(np.take(tile, family.columns, axis=1))  # a C-order copy
                if family.discrete:
                    np.rint(part, out=part)
                out[rows, family.columns] = part
        return out

    def sample(self, start: int, stop: int, seed: SeedLike, out: FloatArray | None = None
               ) -> FloatArray:
        """Values ``(stop - start, k)`` of the inputs for draws ``start .. stop - 1``."""
        u = uniforms(self.k, start, stop, seed, out)
        return self.values(u, out=u)

    def apply(self, state: State, values: FloatArray, *, reuse: bool = False) -> State:
        """:func:`apply_inputs` with the targets prepared.

        With ``reuse`` and a one-draw ``state``, the arrays this sampler made for ``state`` on
        its last such call are refilled instead of new ones made (and filled with ``state``'s
        numbers): only the inputs' numbers are written. The arrays are handed out read-only, so
        the other numbers are still ``state``'s; the state returned before changes. This is for
        a loop of chunks that is done with each chunk's state before the next one
        (:func:`zopa.uncertainty.montecarlo.run`); ``state`` must not change between calls, and
        a sampler that reuses is one thread's.
        """
        values = np.asarray(values, dtype=float)
        d = values.shape[0]
        if values.ndim != 2 or values.shape[1] != self.k:
            raise ValueError(f"need values of shape (D, {self.k}), not {values.shape}")
        if state.draws not in (1, d):
            raise ValueError(f"state has {state.draws} draws, values {d}")
        kept = self._kept
        if reuse and state.draws == 1 and kept is not None and kept[0] is state \
                and kept[1]["ideal"].shape[0] >= d:
            arrays = {name: a[:d] for name, a in kept[1].items()}
        else:
            arrays = {}
            for name in CHANGEABLE:
                source = getattr(state, name)
                arrays[name] = np.empty((d, *source.shape[1:]))
                arrays[name][...] = source  # one draw repeated, or a copy
            if reuse and state.draws == 1:
                self._kept = (state, arrays)
        if self._target_plan is None:  # on first use: sampling alone needs no targets
            self._target_plan = tuple(_targets(self.inputs))
        for target in self._target_plan:  # one fancy-indexed assignment a target array
            array = arrays[target.name]
            array.reshape(d, -1)[:, target.flat(array.shape[1:])] = values[:, target.columns]
        if reuse:
            arrays = {name: a[:] for name, a in arrays.items()}
            for a in arrays.values():
                a.flags.writeable = False
        return state.with_values(**arrays)


def _targets(inputs: Sequence[UncertainInput]) -> list[_Target]:
    """The base inputs grouped by the array they set (``effect`` inputs are the timeline's)."""
    by_target: dict[str, list[int]] = {}
    for c, spec in enumerate(inputs):
        if spec.target != "effect":
            by_target.setdefault(spec.target, []).append(c)
    out = []
    for target, cols in by_target.items():
        specs = [inputs[c] for c in cols]
        actors = [s.actor for s in specs]
        if target in ("ideal", "salience", "red_line"):
            index: tuple[list[int], ...] = (actors, [int(s.issue or 0) for s in specs])
        elif target in ("capability", "batna"):
            index = (actors,)
        elif target == "relation":
            target = "relations"
            index = ([int(s.kind or 0) for s in specs], actors, [int(s.to or 0) for s in specs])
        else:
            raise ValueError(f"unknown input target {target!r}")
        out.append(_Target(target, np.array(cols, dtype=np.intp),
                           tuple(np.array(i, dtype=np.intp) for i in index)))
    return out


def to_values(inputs: Sequence[UncertainInput], u: FloatArray) -> FloatArray:
    """Uniform numbers ``u`` ``(D, k)`` as values of the ``k`` inputs (same shape)."""
    return Sampler(inputs).values(u)


def inverse_cdf(spec: UncertainInput, u: FloatArray) -> FloatArray:
    """The input's inverse distribution function at ``u`` in (0, 1), vectorised."""
    column = np.asarray(u, dtype=float).reshape(-1, 1)
    return Sampler([spec]).values(column)[:, 0].reshape(np.shape(u))


def sample(inputs: Sequence[UncertainInput], start: int, stop: int, seed: SeedLike
           ) -> FloatArray:
    """Values ``(stop - start, k)`` of the inputs for draws ``start .. stop - 1``."""
    return Sampler(inputs).sample(start, stop, seed)


def apply_inputs(state: State, inputs: Sequence[UncertainInput], values: FloatArray) -> State:
    """The state with each base input set to its drawn value (one row of ``values`` a draw).

    ``state`` must have as many draws as ``values`` has rows (or one, which is then repeated).
    Inputs with target ``effect`` are left to the timeline (see :mod:`zopa.timeline.effects`).
    """
    return Sampler(inputs).apply(state, values)
