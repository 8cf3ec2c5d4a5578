"""Commands ``power`` (voting power), ``vote`` (outcome and prediction of a vote) and
``compare-decision`` (the negotiation after each result of a vote, side by side)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from zopa.cli.common import JsonOpt, OutputOpt, console, emit_json, guarded, load
from zopa.cli.decisions import DecisionOpt, with_decisions
from zopa.errors import UsageError
from zopa.institutions.bodies import body_from_document, builtin_body, builtin_names, is_body_file
from zopa.institutions.decisions import compare_decision, find_vote, parse_result
from zopa.institutions.outcome import vote_outcome
from zopa.institutions.power import voting_power
from zopa.institutions.prediction import VoteModel, predict_vote
from zopa.institutions.rules import DecisionRule
from zopa.models.base import model_names
from zopa.results import scenario_header
from zopa.scenario.arrays import to_arrays
from zopa.scenario.document import read_document
from zopa.scenario.loader import scenario_from_document
from zopa.scenario.schema import Body, Scenario, Vote

_FileOpt = typer.Argument(None, help="Scenario or body file (YAML).", show_default=False)


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} takes KEY=VALUE, not {item!r}")
        out[key.strip()] = value.strip()
    return out


def _only_body(scenario: Scenario, body_id: str | None) -> Body:
    if body_id is not None:
        return scenario.body(body_id)
    if len(scenario.bodies) == 1:
        return scenario.bodies[0]
    known = ", ".join(b.id for b in scenario.bodies) or "none"
    raise UsageError(f"give --body (bodies in the scenario: {known})")


def _load_body(file: Path | None, body_id: str | None, builtin: str | None) -> tuple[Body, str]:
    if builtin is not None:
        if file is not None:
            raise UsageError("give a FILE or --builtin, not both")
        return builtin_body(builtin), f"built-in {builtin}"
    if file is None:
        raise UsageError(f"give a FILE or --builtin NAME (built-in: {', '.join(builtin_names())})")
    document = read_document(file)
    if is_body_file(document):
        return body_from_document(document)[0], str(file)
    return _only_body(scenario_from_document(document), body_id), str(file)


@guarded
def power(
    file: Path | None = _FileOpt,
    body: str | None = typer.Option(
        None, "--body", "-b", help="Body id (if the scenario has several)."
    ),
    builtin: str | None = typer.Option(
        None, "--builtin", help="A built-in body: " + ", ".join(builtin_names())
    ),
    method: str = typer.Option(
        "auto",
        "--method",
        help="auto, enumerate, generating (weighted games) or split (double majorities).",
    ),
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Exact voting power of a body's members: Shapley-Shubik, Banzhaf and swings."""
    if method not in ("auto", "enumerate", "generating", "split"):
        raise UsageError(f"unknown --method {method!r}")
    found, origin = _load_body(file, body, builtin)
    rule = DecisionRule.from_body(found)
    indices = voting_power(rule, method)  # type: ignore[arg-type]
    data = {"format": "zopa.power/1", "body": found.id, "name": found.name, "file": origin,
            **indices.to_dict()}
    if as_json or output is not None:
        emit_json(data, output)
        return
    table = Table("member", "weight", "veto", "Shapley-Shubik", "Banzhaf", "Banzhaf (absolute)",
                  "swings", title=f"Voting power in {found.name} ({indices.method}, exact)")
    for i, m in enumerate(rule.member_ids):
        row = data["members"][m]
        table.add_row(
            rule.member_names[i], f"{rule.weight[i]:g}", "yes" if rule.veto[i] else "",
            f"{row['shapley_shubik']:.4f}", f"{row['banzhaf']:.4f}",
            f"{row['banzhaf_absolute']:.4f}", str(row["swings"]),
        )
    console.print(table)
    console.print("Exact fractions: --json. Shapley-Shubik values sum to 1.")


