"""Whether a few linear inequalities have a solution, in plain Python (no NumPy, no SciPy), so
that validating a scenario with links stays fast to start."""

from __future__ import annotations

from collections.abc import Sequence

MAX_VARIABLES = 4
"""Most variables decided here; beyond, callers use an LP (the row count can square each step)."""
MAX_ROWS = 16

_TOL = 1e-12


def feasible(rows: Sequence[Sequence[float]], rhs: Sequence[float]) -> bool:
    """True iff some ``x`` satisfies every ``rows[r] . x <= rhs[r]``, by Fourier-Motzkin
    elimination (Dantzig & Eaves 1973, "Fourier-Motzkin elimination and its dual", J. Comb.
    Theory A 14): each variable is removed by pairing every row that bounds it from above with
    every row that bounds it from below, until only constant rows ``0 <= b`` are left.

    >>> feasible([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], [-0.5, 0.0, 0.0])  # x + y <= -0.5
    False
    >>> feasible([[1.0, 1.0], [-1.0, 0.0]], [1.0, 0.0])
    True
    """
    current = [(list(map(float, row)), float(b)) for row, b in zip(rows, rhs, strict=True)]
    width = len(current[0][0]) if current else 0
    for j in range(width):
        up = [(r, b) for r, b in current if r[j] > _TOL]
        down = [(r, b) for r, b in current if r[j] < -_TOL]
        rest = [(r, b) for r, b in current if -_TOL <= r[j] <= _TOL]
        for r, b in up:
            for s, c in down:
                # r/r_j - s/s_j <= b/r_j - c/s_j eliminates x_j (r_j > 0 > s_j)
                rest.append(([p / r[j] - q / s[j] for p, q in zip(r, s, strict=True)],
                             b / r[j] - c / s[j]))
        current = [([0.0 if k == j else v for k, v in enumerate(r)], b) for r, b in rest]
    return all(b >= -1e-9 for _, b in current)
