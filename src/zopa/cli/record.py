"""Commands that learn from the record: ``vote fit`` (the vote model fitted on a body's votes),
``backtest`` (every recorded vote predicted from the earlier ones, against baselines) and
``score`` (dated forecasts scored against what happened)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zopa.cli.common import (
    FileArg,
    JsonOpt,
    NoStoreOpt,
    OutputOpt,
    SeedOpt,
    StoreOpt,
    console,
    deliver,
    guarded,
    load,
    new_table,
)

if TYPE_CHECKING:
    from zopa.results.backtest import BacktestResult, ScoreResult, VoteFitResult

BodyOpt = typer.Option(None, "--body", "-b", help="Body id (default: the record's only series).")
TauOpt = typer.Option(
    1.0, "--tau", min=0.01, max=100.0,
    help="Prior sd of a member around the council (logits): smaller pools members more.")


@guarded
def vote_fit(
    file: Path = FileArg,
    body: str | None = BodyOpt,
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="YYYY-MM-DD", help="Fit on the votes up to this date only."),
    tau: float = TauOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Fit the vote model on a body's voting record: members' ideal points and saliences."""
    from zopa import app
    from zopa.institutions.fitting import FitSettings
    from zopa.timeline.history import parse_date

    before = parse_date(as_of) + dt.timedelta(days=1) if as_of else None
    result = app.vote_fit(load(file), body=body, before=before, settings=FitSettings(tau=tau),
                          file=str(file))
    deliver(result, as_json=as_json, output=output, command="vote fit",
            render=render_vote_fit,
            store=store, no_store=no_store, scenario_file=file)


def render_vote_fit(result: VoteFitResult) -> None:
    """Members' intercepts, ideal points and saliences per issue."""
    issues = list(next(iter(result.members.values())).lean) if result.members else []
    table = new_table("member", "votes", "yes-lean", *issues,
                      title=f"Vote model fitted on {result.votes} votes of series "
                            f"{result.series}" + (f" before {result.before}"
                                                  if result.before else ""))
    for m, row in result.members.items():
        cells = [f"{row.lean[i]:+.1f}" for i in issues]
        table.add_row(m, str(row.votes), f"{row.intercept:+.1f}", *cells)
    console.print(table)
    console.print(
        f"Sponsoring a draft: {result.sponsor_effect:+.1f} logits; bloc-mates sponsoring: "
        f"{result.bloc_effect:+.1f}; agreeing with the sponsors: "
        f"{result.affinity_effect:+.1f} per unit of agreement. Per issue: the member's support "
        "(logits) for a draft at the top of the issue's scale over one at the bottom; "
        "yes-lean: its support for any draft. Estimates from few votes, shrunk to the "
        "council's; ideal points and saliences: --json."
        + ("" if result.converged else " The optimiser did not converge."),
        highlight=False)


@guarded
def backtest(
    file: Path = FileArg,
    body: str | None = BodyOpt,
    tau: float = TauOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Predict every recorded vote from the earlier ones; score the model against baselines."""
    from zopa import app
    from zopa.institutions.fitting import FitSettings

    result = app.backtest(load(file), body=body, settings=FitSettings(tau=tau), file=str(file))
    deliver(result, as_json=as_json, output=output, command="backtest",
            render=render_backtest,
            store=store, no_store=no_store, scenario_file=file)


def render_backtest(result: BacktestResult) -> None:
    """The scores of the model and of each baseline, and the result forecasts."""
    votes = new_table("vote", "votes before", "adopted", "vetoed", "failed", "actual",
                      title=f"Each vote predicted from the earlier ones (series "
                            f"{result.series}): P(result)")
    votes.columns[0].no_wrap = True
    for r in result.results:
        votes.add_row(r.event, str(r.fitted_on), f"{r.adopted:.2f}", f"{r.vetoed:.2f}",
                      f"{r.failed:.2f}", r.actual or "-")
    console.print(votes)
    table = new_table("forecaster", "n", "accuracy", "Brier", "log loss", "P(adopted)",
                      "P(vetoed)",
                      title="Scores of members' votes (Brier over 3 outcomes: 0 best, 2 worst) "
                            "and Brier of the results' P(adopted), P(vetoed) (0 best, 1 worst)")
    table.columns[0].no_wrap = True
    for s in result.summary:
        table.add_row(s.method, str(s.members.n), _score(s.members.accuracy),
                      _score(s.members.brier), _score(s.members.log_loss),
                      _score(s.results.brier_adopted), _score(s.results.brier_vetoed))
    console.print(table)
    console.print(result.note, highlight=False)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@guarded
def score(
    file: Path = FileArg,
    samples: int = typer.Option(
        2000, "--samples", "-n", min=1,
        help="Monte Carlo draws for each dated P(ZOPA) forecast."),
    seed: int | None = SeedOpt,
    as_json: bool = JsonOpt,
    output: Path | None = OutputOpt,
    store: Path | None = StoreOpt,
    no_store: bool = NoStoreOpt,
) -> None:
    """Score dated forecasts (P(ZOPA) per event date, vote predictions) against what happened."""
    from zopa import app
    from zopa.cli.progress import watching

    scenario = load(file)
    quiet = as_json or output is not None
    with watching("score", quiet=quiet, store=store, no_store=no_store,
                  scenario_file=file) as progress:
        result = app.score(scenario, samples=samples, seed=seed, file=str(file),
                           progress=progress)
    deliver(result, as_json=as_json, output=output, command="score",
            render=render_score,
            store=store, no_store=no_store, scenario_file=file)


def render_score(result: ScoreResult) -> None:
    """Each dated forecast with its outcome, the Brier score, and the vote backtest's."""
    if result.forecasts:
        table = new_table("date", "P(ZOPA)", "resolved by", "outcome",
                          title="Dated forecasts of an agreement, scored")
        for f in result.forecasts:
            table.add_row(f.date, f"{f.p_zopa:.2f} ± {f.p_zopa_se:.2f}", f.resolved_by,
                          f.outcome)
        console.print(table)
        brier = result.brier_zopa
        console.print(f"Brier score of P(ZOPA) as a forecast of agreement: "
                      f"{'-' if brier is None else f'{brier:.3f}'} (0 best, 1 worst)",
                      highlight=False)
    if result.votes is not None:
        render_backtest(result.votes)
    console.print(result.note, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``backtest`` and ``score`` (``vote fit`` joins the ``vote`` group)."""
    app.command()(backtest)
    app.command()(score)

