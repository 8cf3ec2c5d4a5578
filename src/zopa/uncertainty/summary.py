"""Summaries of Monte Carlo outputs: proportions with standard errors, quantiles, and numbers
rounded to the precision their uncertainty supports.

>>> proportion(np.array([True, False, True, True]))
(0.75, 0.21650635094610965)
>>> display_round(0.4213, se=0.005)
(0.42, 2)
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from zopa.utility import FloatArray

__all__ = ["QUANTILES", "display_round", "format_estimate", "proportion", "proportions",
           "quantiles"]

QUANTILES = (0.05, 0.5, 0.95)
"""The quantiles reported by default: the median and the 5-95 % interval."""


def proportion(flags: np.ndarray) -> tuple[float, float]:
    """Share of True among ``D`` draws and its standard error ``sqrt(p (1 - p) / D)``.

    Args:
        flags: ``(D,)`` booleans (e.g. ZOPA exists on the draw).
    """
    x = np.asarray(flags, dtype=bool).reshape(-1)
    if x.size == 0:
        raise ValueError("a proportion needs at least one draw")
    p = float(x.mean())
    return p, math.sqrt(p * (1.0 - p) / x.size)


def proportions(flags: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Per column, :func:`proportion` of ``(D, c)`` booleans: ``(p, se)``, each ``(c,)``."""
    x = np.asarray(flags, dtype=bool)
    p = x.mean(axis=0)
    return p, np.sqrt(p * (1.0 - p) / x.shape[0])


def quantiles(values: np.ndarray, q: tuple[float, ...] = QUANTILES) -> FloatArray:
    """Per column, the quantiles ``q`` of ``(D, c)`` values (NaN draws ignored): ``(len(q), c)``.

    >>> quantiles(np.arange(101.0)[:, None]).ravel().tolist()
    [5.0, 50.0, 95.0]
    """
    with warnings.catch_warnings():  # a column without any value gives NaN, quietly
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanquantile(np.asarray(values, dtype=float), q, axis=0), dtype=float)


def display_round(value: float, *, se: float | None = None, width: float | None = None
                  ) -> tuple[float, int | None]:
    """``value`` rounded to the digits its uncertainty supports, and the number of decimals.

    The uncertainty is the half-width of an interval: ``2 se`` (about 95 %) for a standard
    error, ``width / 2`` for an interval's width (e.g. the 5-95 % interval). The value is
    rounded at the decimal of that half-width's leading digit: ``0.4213`` with ``se = 0.005``
    (half-width 0.01) gives ``0.42``; ``1234`` with an interval of width 120 gives ``1230``
    (decimals ``-1``). Without uncertainty (0 or ``None``) the value is returned unchanged with
    decimals ``None``.

    >>> display_round(1234.0, width=120.0)
    (1230.0, -1)
    >>> display_round(0.5, se=0.0)
    (0.5, None)
    """
    half = 2.0 * se if se is not None else (width / 2.0 if width is not None else 0.0)
    if not math.isfinite(value) or not math.isfinite(half) or half <= 0.0:
        return value, None
    decimals = -math.floor(math.log10(half))
    return round(value, decimals), decimals


def format_estimate(value: float, *, se: float | None = None, width: float | None = None) -> str:
    """``value`` as text with the digits :func:`display_round` keeps (trailing zeros shown).

    >>> format_estimate(0.4, se=0.004)
    '0.400'
    """
    rounded, decimals = display_round(value, se=se, width=width)
    if decimals is None:
        return f"{rounded:.6g}"
    return f"{rounded:.{max(decimals, 0)}f}"
