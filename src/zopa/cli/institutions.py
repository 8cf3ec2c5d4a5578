"""Commands ``power`` (voting power), ``vote`` (outcome and prediction of a vote) and
``compare-decision`` (the negotiation after each result of a vote, side by side)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from zopa import registry
from zopa.cli.common import (
    AddressOpt,
    AsOfOpt,
    DecisionOpt,
    ExecutorOpt,
    JsonOpt,
    NoStoreOpt,
    OutputOpt,
    ParamOpt,
    SamplesOpt,
    SeedOpt,
    StoreOpt,
    WorkersOpt,
    console,
    deliver,
    executor_settings,
    fmt,
    guarded,
    key_values,
    load,
    new_table,
)
from zopa.data import builtin_body_names
from zopa.errors import UsageError

if TYPE_CHECKING:
    from zopa.results.institutions import (
        DecisionComparisonResult,
        PowerResult,
        VoteOutcomeResult,
        VotePredictionResult,
    )
    from zopa.scenario.schema import Body

_FileOpt = typer.Argument(None, help="Scenario or body file (YAML).", show_default=False)


def _load_body(file: Path | None, body_id: str | None, builtin: str | None) -> tuple[Body, str]:
    from zopa.app import pick_body
    from zopa.institutions.bodies import body_from_document, builtin_body, is_body_file
    from zopa.scenario.document import read_document
    from zopa.scenario.loader import scenario_from_document

    if builtin is not None:
        if file is not None:
            raise UsageError("give a FILE or --builtin, not both")
        return builtin_body(builtin), f"built-in {builtin}"
    if file is None:
        raise UsageError(
            f"give a FILE or --builtin NAME (built-in: {', '.join(builtin_body_names())})")
    document = read_document(file)
    if is_body_file(document):
        return body_from_document(document)[0], str(file)
    return pick_body(scenario_from_document(document), body_id), str(file)


@guarded
def power(
    file: Path | None = _FileOpt,
    body: str | None = typer.Option(
        None, "--body", "-b", help="Body id (if the scenario has several)."
    ),
    builtin: str | None = typer.Option(
        None, "--builtin", help="A built-in body: " + ", ".join(builtin_body_names()) + "."
    ),
    method: str = typer.Option(
        "auto", "--method", help="Method: " + ", ".join(registry.names("power-method")) + "."),
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Exact voting power of a body's members: Shapley-Shubik, Banzhaf and swings."""
    from zopa import app

    found, origin = _load_body(file, body, builtin)
    result = app.power(found, method=method, file=origin)
    deliver(result, as_json=as_json, output=output, command="power",
            render=render_power,
            store=store, no_store=no_store, scenario_file=file)


def render_power(result: PowerResult) -> None:
    """Each member's power indices."""
    table = new_table("member", "weight", "veto", "Shapley-Shubik", "Banzhaf", "Banzhaf (absolute)",
                  "swings", title=f"Voting power in {result.name} ({result.method}, exact)")
    for m, row in result.members.items():
        info = result.member_info[m]
        table.add_row(info.name, f"{info.weight:g}", "yes" if info.veto else "",
                      f"{row.shapley_shubik:.4f}", f"{row.banzhaf:.4f}",
                      f"{row.banzhaf_absolute:.4f}", str(row.swings))
    console.print(table)
    console.print("Exact fractions: --json. Shapley-Shubik values sum to 1.")


