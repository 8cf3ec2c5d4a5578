"""The store's tables, versioned: :data:`MIGRATIONS` ``[k]`` takes a store from version ``k`` to
``k + 1``; a new store runs them all. ``schema_version`` records each version applied and when.

To change the schema, append a migration (never edit an applied one) and test it on a store of
every earlier version (tests/test_store_schema.py builds them with :func:`create`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zopa.store.connection import StoreError

if TYPE_CHECKING:
    import duckdb

V1 = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL, applied TIMESTAMP NOT NULL)",
    "CREATE SEQUENCE run_ids START 1",
    """CREATE TABLE scenarios (
        hash VARCHAR PRIMARY KEY,      -- sha256 of the file's bytes
        text VARCHAR, title VARCHAR, file_name VARCHAR)""",
    """CREATE TABLE runs (
        id BIGINT PRIMARY KEY, command VARCHAR NOT NULL, argv VARCHAR, kind VARCHAR,
        format VARCHAR, scenario_hash VARCHAR, model VARCHAR, params VARCHAR, seed VARCHAR,
        samples BIGINT, zopa_version VARCHAR, started TIMESTAMP, ended TIMESTAMP,
        duration DOUBLE, status VARCHAR NOT NULL, unit VARCHAR, items_total BIGINT,
        items_done BIGINT)""",
    """CREATE TABLE outcomes (
        run_id BIGINT, variant VARCHAR, issue VARCHAR, value DOUBLE, label VARCHAR,
        low DOUBLE, median DOUBLE, high DOUBLE, zone_low DOUBLE, zone_high DOUBLE,
        zone_empty BOOLEAN)""",
    """CREATE TABLE rounds (
        run_id BIGINT, round INTEGER, actor VARCHAR, issue VARCHAR, value DOUBLE)""",
    """CREATE TABLE timeline (
        run_id BIGINT, branch VARCHAR, step INTEGER, date VARCHAR, event VARCHAR,
        zopa BOOLEAN, gap DOUBLE, margin DOUBLE, p_zopa DOUBLE, p_zopa_se DOUBLE,
        draws BIGINT)""",
    """CREATE TABLE votes (
        run_id BIGINT, body VARCHAR, item VARCHAR, member VARCHAR, basis VARCHAR,
        yes DOUBLE, no DOUBLE, abstain DOUBLE, absent DOUBLE)""",
    """CREATE TABLE chunks (
        run_id BIGINT, chunk INTEGER, start BIGINT, stop BIGINT, name VARCHAR,
        value DOUBLE)""",
)
"""Version 1: runs, scenarios, per-issue outcomes, rounds, timelines, votes, chunks."""

V2 = (
    "ALTER TABLE runs ADD COLUMN result VARCHAR",
    """CREATE TABLE vote_results (
        run_id BIGINT, body VARCHAR, item VARCHAR, adopted DOUBLE, failed DOUBLE,
        vetoed DOUBLE)""",
    """CREATE TABLE negotiations (
        run_id BIGINT, variant VARCHAR, runs BIGINT, agreements BIGINT,
        agreement_rate DOUBLE, timeouts BIGINT, mean_rounds DOUBLE)""",
    """CREATE TABLE negotiation_agents (
        run_id BIGINT, variant VARCHAR, agent VARCHAR, strategy VARCHAR,
        walked_away BIGINT, mean_utility DOUBLE)""",
    """CREATE TABLE backtest_predictions (
        run_id BIGINT, event VARCHAR, date VARCHAR, member VARCHAR, yes DOUBLE, no DOUBLE,
        abstain DOUBLE, actual VARCHAR)""",
    """CREATE TABLE backtest_scores (
        run_id BIGINT, method VARCHAR, n BIGINT, accuracy DOUBLE, brier DOUBLE,
        log_loss DOUBLE)""",
    """CREATE TABLE drivers (
        run_id BIGINT, output VARCHAR, label VARCHAR, first DOUBLE, total DOUBLE,
        mu_star DOUBLE, sigma DOUBLE)""",
    """CREATE TABLE power (
        run_id BIGINT, body VARCHAR, member VARCHAR, shapley_shubik DOUBLE,
        banzhaf DOUBLE, swings BIGINT)""",
)
"""Version 2: the full result JSON on each run; vote results, negotiations, backtests,
sensitivity drivers and voting power."""

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2)
VERSION = len(MIGRATIONS)
"""The schema version this zopa writes."""

TABLES = ("runs", "scenarios", "outcomes", "rounds", "timeline", "votes", "vote_results",
          "chunks", "negotiations", "negotiation_agents", "backtest_predictions",
          "backtest_scores", "drivers", "power")
"""Every data table (``schema_version`` aside), as exported."""


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0: an empty database)."""
    found = con.execute("SELECT count(*) FROM information_schema.tables "
                        "WHERE table_name = 'schema_version'").fetchone()
    if not found or not found[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def create(con: duckdb.DuckDBPyConnection, upto: int = VERSION) -> None:
    """Bring the store to version ``upto``, each migration in its own transaction.

    Raises:
        StoreError: the store was written by a newer zopa (its version is unknown here).
    """
    current = version(con)
    if current > VERSION:
        raise StoreError(f"the run store has schema version {current}, newer than this zopa's "
                         f"({VERSION}); upgrade zopa or use another --store")
    for target in range(current + 1, upto + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[target - 1]:
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [target])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
