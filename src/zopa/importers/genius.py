"""GENIUS / ANAC negotiation domains: a domain XML and one utility-profile XML per party.

A GENIUS profile is linear-additive (Jonker & Treur; GENIUS: Lin et al. 2014, "Genius: an
integrated environment for supporting the design of generic automated negotiators",
Computational Intelligence 30(1)): ``U(o) = sum_j w_j e_j(o_j)`` with per-issue weights ``w_j`` and
per-value evaluations. GENIUS divides each issue's evaluations by that issue's largest evaluation
(``EvaluatorDiscrete.getEvaluation``), so utilities lie in ``[0, 1]`` when the weights sum to 1;
NegMAS 0.16 loads the evaluations raw (``U = sum_j w_j eval_j``). :meth:`GeniusDomain.problem`
gives either (``normalise=True``: GENIUS; ``False``: NegMAS).

:func:`scenario_document` writes a lossless zopa scenario: option issues, each position's
``values`` = the GENIUS-normalised evaluations (the loss on an issue is ``1 - value``,
docs/utility.md), salience = the weight, ideal = the best-evaluated option (the first of ties),
BATNA = the reservation value. zopa computes a fully valued actor's utility as
``sum_j w_j value_j`` in issue order, so the imported scenario's utility table equals
:meth:`GeniusDomain.utility_table` bit for bit when a profile's weights sum to 1 (as GENIUS
requires; every ANAC domain does). zopa normalises salience to sum 1, so weights that do not sum
to 1 are divided by their sum ``W`` (noted in the file): the imported utilities are then the
folder's divided by ``W``.

Parsing (:mod:`zopa.importers.genius_xml`) uses the standard library's expat directly: any
DOCTYPE or ENTITY declaration is refused before it can be processed, so no entity (internal or
external) is ever expanded.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zopa.errors import Problem, ScenarioError, UsageError
from zopa.importers.genius_xml import MAX_XML_BYTES, MAX_XML_ELEMENTS, Node, parse_xml
from zopa.importers.output import make_ids
from zopa.inputs import printable, printable_error, shown
from zopa.protocols.space import NegotiationProblem, OutcomeSpace, check_outcome_count
from zopa.utility import FloatArray

__all__ = [
    "MAX_XML_BYTES",
    "MAX_XML_ELEMENTS",
    "GeniusDomain",
    "GeniusProfile",
    "Node",
    "load_genius_folder",
    "parse_xml",
    "scenario_document",
    "weight_sums",
]


@dataclass(frozen=True, eq=False)
class GeniusProfile:
    """One party's profile; ``evaluations[j][v]`` for value ``v`` of issue ``j`` (domain order)."""

    name: str
    file: str
    weights: FloatArray
    evaluations: tuple[FloatArray, ...]
    reservation: float
    discount: float

    def normalised_evaluations(self) -> tuple[FloatArray, ...]:
        """GENIUS's semantics: each issue's evaluations divided by its largest one."""
        out = []
        for e in self.evaluations:
            top = float(e.max())
            out.append(e / top if top > 0 else np.zeros_like(e))
        return tuple(out)


@dataclass(frozen=True, eq=False)
class GeniusDomain:
    """A GENIUS domain with its profiles, in NegMAS's file order (sorted file names)."""

    name: str
    folder: str
    issues: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]
    profiles: tuple[GeniusProfile, ...]

    @property
    def n_outcomes(self) -> int:
        """The number of outcomes (exact: a Python int never overflows, 10^30 included)."""
        return math.prod(len(v) for v in self.values)

    def space(self) -> OutcomeSpace:
        """The outcome space: every issue's values on 0-1, in GENIUS order."""
        points = tuple(np.linspace(0.0, 1.0, len(v)) if len(v) > 1 else np.zeros(1)
                       for v in self.values)
        return OutcomeSpace(self.issues, self.values, points)

    def utility_table(self, normalise: bool = True) -> FloatArray:
        """``(n_outcomes, n_profiles)``: ``sum_j w_j e_j`` summed in issue order (the order of
        NegMAS's ``LinearAdditiveUtilityFunction.eval``, so raw values agree bit for bit).

        Normalised, the evaluations are divided by each issue's best and the weights by their
        sum, so that utilities lie in ``[0, 1]`` even for a profile whose weights do not sum to 1
        (GENIUS requires that they do; some hand-made profiles miss by rounding). For weights
        that sum to 1, dividing by the sum changes nothing, bit for bit."""
        cols = []
        for p in self.profiles:
            table = p.normalised_evaluations() if normalise else p.evaluations
            total = float(p.weights.sum())
            weights = p.weights / total if normalise and total > 0 else p.weights
            u = np.zeros(())
            for j, e in enumerate(table):
                u = u[..., None] + weights[j] * e
            cols.append(u.reshape(-1))
        return np.stack(cols, axis=1)

    def problem(self, normalise: bool = True) -> NegotiationProblem:
        """The negotiation on the exact evaluation tables (GENIUS-normalised by default).

        The reservation values are the profiles' (on GENIUS's 0-1 scale); discount factors are
        kept in :attr:`profiles` but not applied (the engines negotiate undiscounted).
        """
        check_outcome_count(self.n_outcomes, "this domain is too large to enumerate (drop issues "
                            "or values from its XML)")
        return NegotiationProblem(
            space=self.space(),
            agents=tuple(p.name for p in self.profiles),
            utilities=self.utility_table(normalise),
            reservation=np.array([p.reservation for p in self.profiles], dtype=float),
            name=self.name,
            notes=("GENIUS evaluations " + ("normalised per issue" if normalise else "raw"),),
        )


