"""ZOPA analysis: is there a zone of possible agreement, and how far is the closest package?

Per issue, the zone is the interval every member accepts given its red line (the intersection of
the members' acceptable intervals). Across issues, a package is *acceptable* to a member when it
crosses none of its red lines and leaves it at least at its BATNA (see :mod:`zopa.utility`). With
zopa's piecewise-linear utilities both questions are linear programs (solved with HiGHS):

1. Inside the red-line box, maximise the smallest surplus ``min_i U_i(z) - b_i``. If that maximum is
   ``>= 0`` the ZOPA is non-empty and the maximising package is its most balanced point.
2. Otherwise find the *closest package*: minimise the largest ``shortfall_i + violation_i`` over
   members, where ``shortfall_i = max(b_i - U_i, 0)`` (utility short of the BATNA) and
   ``violation_i`` is the distance beyond the member's red lines, both on the normalised 0-1 scales.

The ZOPA concept is from Raiffa (1982), *The Art and Science of Negotiation*, ch. 4; the
multi-issue, multi-party form with red lines and BATNAs follows Sebenius (1992) "Negotiation
analysis", Management Science 38(1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zopa import utility as u
from zopa.analysis.options import (
    MAX_OPTION_PACKAGES,
    MAX_VALUED_PACKAGES,
    best_on_grid,
    grid_blocks,
    option_boxes,
    option_grid,
)
from zopa.analysis.packages import (
    Links,
    Parties,
    closest_package,
    concave_values,
    loss_rows,
    maximin_package,
)
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray, member_valuation

__all__ = [
    "MAX_OPTION_PACKAGES",
    "MAX_VALUED_PACKAGES",
    "IssueZone",
    "Links",
    "Parties",
    "ZoneAnalysis",
    "analyse_zone",
    "best_on_grid",
    "closest_package",
    "concave_values",
    "grid_blocks",
    "issue_zones",
    "loss_rows",
    "maximin_package",
    "member_valuation",
    "option_boxes",
    "option_grid",
]

_TOL = 1e-9


@dataclass(frozen=True)
class IssueZone:
    """The range of one issue that every member accepts (in issue units)."""

    issue: str
    low: float
    high: float
    low_set_by: tuple[str, ...]
    high_set_by: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True if the members' acceptable ranges do not overlap on this issue (``low > high``)."""
        return self.low > self.high + _TOL


@dataclass(frozen=True, eq=False)
class ZoneAnalysis:
    """Result of :func:`analyse_zone`.

    Attributes:
        members: the actors that must all accept.
        issues: the zone per issue.
        feasible: True iff some package is acceptable to every member (the ZOPA is not empty).
        package: the most balanced acceptable package if ``feasible``, else the closest package,
            in issue units ``(m,)``.
        utility, surplus, shortfall, violation: per member at ``package`` ``(k,)``.
        margin: ``min_i surplus_i`` at ``package`` (>= 0 iff feasible).
        links_conflict: True if the red lines leave room on every issue but no package within
            them keeps the scenario's links (the package then keeps the links, not red lines).
    """

    members: tuple[str, ...]
    issues: tuple[IssueZone, ...]
    feasible: bool
    package: FloatArray
    utility: FloatArray
    surplus: FloatArray
    shortfall: FloatArray
    violation: FloatArray
    links_conflict: bool = False

    @property
    def margin(self) -> float:
        """The smallest surplus ``min_i U_i - b_i`` at ``package`` (>= 0 iff feasible)."""
        return float(self.surplus.min())


def issue_zones(
    low: FloatArray, high: FloatArray, members: Sequence[str], issues: Sequence[str]
) -> list[tuple[float, float, tuple[str, ...], tuple[str, ...]]]:
    """Intersect members' acceptable intervals per issue.

    Args:
        low: ``(k, m)`` lower ends of the members' acceptable intervals (normalised, 0-1).
        high: ``(k, m)`` upper ends of the members' acceptable intervals (normalised, 0-1).
        members: the ``k`` member ids, in the row order of ``low`` and ``high``.
        issues: the ``m`` issue ids, in the column order of ``low`` and ``high``.

    Returns:
        Per issue ``(low, high, set_low_by, set_high_by)`` on the normalised scale; the zone is
        empty where ``low > high``. ``set_*_by`` names the members whose red line is the bound.
    """
    zone_low, zone_high = low.max(axis=0), high.min(axis=0)
    out = []
    for j in range(len(issues)):
        by_low = (
            tuple(members[int(i)] for i in np.flatnonzero(low[:, j] >= zone_low[j] - _TOL))
            if zone_low[j] > 0
            else ()
        )
        by_high = (
            tuple(members[int(i)] for i in np.flatnonzero(high[:, j] <= zone_high[j] + _TOL))
            if zone_high[j] < 1
            else ()
        )
        out.append((float(zone_low[j]), float(zone_high[j]), by_low, by_high))
    return out


def analyse_zone(scenario: ScenarioArrays, members: Sequence[str] | None = None) -> ZoneAnalysis:
    """ZOPA of ``scenario`` for ``members`` (default: the parties); see the module docstring."""
    index = scenario.members(members)
    ids = tuple(scenario.actor_ids[i] for i in index)
    low_all, high_all = scenario.acceptable_interval
    low, high = low_all[index], high_all[index]
    parties = Parties.of(scenario, index)
    batna, valuation = parties.batna, parties.valuation

    links = (scenario.link_matrix, scenario.link_bound) if scenario.n_links else None
    zones = issue_zones(low, high, ids, scenario.issue_ids)
    box_low = np.array([z[0] for z in zones])
    box_high = np.array([z[1] for z in zones])
    feasible = conflict = False
    if np.all(box_low <= box_high + _TOL):
        best = -np.inf
        top = np.maximum(box_high, box_low)
        grid = option_grid(scenario.options, box_low, top) if valuation is not None else None

        def margins(z: FloatArray) -> FloatArray:
            worst = (parties.utility(z) - batna).min(axis=1)
            if links is None:
                return np.asarray(worst)
            keeps = np.all(z @ links[0].T <= links[1] + 1e-9, axis=1)
            return np.where(keeps, worst, -np.inf)

        if grid is not None:  # stated values on options only: every package, exactly
            package, best = best_on_grid(grid, margins)
        for low_j, high_j in option_boxes(scenario.options, box_low, top) if grid is None else []:
            candidate, margin = maximin_package(parties, low_j, high_j, links)
            if margin > best:
                best, package = margin, candidate
        feasible = best >= -_TOL
        conflict = best == -np.inf
        if feasible and valuation is not None and grid is None:  # hull rows: check the truth
            true = parties.utility(package) - batna
            feasible = bool(true.min() >= -_TOL)
    if not feasible:
        package = closest_package(parties, low, high, links)

    util = parties.utility(package)
    violation = u.red_line_violation(package, low, high)
    surplus = util - batna
    issue_results = tuple(
        IssueZone(
            issue=scenario.issue_ids[j],
            low=float(scenario.lo[j] + lo * (scenario.hi[j] - scenario.lo[j])),
            high=float(scenario.lo[j] + hi * (scenario.hi[j] - scenario.lo[j])),
            low_set_by=by_lo,
            high_set_by=by_hi,
        )
        for j, (lo, hi, by_lo, by_hi) in enumerate(zones)
    )
    return ZoneAnalysis(
        members=ids,
        issues=issue_results,
        feasible=bool(feasible),
        package=scenario.denormalise(package),
        utility=util,
        surplus=surplus,
        shortfall=np.maximum(-surplus, 0.0),
        violation=violation,
        links_conflict=bool(conflict),
    )