def _model(params: dict[str, str]) -> VoteModel:
    kwargs: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("beta", "tau0", "tau1", "pressure"):
            try:
                kwargs[key] = float(value)
            except ValueError:
                raise UsageError(f"--param {key}: {value!r} is not a number") from None
        elif key == "default":
            parts = value.replace("/", ",").split(",")
            try:
                y, n, a = (float(p) for p in parts)
            except ValueError:
                raise UsageError("--param default takes yes,no,abstain: 0.6,0.1,0.3") from None
            kwargs["default"] = (y, n, a)
        else:
            raise UsageError(f"unknown --param {key!r} (beta, tau0, tau1, pressure, default)")
    return VoteModel(**kwargs)


def _fixed(items: list[str]) -> dict[str, Vote]:
    out = {}
    for member, vote in _pairs(items, "--set").items():
        try:
            out[member] = Vote(vote.lower())
        except ValueError:
            message = f"--set {member}: {vote!r} is not yes, no, abstain or absent"
            raise UsageError(message) from None
    return out


@guarded
def vote(
    file: Path = typer.Argument(..., help="Scenario file.", show_default=False),
    body: str | None = typer.Option(None, "--body", "-b", help="Body id."),
    draft: str | None = typer.Option(None, "--draft", help="Predict the vote on this draft."),
    event: str | None = typer.Option(
        None, "--event", "-e", help="Decide this vote event's recorded votes."
    ),
    set_: list[str] = typer.Option(
        [],
        "--set",
        metavar="MEMBER=VOTE",
        help="Fix a member's vote (yes, no, abstain, absent); repeatable.",
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", help="Vote model parameter: beta, tau0, tau1, pressure, default=y,n,a."
    ),
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """Outcome of a vote (--event, with --set to change votes) or its prediction (--draft)."""
    scenario = with_decisions(load(file), decision)
    fixed = _fixed(set_)
    if (draft is None) == (event is None):
        raise UsageError("give either --draft (predict a vote) or --event (decide recorded votes)")
    header = scenario_header(scenario, str(file))
    if event is not None:
        _vote_event(scenario, event, fixed, header, as_json, output)
        return
    assert draft is not None
    found = scenario.draft(draft)
    body_id = body or found.body or _only_body(scenario, None).id
    prediction = predict_vote(scenario, body_id, draft, fixed, _model(_pairs(param, "--param")))
    data = {"scenario": header, **prediction.to_dict()}
    if as_json or output is not None:
        emit_json(data, output)
        return
    table = Table("member", "actor", "from", "yes", "no", "abstain", "swing",
                  title=f"Predicted vote on {found.name or found.id} in {body_id}")
    for m, row in data["members"].items():
        table.add_row(m, row["actor"] or "-", row["basis"], f"{row['yes']:.3f}",
                      f"{row['no']:.3f}", f"{row['abstain']:.3f}", f"{row['swing']:.3f}")
    console.print(table)
    r = data["result"]
    by = ", ".join(f"{k} {v:.3f}" for k, v in sorted(r["vetoed_by"].items(), key=lambda kv: -kv[1]))
    console.print(f"P(adopted) = {r['adopted']:.4f}   P(vetoed) = {r['vetoed']:.4f}"
                  + (f" (by {by})" if by else "") + f"   P(failed) = {r['failed']:.4f}  (exact)")
    pivotal = ", ".join(data["pivotal"]) or "none"
    console.print(f"Pivotal (own vote decides adoption with probability >= 0.05): {pivotal}")


def _vote_event(
    scenario: Scenario, event_id: str, fixed: dict[str, Vote], header: dict[str, Any],
    as_json: bool, output: Path | None,
) -> None:
    event = find_vote(scenario, event_id)
    assert event.body is not None
    rule = DecisionRule.from_body(scenario.body(event.body))
    votes: dict[str, Vote | str] = dict(event.votes or {})
    votes.update(fixed)
    outcome = vote_outcome(rule, votes)
    data = {"format": "zopa.vote-outcome/1", "scenario": header, "event": event_id,
            "recorded_result": event.result.value if event.result else None,
            "changed_votes": {m: v.value for m, v in fixed.items()}, **outcome.to_dict()}
    if as_json or output is not None:
        emit_json(data, output)
        return
    changed = f" with {', '.join(f'{m}={v.value}' for m, v in fixed.items())}" if fixed else ""
    text = outcome.result.value
    if outcome.vetoed_by and outcome.result.value == "vetoed":
        text += f" by {', '.join(outcome.vetoed_by)}"
    console.print(f"{event.title}{changed}: [bold]{text}[/bold] ({outcome.tally}; "
                  f"yes weight {outcome.yes_weight:g}, needed {outcome.needed:g})")
    if event.result is not None and not fixed and event.result != outcome.result:
        console.print(f"[red]The recorded result is {event.result.value}[/red]: "
                      "check the votes or the rule.")
    elif event.result is not None and fixed:
        console.print(f"Recorded result: {event.result.value}.")


@guarded
def compare_decision_cmd(
    file: Path = typer.Argument(..., help="Scenario file.", show_default=False),
    event: str = typer.Option(..., "--event", "-e", help="The vote event to vary."),
    results: str | None = typer.Option(
        None, "--results", help="Comma-separated results (default: adopted and vetoed or failed)."
    ),
    model: str = typer.Option(
        "compromise", "--model", "-m", help="Model: " + ", ".join(model_names())
    ),
    param: list[str] = typer.Option([], "--param", "-p", help="Model parameter key=value."),
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=0, help="Rounds (dynamic models)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the random numbers."),
    negotiate: int = typer.Option(
        0, "--negotiate", min=0, metavar="RUNS",
        help="Also run RUNS alternating-offers negotiations per result (as zopa negotiate).",
    ),
    decision: list[str] = DecisionOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
) -> None:
    """The negotiation after each result of a vote, side by side: forecast, ZOPA, parties."""
    scenario = with_decisions(load(file), decision)
    chosen = [parse_result(r) for r in results.split(",")] if results else None
    data = compare_decision(scenario, event, chosen, model=model, params=_pairs(param, "--param"),
                            rounds=rounds, seed=seed, negotiation_runs=negotiate)
    data["scenario"] = scenario_header(scenario, str(file))
    if as_json or output is not None:
        emit_json(data, output)
        return
    arrays = to_arrays(scenario)
    names = data["results"]
    recorded = data["recorded_result"]
    heads = [f"{r} (recorded)" if r == recorded else r for r in names]
    table = Table("", *heads, title=f"{event}: forecast ({model}) after each result")
    for j, issue in enumerate(arrays.issue_ids):
        cells = [data["variants"][r]["outcome"][issue] for r in names]
        labels = (arrays.label(j, v) if v is not None else "-" for v in cells)
        table.add_row(arrays.issue_names[j], *labels)
    table.add_section()
    table.add_row("ZOPA", *(
        ("exists" if data["variants"][r]["zone"]["feasible"] else "none")
        + f", margin {data['variants'][r]['zone']['margin']:+.3f}" for r in names
    ))
    for party in data["variants"][names[0]]["parties"]:
        rows = [data["variants"][r]["parties"][party] for r in names]
        table.add_row(f"{party}: BATNA", *(f"{p['batna']:.3f}" for p in rows))
        table.add_row(f"{party}: surplus", *(
            f"{p['surplus']:+.3f}" if p["surplus"] is not None else "-" for p in rows
        ))
    if negotiate:
        table.add_section()
        table.add_row("negotiations: agreement rate", *(
            f"{data['variants'][r]['negotiation']['agreement_rate']:.3f}" for r in names
        ))
        for party in data["variants"][names[0]]["negotiation"]["mean_utility"]:
            means = [data["variants"][r]["negotiation"]["mean_utility"][party] for r in names]
            table.add_row(f"{party}: mean utility of deals",
                          *(f"{m:.3f}" if m is not None else "-" for m in means))
    console.print(table)
    for r in names:
        effects = data["variants"][r]["effects"]
        listed = "; ".join(effects) if effects else "no effects declared"
        console.print(f"[bold]{r}[/bold]: {listed}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(power)
    app.command()(vote)
    app.command("compare-decision")(compare_decision_cmd)
