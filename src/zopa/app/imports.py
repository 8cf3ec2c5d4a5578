"""Use cases that turn other formats into zopa scenarios: GENIUS domains, actor tables, decide
files. Each returns the scenario's YAML text (already validated by the scenario loader) and what
was read; writing it is the front end's business."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from zopa.importers.decide import import_decide as read_decide_file
from zopa.importers.genius import load_genius_folder, scenario_document, weight_sums
from zopa.importers.output import validated_yaml
from zopa.importers.table import import_table as read_table_file


@dataclass(frozen=True)
class ImportedScenario:
    """A scenario made from another format."""

    text: str
    """The scenario as YAML, validated."""
    actors: int
    issues: int
    outcomes: int | None = None
    """Size of the outcome space (GENIUS domains)."""
    notes: list[str] = field(default_factory=list)
    """What the importer noticed and decided (scales, salience reading)."""


def import_genius(folder: str | Path, *, as_of: dt.date | None = None) -> ImportedScenario:
    """A GENIUS domain folder (domain + profile XML files) as a scenario: each position's values
    are the normalised evaluations, salience = weight, ideal = best option (lossless)."""
    domain = load_genius_folder(folder)
    text = validated_yaml(
        scenario_document(domain, as_of or dt.date.today()),
        str(folder),
        f"# Imported from GENIUS folder {domain.name} by `zopa import-genius`.\n"
        "# Lossless: positions hold the normalised GENIUS evaluations (values).\n",
    )
    notes = [f"{p.name}: weights sum to {total:.12g}, not 1; saliences (and so utilities) are "
             f"divided by it" for p, total in zip(domain.profiles, weight_sums(domain), strict=True)
             if total != 1.0]
    return ImportedScenario(text, len(domain.profiles), len(domain.issues), domain.n_outcomes,
                            notes=notes)


def import_table(
    file: str | Path,
    *,
    salience_scale: str = "auto",
    bounds: tuple[float, float] | None = None,
    issue_name: str = "issue",
    as_of: dt.date | None = None,
) -> ImportedScenario:
    """An actor table (CSV: actor, capability, position, salience[, issue]) as a scenario."""
    text, table = read_table_file(file, salience_scale=salience_scale, bounds=bounds,
                                  issue_name=issue_name, as_of=as_of)
    return ImportedScenario(text, len(table.actor_names), len(table.issue_names),
                            notes=list(table.notes))


def import_decide(
    file: str | Path, *, bounds: tuple[float, float] | None = None, as_of: dt.date | None = None
) -> ImportedScenario:
    """A decide (exchange model) input file (#A/#P/#M/#D lines) as a scenario."""
    text, table = read_decide_file(file, bounds=bounds, as_of=as_of)
    return ImportedScenario(text, len(table.actor_names), len(table.issue_names),
                            notes=list(table.notes))