@guarded
def vote(
    file: Path = typer.Argument(..., help="Scenario file.", show_default=False),
    body: str | None = typer.Option(None, "--body", "-b", help="Body id."),
    draft: str | None = typer.Option(None, "--draft", help="Predict the vote on this draft."),
    event: str | None = typer.Option(
        None, "--event", "-e", help="Decide this vote event's recorded votes."
    ),
    set_: list[str] = typer.Option(
        [], "--set", metavar="MEMBER=VOTE",
        help="Fix a member's vote (yes, no, abstain, absent); repeatable.",
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", metavar="KEY=VALUE",
        help="Vote model parameter: beta, tau0, tau1, pressure, default=y,n,a (`zopa models`)."
    ),
    record: bool | None = typer.Option(
        None, "--record/--no-record",
        help="Use the model fitted on the body's voting record (default: when it has one that "
             "codes the draft) or the declared model."),
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    samples: int = SamplesOpt,
    seed: int | None = SeedOpt,
    executor: str = ExecutorOpt,
    workers: int | None = WorkersOpt,
    address: str | None = AddressOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Outcome of a vote (--event, with --set to change votes) or its prediction (--draft)."""
    if record is not None and event is not None:
        raise UsageError("--record/--no-record choose the model of a prediction (--draft)")
    from zopa import app

    if (draft is None) == (event is None):
        raise UsageError("give either --draft (predict a vote) or --event (decide recorded votes)")
    scenario = load(file)
    fixed = key_values(set_, "--set")
    decisions = key_values(decision, "--decision")
    if event is not None:
        outcome = app.vote_outcome(scenario, event, changed_votes=fixed, decisions=decisions,
                                   as_of=as_of, file=str(file))
        deliver(outcome, as_json=as_json, output=output, command="vote",
                render=render_vote_outcome,
                store=store, no_store=no_store, scenario_file=file)
        return
    assert draft is not None
    from zopa.cli.progress import watching

    settings = executor_settings(executor, workers, address)
    quiet = as_json or output is not None
    with watching("vote", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        prediction = app.predict_vote(scenario, draft, body=body, fixed_votes=fixed,
                                      params=key_values(param, "--param"), decisions=decisions,
                                      as_of=as_of, samples=samples, seed=seed, file=str(file),
                                      use_record=record, executor=settings, progress=progress)
    deliver(prediction, as_json=as_json, output=output, command="vote",
            render=render_vote_prediction,
            store=store, no_store=no_store, scenario_file=file)


def render_vote_prediction(result: VotePredictionResult) -> None:
    """Each member's probabilities, the result's, and the pivotal members."""
    table = new_table("member", "actor", "from", "yes", "no", "abstain", "swing",
                  title=f"Predicted vote on {result.draft_name or result.draft} in {result.body}")
    for m, row in result.members.items():
        table.add_row(m, row.actor or "-", row.basis, f"{row.yes:.3f}", f"{row.no:.3f}",
                      f"{row.abstain:.3f}", fmt(row.swing))
    console.print(table)
    r = result.result
    by = ", ".join(f"{k} {v:.3f}" for k, v in sorted(r.vetoed_by.items(), key=lambda kv: -kv[1]))
    if result.fit is not None:
        f = result.fit
        by = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r.vetoed_by.items(),
                                                         key=lambda kv: -kv[1]) if v >= 0.005)
        where = f"record {f.record_file}" if f.record_file else "the scenario's record"
        console.print(
            f"P(adopted) = {r.adopted:.2f}   P(vetoed) = {r.vetoed:.2f}"
            + (f" (by {by})" if by else "") + f"   P(failed) = {r.failed:.2f}  (exact tally of "
            f"the model fitted on {f.votes} votes of series {f.series} before {f.before}, "
            f"{where}: estimates from few votes)", highlight=False)
    else:
        console.print(f"P(adopted) = {r.adopted:.4f}   P(vetoed) = {r.vetoed:.4f}"
                      + (f" (by {by})" if by else "") + f"   P(failed) = {r.failed:.4f}  (exact "
                      "tally, at the stated inputs and the vote model's parameters)")
    u = result.uncertain
    if u is not None:
        lo, _, hi = u.adopted_interval
        vlo, _, vhi = u.vetoed_interval
        console.print(f"Over {u.draws:,} draws of the declared uncertainty (seed {u.seed}): "
                      f"P(adopted) = {u.adopted:.2f} (per draw {lo:.2f} .. {hi:.2f}), "
                      f"P(vetoed) = {u.vetoed:.2f} ({vlo:.2f} .. {vhi:.2f}).", highlight=False)
    if any(row.swing is None for row in result.members.values()):
        console.print("Pivotal members: not computed (a body this large would take too long; "
                      "the result's probabilities are exact).")
        return
    console.print("Pivotal (own vote decides adoption with probability >= 0.05): "
                  + (", ".join(result.pivotal) or "none"))


def render_vote_outcome(result: VoteOutcomeResult) -> None:
    """The result with its tally, and how it compares with the record."""
    changed = result.changed_votes
    with_ = f" with {', '.join(f'{m}={v}' for m, v in changed.items())}" if changed else ""
    text = result.result
    if result.vetoed_by and result.result == "vetoed":
        text += f" by {', '.join(result.vetoed_by)}"
    console.print(f"{result.event_title}{with_}: [bold]{text}[/bold] ({result.tally}; "
                  f"yes weight {result.yes_weight:g}, needed {result.needed:g})")
    if result.recorded_result is not None and not changed and result.recorded_result != (
            result.result):
        console.print(f"[red]The recorded result is {result.recorded_result}[/red]: "
                      "check the votes or the rule.")
    elif result.recorded_result is not None and changed:
        console.print(f"Recorded result: {result.recorded_result}.")


@guarded
def compare_decision(
    file: Path = typer.Argument(..., help="Scenario file.", show_default=False),
    event: str = typer.Option(..., "--event", "-e", help="The vote event to vary."),
    results: str | None = typer.Option(
        None, "--results", help="Comma-separated results (default: adopted and vetoed or failed)."
    ),
    model: str = typer.Option(
        "compromise", "--model", "-m", help="Model: " + ", ".join(registry.names("model"))
    ),
    param: list[str] = ParamOpt,
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=0, help="Rounds (dynamic models)."
    ),
    seed: int | None = SeedOpt,
    negotiate: int = typer.Option(
        0, "--negotiate", min=0, metavar="RUNS",
        help="Also run RUNS alternating-offers negotiations per result (as zopa negotiate).",
    ),
    decision: list[str] = DecisionOpt,
    as_of: str | None = AsOfOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """The negotiation after each result of a vote, side by side: forecast, ZOPA, parties."""
    from zopa import app

    chosen = results.split(",") if results else None
    result = app.compare_decision(
        load(file), event, chosen, model=model, params=key_values(param, "--param"),
        rounds=rounds, seed=seed, negotiation_runs=negotiate,
        decisions=key_values(decision, "--decision"), as_of=as_of, file=str(file),
    )
    deliver(result, as_json=as_json, output=output, command="compare-decision",
            render=render_decision_comparison,
            store=store, no_store=no_store, scenario_file=file)


def render_decision_comparison(result: DecisionComparisonResult) -> None:
    """The forecast, ZOPA and each party's BATNA and surplus per result, side by side."""
    names = result.results
    variants = [result.variants[r] for r in names]
    heads = [f"{r} (recorded)" if r == result.recorded_result else r for r in names]
    table = new_table(
        "", *heads, title=f"{result.event}: forecast ({result.model}) after each result")
    for info in result.issue_info:
        table.add_row(info.name, *(info.label(v.outcome[info.id]) for v in variants))
    table.add_section()
    table.add_row("ZOPA", *(("exists" if v.zone.feasible else "none")
                            + f", margin {v.zone.margin or 0.0:+.3f}" for v in variants))
    for party in variants[0].parties:
        rows = [v.parties[party] for v in variants]
        table.add_row(f"{party}: BATNA", *(fmt(p.batna) for p in rows))
        table.add_row(f"{party}: surplus", *(fmt(p.surplus, "+.3f") for p in rows))
    if variants[0].negotiation is not None:
        table.add_section()
        table.add_row("negotiations: agreement rate",
                      *(f"{v.negotiation.agreement_rate:.3f}" if v.negotiation else "-"
                        for v in variants))
        for party in variants[0].negotiation.mean_utility:
            table.add_row(f"{party}: mean utility of deals",
                          *(fmt(v.negotiation.mean_utility[party]) if v.negotiation else "-"
                            for v in variants))
    console.print(table)
    for r, v in zip(names, variants, strict=True):
        listed = "; ".join(v.effects) if v.effects else "no effects declared"
        console.print(f"[bold]{r}[/bold]: {listed}", highlight=False)


class VoteGroup(TyperGroup):
    """``zopa vote``: ``predict`` (the default: ``zopa vote FILE --draft D`` is ``zopa vote
    predict FILE --draft D``) and ``fit``."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        """Route arguments that name no subcommand to ``predict``."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["predict", *args]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``zopa`` app."""
    from zopa.cli.record import vote_fit

    app.command()(power)
    votes = typer.Typer(
        cls=VoteGroup, no_args_is_help=True, rich_markup_mode=None,
        help="Predict a vote (`zopa vote FILE --draft D`, or decide a recorded one with "
             "--event) or fit the vote model on a voting record (`zopa vote fit FILE`).")
    votes.command("predict")(vote)
    votes.command("fit")(vote_fit)
    app.add_typer(votes, name="vote")
    app.command("compare-decision")(compare_decision)
