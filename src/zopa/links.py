"""Linked issues as arrays: ``A z <= b`` over normalised packages ``z``.

A scenario's link ``sum_j c_j v_j  op  bound`` (``v_j`` in issue units) becomes, with
``v_j = lo_j + (hi_j - lo_j) z_j``, the row
``sum_j c_j (hi_j - lo_j) z_j <= bound - sum_j c_j lo_j``
(a ``>=`` link is negated, a ``==`` link gives both rows). ``A z - b`` of a row is then the
amount, in the link's own units, by which the package misses the bound, so violations read in
the units the analyst wrote the link in. Everything here is plain NumPy/SciPy on arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from zopa import elimination
from zopa.utility import FloatArray

RowArray = NDArray[np.int64]

LINK_TOL = 1e-9
"""A package keeps a link when it exceeds the bound by at most this much (relative to the row's
scale, ``1 + |b| + sum |A|``)."""

OPS = ("<=", ">=", "==")
"""The comparison operators a link may use."""


def link_rows(
    coefficients: FloatArray, ops: Sequence[str], bounds: FloatArray, lo: FloatArray,
    hi: FloatArray,
) -> tuple[FloatArray, FloatArray, RowArray]:
    """Links in issue units -> rows ``A z <= b`` over normalised packages.

    Args:
        coefficients: ``(L, m)`` coefficient of each issue's value (issue units) in each link.
        ops: ``L`` operators, each ``"<="``, ``">="`` or ``"=="``.
        bounds: ``(L,)`` right-hand sides.
        lo: ``(m,)`` low ends of the issues' scales.
        hi: ``(m,)`` high ends of the issues' scales.

    Returns:
        ``(A (R, m), b (R,), row_link (R,))``: ``row_link[r]`` is the link row ``r`` comes from.

    >>> a, b, rows = link_rows(np.array([[1.0, -2.0]]), ["=="], np.array([0.0]),
    ...                        np.zeros(2), np.array([10.0, 5.0]))
    >>> a.tolist(), b.tolist(), rows.tolist()
    ([[10.0, -10.0], [-10.0, 10.0]], [0.0, -0.0], [0, 0])
    """
    c = np.asarray(coefficients, dtype=float).reshape(len(ops), len(lo))
    scaled = c * (np.asarray(hi, dtype=float) - np.asarray(lo, dtype=float))
    rhs = np.asarray(bounds, dtype=float) - c @ np.asarray(lo, dtype=float)
    op = np.asarray(ops, dtype=object)
    if not np.isin(op, OPS).all():
        raise ValueError(f"a link's operator is one of {', '.join(OPS)}")
    upper = np.flatnonzero((op == "<=") | (op == "=="))
    lower = np.flatnonzero((op == ">=") | (op == "=="))
    a = np.concatenate([scaled[upper], -scaled[lower]]).reshape(-1, c.shape[1])
    b = np.concatenate([rhs[upper], -rhs[lower]])
    row_link = np.concatenate([upper, lower]).astype(np.int64)
    order = np.argsort(row_link, kind="stable")
    return a[order], b[order], row_link[order]


def row_excess(a: FloatArray, b: FloatArray, packages: FloatArray) -> FloatArray:
    """``A z - b`` for normalised packages ``(k, m)`` (or ``(m,)``): ``(k, R)`` (or ``(R,)``)."""
    return np.asarray(np.asarray(packages, dtype=float) @ a.T - b, dtype=float)


def link_violation(
    a: FloatArray, b: FloatArray, row_link: RowArray, n_links: int, packages: FloatArray
) -> FloatArray:
    """By how much packages break each link, in the link's units (0 where kept).

    Args:
        a: ``(R, m)`` rows of :func:`link_rows`.
        b: ``(R,)`` right-hand sides of :func:`link_rows`.
        row_link: ``(R,)`` the link of each row.
        n_links: number of links ``L``.
        packages: normalised packages ``(k, m)`` or one package ``(m,)``.

    Returns:
        ``(k, L)`` (or ``(L,)`` for one package): the largest excess over the link's rows,
        0 within :data:`LINK_TOL`.

    >>> a, b, rows = link_rows(np.array([[1.0, -1.0]]), ["<="], np.array([0.0]),
    ...                        np.zeros(2), np.ones(2))
    >>> link_violation(a, b, rows, 1, np.array([[0.7, 0.2], [0.1, 0.5]])).round(3).tolist()
    [[0.5], [0.0]]
    """
    z = np.asarray(packages, dtype=float)
    single = z.ndim == 1
    z2 = np.atleast_2d(z)
    excess = row_excess(a, b, z2)
    scale = 1.0 + np.abs(b) + np.abs(a).sum(axis=1)
    excess = np.where(excess > LINK_TOL * scale, excess, 0.0)
    out = np.zeros((z2.shape[0], n_links))
    for r, link in enumerate(row_link.tolist()):  # R is small (two rows a link at most)
        out[:, link] = np.maximum(out[:, link], excess[:, r])
    return out[0] if single else out


def links_feasible(a: FloatArray, b: FloatArray, low: FloatArray, high: FloatArray) -> bool:
    """True iff some package in the box ``[low, high]`` (normalised) keeps every row ``A z <= b``
    (one small LP, HiGHS).

    >>> links_feasible(np.array([[1.0, 1.0]]), np.array([-0.5]), np.zeros(2), np.ones(2))
    False
    """
    if a.shape[0] == 0:
        return bool(np.all(low <= high))
    if np.any(low > high):
        return False
    used = np.flatnonzero(np.any(a != 0, axis=0))
    if used.size <= elimination.MAX_VARIABLES and a.shape[0] <= elimination.MAX_ROWS:
        # a few issues: decide exactly without loading SciPy (validating a file stays fast)
        box = np.eye(a.shape[1])[used]
        rows = np.vstack([a[:, used], box[:, used], -box[:, used]])
        rhs = np.concatenate([b, high[used], -low[used]])
        return elimination.feasible(rows.tolist(), rhs.tolist())
    from scipy import optimize  # only here: loading a scenario does not need SciPy otherwise

    res = optimize.linprog(np.zeros(a.shape[1]), A_ub=a, b_ub=b,
                           bounds=list(zip(low, high, strict=True)), method="highs")
    return bool(res.status == 0)
