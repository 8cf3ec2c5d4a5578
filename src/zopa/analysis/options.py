"""Issues with named options: only the options are outcomes, so the package programmes run per
combination of options (boxes), or, with stated values on options only, every package is scored
on the grid of combinations in blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from zopa.utility import FloatArray

OPTION_TOL = 1e-9
"""An option this close to a box counts as inside it."""
_TOL = OPTION_TOL

MAX_OPTION_PACKAGES = 4096
"""Above this many combinations of options, discrete issues are treated as continuous."""
MAX_VALUED_PACKAGES = 5_000_000
"""With stated values and only option issues, up to this many packages are enumerated exactly
(in blocks), as the outcome analysis does; beyond it options are treated as a scale."""
_GRID_BLOCK = 1 << 16


def option_boxes(
    options: Sequence[Sequence[str] | None], box_low: FloatArray, box_high: FloatArray
) -> list[tuple[FloatArray, FloatArray]]:
    """Split the box ``[box_low, box_high]`` (normalised) into one box per combination of options.

    On an issue with named options only the options themselves are possible outcomes, so each
    combination of the options inside the box pins those issues to one value while continuous
    issues keep their interval. Returns ``[(box_low, box_high)]`` unchanged if there is no discrete
    issue or more than :data:`MAX_OPTION_PACKAGES` combinations (then options are treated as a
    continuous scale, and the reported values are rounded to the nearest option).
    """
    discrete = [j for j, names in enumerate(options) if names is not None]
    if not discrete:
        return [(box_low, box_high)]
    values = []
    for j in discrete:
        count = len(options[j])  # type: ignore[arg-type]
        v = np.arange(count) / (count - 1)
        values.append(v[(v >= box_low[j] - _TOL) & (v <= box_high[j] + _TOL)])
    total = int(np.prod([len(v) for v in values]))
    if total > MAX_OPTION_PACKAGES:
        return [(box_low, box_high)]
    grid = np.stack(np.meshgrid(*values, indexing="ij"), axis=-1).reshape(total, len(discrete))
    boxes = []
    for combo in grid:
        low, high = box_low.copy(), box_high.copy()
        low[discrete] = combo
        high[discrete] = combo
        boxes.append((low, high))
    return boxes


def option_grid(
    options: Sequence[Sequence[str] | None], box_low: FloatArray, box_high: FloatArray
) -> list[FloatArray] | None:
    """The options of each issue inside the box (normalised), when every issue has options and
    there are at most :data:`MAX_VALUED_PACKAGES` combinations; else ``None``."""
    if any(names is None for names in options):
        return None
    values = []
    for j, names in enumerate(options):
        v = np.linspace(0.0, 1.0, len(names))  # type: ignore[arg-type]
        values.append(v[(v >= box_low[j] - _TOL) & (v <= box_high[j] + _TOL)])
    total = int(np.prod([len(v) for v in values]))
    return values if 0 < total <= MAX_VALUED_PACKAGES else None


def grid_blocks(values: list[FloatArray]) -> Iterator[FloatArray]:
    """The packages of :func:`option_grid`, ``(k, m)`` blocks in ``itertools.product`` order."""
    counts = tuple(len(v) for v in values)
    total = int(np.prod(counts))
    for start in range(0, total, _GRID_BLOCK):
        index = np.unravel_index(np.arange(start, min(total, start + _GRID_BLOCK)), counts)
        yield np.stack([values[j][index[j]] for j in range(len(values))], axis=-1)


def best_on_grid(
    values: list[FloatArray], score: Callable[[FloatArray], FloatArray]
) -> tuple[FloatArray, float]:
    """The package of the grid with the largest ``score`` (first of ties) and that score."""
    best, package = -np.inf, np.zeros(len(values))
    for block in grid_blocks(values):
        scores = score(block)
        k = int(np.argmax(scores))
        if scores[k] > best:
            best, package = float(scores[k]), block[k]
    return package, best