def _number(node: Node, key: str, file: str, path: str, *, non_negative: bool = False) -> float:
    text = node.attrib.get(key)
    if text is None:
        message = f"<{node.tag}> needs a {key!r} attribute"
        raise ScenarioError([Problem(file, node.line, path, message)])
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(
            [Problem(file, node.line, path, f"{key}={shown(text)} is not a number")]
        ) from None
    if not np.isfinite(value):
        raise ScenarioError([Problem(file, node.line, path, f"{key} must be finite")])
    if non_negative and value < 0:
        raise ScenarioError([Problem(file, node.line, path,
                                     f"{key}={shown(text)} is negative; GENIUS needs {key}s >= 0")])
    return value


def _objective(root: Node, file: str) -> Node:
    space = root if root.tag == "utility_space" else root.find("utility_space")
    objective = space.find("objective") if space is not None else None
    if objective is None:
        raise ScenarioError([Problem(file, root.line, root.tag, "no <utility_space><objective>")])
    return objective


def _issues(objective: Node, file: str) -> list[Node]:
    issues = objective.find_all("issue")
    if not issues:
        raise ScenarioError([Problem(file, objective.line, "objective", "no <issue> elements")])
    for issue in issues:
        kind = issue.attrib.get("etype") or issue.attrib.get("type") or "discrete"
        if kind != "discrete":
            raise ScenarioError([Problem(file, issue.line, f"issue {issue.attrib.get('name')}",
                                         f"issue type {kind!r} is not supported (discrete only)")])
        if "name" not in issue.attrib:
            raise ScenarioError([Problem(file, issue.line, "issue", "<issue> needs a name")])
    return issues


def _read_domain(path: Path) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
    file = str(path)
    issues = _issues(_objective(parse_xml(path), file), file)
    names: list[str] = []
    values: list[tuple[str, ...]] = []
    indices: list[str] = []
    for issue in issues:
        items = issue.find_all("item")
        labels = tuple(item.attrib.get("value", "") for item in items)
        where = f"issue {issue.attrib['name']}"
        if not labels or any(not v for v in labels):
            raise ScenarioError([Problem(file, issue.line, where, "every <item> needs a value")])
        if len(set(labels)) != len(labels):
            raise ScenarioError([Problem(file, issue.line, where, "item values must be distinct")])
        names.append(issue.attrib["name"])
        values.append(labels)
        indices.append(issue.attrib.get("index", str(len(indices) + 1)))
    if len(set(names)) != len(names):
        raise ScenarioError([Problem(file, None, "objective", "issue names must be distinct")])
    return names, values, indices


def _read_profile(path: Path, root: Node, names: list[str], values: list[tuple[str, ...]],
                  indices: list[str]) -> GeniusProfile:
    file = str(path)
    objective = _objective(root, file)
    by_name = {issue.attrib["name"]: issue for issue in _issues(objective, file)}
    weights_by_index = {w.attrib.get("index"): w for w in objective.find_all("weight")}
    weights, evaluations = [], []
    for j, name in enumerate(names):
        issue = by_name.get(name)
        if issue is None:
            raise ScenarioError([Problem(file, objective.line, "objective",
                                         f"no evaluation of issue {name!r}")])
        table = {}
        for item in issue.find_all("item"):
            table[item.attrib.get("value", "")] = _number(item, "evaluation", file,
                                                          f"issue {name}", non_negative=True)
        missing = [v for v in values[j] if v not in table]
        if missing:
            raise ScenarioError([Problem(file, issue.line, f"issue {name}",
                                         f"no evaluation for value {missing[0]!r}")])
        evaluations.append(np.array([table[v] for v in values[j]], dtype=float))
        weight = weights_by_index.get(issue.attrib.get("index", indices[j]))
        if weight is None:
            raise ScenarioError([Problem(file, objective.line, "objective",
                                         f"no <weight> for issue {name!r}")])
        weights.append(_number(weight, "value", file, f"weight of {name}", non_negative=True))
    space = root if root.tag == "utility_space" else objective
    reservation_node = space.find("reservation")
    discount_node = space.find("discount_factor")
    return GeniusProfile(
        name=path.stem,
        file=file,
        weights=np.array(weights, dtype=float),
        evaluations=tuple(evaluations),
        reservation=_number(reservation_node, "value", file, "reservation")
        if reservation_node is not None else 0.0,
        discount=_number(discount_node, "value", file, "discount_factor")
        if discount_node is not None else 1.0,
    )


