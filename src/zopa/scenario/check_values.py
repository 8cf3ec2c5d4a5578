"""Checks of stated values (``values:`` of a position): every option valued, points that
cover the range in order, values in [0, 1], and an ideal point that is a best point."""

from __future__ import annotations

from collections.abc import Sequence

from zopa.scenario.check_tools import Found, show
from zopa.scenario.document import PathKey
from zopa.scenario.schema import Issue, Position


def value_problems(issue: Issue, position: Position, path: PathKey, *, check_ideal: bool) -> Found:
    """``values`` of a position: every option (or the whole range) valued in [0, 1], and the
    ideal point one of the best points."""
    values = position.values
    if position.prefers is not None:
        yield (*path[:-1], "prefers"), "prefers has no meaning with values (drop one of the two)"
    if issue.options is not None:
        if not isinstance(values, dict):
            yield path, (f"issue {issue.id!r} has options: give values as a mapping option -> "
                         "value in [0, 1]")
            return
        for name, value in values.items():
            if name not in issue.options:
                yield (*path, name), (f"{name!r} is not an option of issue {issue.id!r} "
                                      f"({', '.join(issue.options)})")
            elif not 0.0 <= value <= 1.0:
                yield (*path, name), f"value {value:g} lies outside [0, 1]"
        missing = [o for o in issue.options if o not in values]
        if missing:
            yield path, f"no value for option {missing[0]!r} (value every option of the issue)"
            return
        by_point = [float(values[o]) for o in issue.options]
        xs = [float(k) for k in range(len(issue.options))]
    else:
        if not isinstance(values, list):
            yield path, (f"issue {issue.id!r} has a range: give values as a list of [x, value] "
                         "points")
            return
        found = list(range_points(issue, values, path))
        yield from found
        if found:
            return
        xs, by_point = [float(p[0]) for p in values], [float(p[1]) for p in values]
    ideal = issue.to_number(position.ideal)
    if check_ideal and ideal is not None:
        at_ideal = interpolate(ideal, xs, by_point)
        if at_ideal < max(by_point):
            yield (*path[:-1], "ideal"), (
                f"ideal point {show(position.ideal)} is valued {at_ideal:g}, below the best "
                f"value {max(by_point):g}: the ideal point must be a best point"
            )


def range_points(issue: Issue, points: list[list[float]], path: PathKey) -> Found:
    """Points of a value over a range: pairs, in increasing order, covering the range."""
    lo, hi = issue.bounds
    if len(points) < 2:
        yield path, f"give at least two [x, value] points (from {lo:g} to {hi:g})"
        return
    for k, point in enumerate(points):
        if len(point) != 2:
            yield (*path, k), f"must be a pair [x, value], not {len(point)} numbers"
            return
        if not 0.0 <= point[1] <= 1.0:
            yield (*path, k), f"value {point[1]:g} lies outside [0, 1]"
        if k and not point[0] > points[k - 1][0]:
            yield (*path, k), (f"x {point[0]:g} must be above the previous point's "
                               f"{points[k - 1][0]:g} (sort the points by x, no repeats)")
            return
    if points[0][0] != lo or points[-1][0] != hi:
        yield path, (f"the points must cover the range of issue {issue.id!r}: first x {lo:g}, "
                     f"last x {hi:g} (not {points[0][0]:g} and {points[-1][0]:g})")


def interpolate(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """The piecewise-linear function through ``(xs, ys)`` (``xs`` increasing) at ``x``, held
    flat beyond the ends, as ``numpy.interp``."""
    if x <= xs[0]:
        return ys[0]
    for k in range(1, len(xs)):
        if x <= xs[k]:
            t = (x - xs[k - 1]) / (xs[k] - xs[k - 1]) if xs[k] > xs[k - 1] else 1.0
            return ys[k - 1] + t * (ys[k] - ys[k - 1])
    return ys[-1]
