"""Checks of the ``links`` section: known issues, a non-zero term, and links that some package
on the issues' scales keeps, each alone and all together."""

from __future__ import annotations

from collections.abc import Sequence

from zopa import elimination
from zopa.scenario.check_tools import Found, duplicates, first_by_id, unknown
from zopa.scenario.document import PathKey
from zopa.scenario.schema import Link, Scenario


def link_problems(s: Scenario) -> Found:
    """Links name known issues, have a non-zero term, and can be kept on the issues' scales
    (each alone and all together: one small LP each, :func:`zopa.links.links_feasible`)."""
    yield from duplicates("links", [link.id for link in s.links])
    issues = first_by_id(s.issues)
    good = []
    for k, link in enumerate(s.links):
        path: PathKey = ("links", k)
        missing = [i for i in link.terms if i not in issues]
        for issue_id in missing:
            yield (*path, "terms", issue_id), unknown("issue", issue_id, issues)
        if not any(c != 0 for c in link.terms.values()):
            yield (*path, "terms"), "a link needs at least one issue with a non-zero coefficient"
            continue
        if missing:
            continue
        if not link_keepable(s, [link]):
            yield path, (
                f"no package on the issues' scales keeps link {link.id!r} "
                f"({link_text(link)})"
            )
            continue
        good.append(link)
    if len(good) > 1 and not link_keepable(s, good):
        yield ("links",), (
            "no package on the issues' scales keeps every link at once: "
            + "; ".join(f"{link.id} ({link_text(link)})" for link in good)
        )


def link_text(link: Link) -> str:
    """``days - 1.05 * hostages <= 0``: a link as a formula in issue ids."""
    text = ""
    for issue, c in link.terms.items():
        sign = "-" if c < 0 else "+"
        size = "" if abs(c) == 1 else f"{abs(c):g} * "
        text += f" {sign} {size}{issue}" if text else f"{'-' if c < 0 else ''}{size}{issue}"
    return f"{text} {link.op.value} {link.bound:g}"


def link_keepable(s: Scenario, links: Sequence[Link]) -> bool:
    """True iff some package on the issues' scales keeps every one of ``links`` (whose issues
    must exist). A few issues are decided in plain Python (:mod:`zopa.elimination`); more with
    an LP (:func:`zopa.links.links_feasible`)."""
    issues = first_by_id(s.issues)
    used = sorted({i for link in links for i, c in link.terms.items() if c != 0})
    rows: list[list[float]] = []
    rhs: list[float] = []
    for link in links:
        # in normalised units z_j = (x_j - lo_j) / (hi_j - lo_j): c_j x_j = c_j (hi - lo) z + c_j lo
        scaled = [link.terms.get(i, 0.0) * (issues[i].bounds[1] - issues[i].bounds[0])
                  for i in used]
        bound = link.bound - sum(c * issues[i].bounds[0] for i, c in link.terms.items())
        if link.op.value in ("<=", "=="):
            rows.append(scaled)
            rhs.append(bound)
        if link.op.value in (">=", "=="):
            rows.append([-v for v in scaled])
            rhs.append(-bound)
    if len(used) <= elimination.MAX_VARIABLES and len(rows) <= elimination.MAX_ROWS:
        box = [[1.0 if k == j else 0.0 for k in range(len(used))] for j in range(len(used))]
        return elimination.feasible(rows + box + [[-v for v in r] for r in box],
                                    rhs + [1.0] * len(used) + [0.0] * len(used))
    import numpy as np  # larger systems: an LP

    from zopa.links import links_feasible

    return links_feasible(np.array(rows), np.array(rhs), np.zeros(len(used)),
                          np.ones(len(used)))