def load_genius_folder(folder: str | Path) -> GeniusDomain:
    """Read a GENIUS domain folder: the file whose root is ``<negotiation_template>`` is the
    domain; every ``<utility_space>`` file is a profile (in sorted file-name order, as NegMAS).

    Every ``.xml`` file is read by :func:`parse_xml` (regular files of at most
    :data:`MAX_XML_BYTES`); names in messages and the domain's name are escaped
    (:func:`zopa.inputs.printable`).

    Raises:
        UsageError: not a domain folder.
        ScenarioError: a file cannot be read safely or holds a bad profile, located.
    """
    try:
        return _load_genius_folder(Path(folder))
    except ScenarioError as exc:
        raise printable_error(exc) from None


def _load_genius_folder(root_dir: Path) -> GeniusDomain:
    folder = printable(str(root_dir))
    if not root_dir.is_dir():
        raise UsageError(f"{folder}: not a folder")
    domain_file: Path | None = None
    profiles: list[tuple[Path, Node]] = []
    for path in sorted(root_dir.iterdir()):
        if path.suffix.lower() != ".xml" or path.name.endswith("pareto.xml"):
            continue
        node = parse_xml(path)
        if node.tag == "negotiation_template":
            if domain_file is not None:
                raise UsageError(f"{folder}: two domain files ({printable(domain_file.name)}, "
                                 f"{printable(path.name)})")
            domain_file = path
        elif node.tag == "utility_space":
            profiles.append((path, node))
    if domain_file is None:
        raise UsageError(f"{folder}: no domain file (an XML file with <negotiation_template>)")
    if len(profiles) < 2:
        raise UsageError(f"{folder}: a negotiation needs at least two utility profiles")
    names, values, indices = _read_domain(domain_file)
    return GeniusDomain(
        name=printable(root_dir.name),
        folder=str(root_dir),
        issues=tuple(names),
        values=tuple(values),
        profiles=tuple(_read_profile(p, n, names, values, indices) for p, n in profiles),
    )


def weight_sums(domain: GeniusDomain) -> FloatArray:
    """``(profiles,)``: the sum of each profile's weights (1 for a well-formed GENIUS profile)."""
    return np.array([float(p.weights.sum()) for p in domain.profiles])


def scenario_document(domain: GeniusDomain, as_of: dt.date) -> dict[str, Any]:
    """The lossless zopa scenario (a plain dict, ready for YAML); see the module docstring."""
    short = [v for v in domain.values if len(v) < 2]
    if short:
        raise UsageError("a zopa option issue needs at least two options; "
                         f"issue {domain.issues[domain.values.index(short[0])]!r} has one")
    actor_ids = make_ids([p.name for p in domain.profiles], "party")
    issue_ids = make_ids(list(domain.issues), "issue")
    positions: dict[str, dict[str, Any]] = {}
    for a, profile, total in zip(actor_ids, domain.profiles, weight_sums(domain), strict=True):
        weights = profile.weights / total if total > 0 else profile.weights
        stances = {}
        for j, evals in enumerate(profile.normalised_evaluations()):
            stances[issue_ids[j]] = {
                "ideal": domain.values[j][int(np.argmax(evals))],
                "salience": float(np.clip(weights[j], 0.0, 1.0)),
                "values": {v: float(e) for v, e in zip(domain.values[j], evals, strict=True)},
            }
        positions[a] = stances
    return {
        "meta": {
            "title": f"GENIUS domain {domain.name}",
            "as_of": as_of.isoformat(),
            "description": (
                f"Imported from the GENIUS folder {domain.name} by zopa import-genius: each "
                "position's values are the GENIUS evaluations normalised per issue (best = 1), "
                "its salience the issue weight and its ideal the best-evaluated option; the "
                "BATNA is the reservation value. zopa analyze on this file gives the same "
                "outcome analysis as on the folder."
            ),
        },
        "actors": [
            {
                "id": a,
                "name": p.name,
                "role": "party",
                "capability": {"value": 1.0, "estimate": True, "note": "not given by GENIUS"},
                "batna": {
                    "value": float(np.clip(p.reservation, 0.0, 1.0)),
                    "note": f"GENIUS reservation value; discount factor {p.discount:g} not used",
                },
                **({} if total == 1.0 else {"description": (
                    f"GENIUS weights sum to {total:.12g}, not 1: saliences are the weights "
                    f"divided by {total:.12g}, so utilities are the GENIUS ones divided by it"
                )}),
            }
            for a, p, total in zip(actor_ids, domain.profiles, weight_sums(domain), strict=True)
        ],
        "issues": [
            {"id": i, "name": name, "options": list(vals)}
            for i, name, vals in zip(issue_ids, domain.issues, domain.values, strict=True)
        ],
        "positions": positions,
    }
