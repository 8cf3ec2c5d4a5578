"""``zopa analyze`` on a GENIUS folder and on its ``zopa import-genius`` scenario, side by side.

Used by tests/test_genius_lossless.py and runnable by hand over any GENIUS folders::

    python tests/genius_parity.py ../shared/genius/*/
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from zopa import app
from zopa.app import negotiation_problem
from zopa.importers.genius import load_genius_folder, weight_sums
from zopa.scenario import load_scenario


def analyses(folder: Path) -> tuple[dict[str, Any], dict[str, Any], np.ndarray]:
    """The JSON outcome analyses of ``folder`` and of its imported scenario, and the profiles'
    weight sums (the imported utilities are the folder's divided by them)."""
    domain = load_genius_folder(folder)
    imported = app.import_genius(folder, as_of=dt.date(2024, 1, 1))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "imported.yaml"
        path.write_text(imported.text, encoding="utf-8")
        scenario = load_scenario(path)
        of_file = app.analyze(negotiation_problem(scenario, file=str(path)), all_outcomes=False)
    of_folder = app.analyze(negotiation_problem(domain, file=str(folder)), all_outcomes=False)
    return of_folder.to_json(), of_file.to_json(), weight_sums(domain)


def _point(point: dict[str, Any] | None, scale: np.ndarray) -> tuple[list[str], np.ndarray]:
    if point is None:
        return [], np.zeros(0)
    utilities = np.array(list(point["utilities"].values()), dtype=float) * scale
    return [str(v) for v in point["outcome"].values()], utilities


def differences(folder: Path, tol: float = 1e-12) -> list[str]:
    """Where the two analyses differ (empty if they agree): outcome counts, every Pareto-optimal
    outcome and bargaining point, utilities to ``tol``."""
    a, b, scale = analyses(folder)
    found = []
    for key in ("outcome_count", "candidate_count"):
        if a[key] != b[key]:
            found.append(f"{key}: {a[key]} vs {b[key]}")
    if len(a["pareto"]) != len(b["pareto"]):
        found.append(f"Pareto frontier: {len(a['pareto'])} vs {len(b['pareto'])} outcomes")
    common = zip(a["pareto"], b["pareto"], strict=False)  # lengths compared above
    pairs = [(f"pareto[{k}]", p, q) for k, (p, q) in enumerate(common)]
    pairs += [(key, a[key], b[key]) for key in ("nash", "kalai_smorodinsky", "max_welfare")]
    for name, p, q in pairs:
        (op, up), (oq, uq) = _point(p, np.ones_like(scale)), _point(q, np.ones_like(scale))
        if op != oq:
            found.append(f"{name}: outcome {op} vs {oq}")
        elif up.shape != uq.shape or not np.allclose(up, uq, rtol=0.0, atol=tol):
            found.append(f"{name}: utilities {up.tolist()} vs {uq.tolist()}")
    return found


def main(folders: list[str]) -> int:
    """Compare every folder; print one line each; exit status 1 if any differs."""
    bad = 0
    for folder in folders:
        a, _, scale = analyses(Path(folder))
        found = differences(Path(folder))
        bad += bool(found)
        print(f"{folder}: {a['outcome_count']} outcomes, {len(a['pareto'])} Pareto-optimal, "
              f"weight sums {scale.tolist()}: " + ("; ".join(found) or "identical"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
