"""A corpus of hostile inputs per command (issue 10), each run as a user would run it.

Every command gets each class of attack that applies to it: hostile files (a FIFO, /dev/zero,
binary data, Latin-1 text, an XML file in an unknown encoding, a CSV cell past the csv module's
limit), huge requests (rounds, runs and negotiations of 10^9, outcome spaces past the limit, big
valid scenarios and bodies), numeric extremes (ranges of +-1e308, integers of 5,000 digits,
negative and huge seeds, infinite and NaN parameters) and the smaller ones (terminal escapes and
control characters in names, cells, arguments and file names; outputs that cannot be written).

Each case runs zopa's command line in its own process (forked by tests/hostile_runner.py after
the imports, which would otherwise cost a second a case), with its address space limited to
:data:`MEMORY` (``RLIMIT_AS``), and is killed after its stated time budget (the table's seconds,
wall time on a CI machine of 2 cores running :data:`WORKERS` cases at once); a few cases also
run as a fresh ``zopa`` process, which must end the same way. It must end with
exit code 0 or 2, print no traceback and no raw control character, and on exit 2 say what is
wrong in one line on stderr (click's usage errors: their ``Error:`` line). The budgets are listed
in docs/limits.md. The corpus is built in a temporary folder; inputs kept from the attack itself
live in tests/data/hostile/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from test_budgets import assembly, genius_folder, synthetic

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile"
TRUCE = ROOT / "tests" / "data" / "genius" / "Truce"
ZOPA = str(Path(sys.executable).parent / "zopa")
MEMORY = 2 * 2**30
"""Address space of every case (bytes): the kernel refuses any allocation beyond it."""
WORKERS = 3
"""Cases run at once."""
QUICK = 30.0
"""Time budget (s) of a case refused at once or run on a small input."""
WORK = 60.0
"""Time budget (s) of a case that does real work on a big but valid input."""

NEEDS_FIFO = hasattr(os, "mkfifo")
NEEDS_DEV_ZERO = Path("/dev/zero").exists()

GAZA = "{root}/examples/gaza-2024-03.yaml"
RECORD = "{root}/examples/records/unsc-gaza-2023-2024.yaml"
EU = "{root}/examples/eu-recovery-2020.yaml"
DRAFT = ["--draft", "draft_res_2728"]
EVENT = ["--event", "unsc_res_2728"]
ESC = "\x1b[31mred\x07"
STORE = "{c}/store.duckdb"
"""A run store whose runs carry terminal escapes in every text (built by _write_store)."""


@dataclass(frozen=True)
class Case:
    """One command line of the corpus: ``{c}`` in an argument is the corpus folder."""

    id: str
    argv: tuple[str, ...]
    seconds: float = QUICK
    needs: str = ""  # "fifo" or "dev-zero" when the case needs one

    def args(self, corpus: Path) -> list[str]:
        return [a.format(c=corpus, root=ROOT) for a in self.argv]


def case(id: str, *argv: str, seconds: float = QUICK, needs: str = "") -> Case:
    return Case(id, argv, seconds, needs)


CASES = [
    # --- validate: every hostile file class of the scenario reader ----------------------------
    case("validate-fifo", "validate", "{c}/fifo.yaml", needs="fifo"),
    case("validate-dev-zero", "validate", "/dev/zero", needs="dev-zero"),
    case("validate-binary", "validate", "{c}/binary.yaml"),
    case("validate-latin1", "validate", "{c}/latin1.yaml"),
    case("validate-5000-digits", "validate", "{c}/digits.yaml"),
    case("validate-range-1e308", "validate", "{c}/range_1e308.yaml"),
    case("validate-control-names", "validate", "{c}/control_names.yaml"),
    case("validate-escape-file-name", "validate", "{c}/esc\x1b[2J\x07.yaml"),
    case("validate-200x60", "validate", "{c}/s200x60.yaml", seconds=WORK),
    # --- show ------------------------------------------------------------------------------------
    case("show-fifo", "show", "{c}/fifo.yaml", needs="fifo"),
    case("show-binary", "show", "{c}/binary.yaml"),
    case("show-control-names", "show", "{c}/control_names.yaml"),
    case("show-5000-digits", "show", "{c}/digits.yaml"),
    # --- schema ----------------------------------------------------------------------------------
    case("schema-escape-result", "schema", "--result", ESC),
    case("schema-empty-result", "schema", "--result", ""),
    # --- forecast --------------------------------------------------------------------------------
    case("forecast-dev-zero", "forecast", "/dev/zero", needs="dev-zero"),
    case("forecast-latin1", "forecast", "{c}/latin1.yaml"),
    case("forecast-rounds-1e9-text", "forecast", GAZA, "--model", "bdm", "--rounds", "1e9"),
    case("forecast-bdm-rounds-1e9", "forecast", GAZA, "--model", "bdm", "--rounds", "1000000000"),
    case("forecast-exchange-rounds-1e9", "forecast", GAZA, "--model", "exchange", "--rounds",
         "1000000000"),
    case("forecast-seed-minus-1", "forecast", GAZA, "--seed", "-1"),
    case("forecast-seed-2-200", "forecast", GAZA, "--seed", str(2**200)),
    case("forecast-param-nan", "forecast", GAZA, "--model", "bdm", "--param", "q=nan"),
    case("forecast-param-inf", "forecast", GAZA, "--model", "bdm", "--param", "q=inf", "--json"),
    case("forecast-range-1e308", "forecast", "{c}/range_1e308.yaml", "--json"),
    case("forecast-200x60", "forecast", "{c}/s200x60.yaml", "--json", seconds=WORK),
    case("forecast-2000x3", "forecast", "{c}/s2000x3.yaml", "--json", seconds=WORK),
    case("forecast-50x30-exchange", "forecast", "{c}/s50x30.yaml", "--model", "exchange",
         "--json", seconds=WORK),
    case("forecast-extreme-exchange", "forecast", "{c}/extreme.yaml", "--model", "exchange"),
    case("forecast-extreme-bdm-json", "forecast", "{c}/extreme.yaml", "--model", "bdm", "--json"),
    case("forecast-output-is-a-folder", "forecast", GAZA, "-o", "{c}"),
    # --- zone ------------------------------------------------------------------------------------
    case("zone-fifo", "zone", "{c}/fifo.yaml", needs="fifo"),
    case("zone-range-1e308", "zone", "{c}/range_1e308.yaml"),
    case("zone-escape-actors", "zone", GAZA, "--actors", ESC),
    case("zone-extreme", "zone", "{c}/extreme.yaml", "--json"),
    case("zone-2000x3", "zone", "{c}/s2000x3.yaml", "--json", seconds=WORK),
    # --- import-genius ---------------------------------------------------------------------------
    case("genius-fifo", "import-genius", "{c}/g_fifo", needs="fifo"),
    case("genius-dev-zero", "import-genius", "{c}/g_zero", needs="dev-zero"),
    case("genius-unknown-encoding", "import-genius", "{c}/g_encoding"),
    case("genius-binary", "import-genius", "{c}/g_binary"),
    case("genius-9x10", "import-genius", "{c}/g_big", "-o", "{c}/out/g_big.yaml"),
    case("genius-empty-folder", "import-genius", "{c}/g_empty"),
    # --- import-table ----------------------------------------------------------------------------
    case("table-fifo", "import-table", "{c}/fifo.csv", needs="fifo"),
    case("table-dev-zero", "import-table", "/dev/zero", needs="dev-zero"),
    case("table-binary", "import-table", "{c}/binary.csv"),
    case("table-latin1", "import-table", "{root}/tests/data/hostile/latin1_table.csv"),
    case("table-huge-cell", "import-table", "{c}/huge_cell.csv"),
    case("table-5000-digits", "import-table", "{c}/digits.csv"),
    case("table-escape-cells", "import-table", "{root}/tests/data/hostile/escape_cells.csv"),
    case("table-empty-issue", "import-table", "{root}/tests/data/import/scholz2011_eu_example.csv",
         "--issue", ""),
    case("table-range-inf", "import-table", "{root}/tests/data/import/scholz2011_eu_example.csv",
         "--range", "-inf,nan"),
    case("table-100000-rows", "import-table", "{c}/rows.csv", "-o", "{c}/out/rows.yaml",
         seconds=WORK),
    # --- import-decide ---------------------------------------------------------------------------
    case("decide-fifo", "import-decide", "{c}/fifo.txt", needs="fifo"),
    case("decide-latin1", "import-decide", "{root}/tests/data/hostile/decide_latin1.txt"),
    case("decide-binary", "import-decide", "{c}/binary.txt"),
    case("decide-infinite-power", "import-decide",
         "{root}/tests/data/hostile/decide_infinite_power.txt"),
    case("decide-5000-digits", "import-decide", "{c}/digits.txt"),
    # --- negotiate -------------------------------------------------------------------------------
    case("negotiate-binary", "negotiate", "{c}/binary.yaml"),
    case("negotiate-runs-1e9", "negotiate", GAZA, "--runs", "1000000000"),
    case("negotiate-runs-1e9-text", "negotiate", GAZA, "--runs", "1e9"),
    case("negotiate-rounds-1e9", "negotiate", GAZA, "--rounds", "1000000000", "--runs", "100",
         "--summary-only"),
    case("negotiate-seed-minus-1", "negotiate", GAZA, "--seed", "-1"),
    case("negotiate-noise-inf", "negotiate", GAZA, "--reservation-noise", "inf"),
    case("negotiate-genius-9x10", "negotiate", "{c}/g_big"),
    case("negotiate-range-1e308", "negotiate", "{c}/range_1e308.yaml"),
    case("negotiate-extreme", "negotiate", "{c}/extreme.yaml", "--runs", "20", "--json"),
    case("negotiate-escape-strategy", "negotiate", GAZA, "--strategy", ESC),
    # --- analyze ---------------------------------------------------------------------------------
    case("analyze-fifo", "analyze", "{c}/fifo.yaml", needs="fifo"),
    case("analyze-resolution-1e9", "analyze", GAZA, "--resolution", "1000000000"),
    case("analyze-genius-9x10", "analyze", "{c}/g_big"),
    case("analyze-extreme", "analyze", "{c}/extreme.yaml"),
    case("analyze-range-1e308", "analyze", "{c}/range_1e308.yaml", "--json"),
    # --- power -----------------------------------------------------------------------------------
    case("power-fifo", "power", "{c}/fifo.yaml", needs="fifo"),
    case("power-escape-builtin", "power", "--builtin", ESC),
    case("power-1000-members", "power", "{c}/body1000.yaml", "--json", seconds=WORK),
    case("power-unknown-method", "power", GAZA, "--method", "nope"),
    # --- vote ------------------------------------------------------------------------------------
    # --- timeline, compare, sensitivity: dates, branches, draws and designs ----------------
    case("timeline-binary", "timeline", "{c}/binary.yaml"),
    case("timeline-as-of-bad", "timeline", GAZA, "--as-of", "2024-02-30"),
    case("timeline-as-of-early", "timeline", GAZA, "--as-of", "1900-01-01"),
    case("timeline-samples-1e9", "timeline", GAZA, "--samples", "1000000000"),
    case("timeline-samples-seed-minus-1", "timeline", GAZA, "--samples", "10", "--seed", "-1"),
    case("timeline-escape-branch", "timeline", GAZA, "--branch", ESC),
    case("timeline-range-1e308", "timeline", "{c}/range_1e308.yaml", "--samples", "50"),
    case("compare-unknown-branch", "compare", GAZA, "-b", "history", "-b", "nope"),
    case("compare-nine-branches", "compare", GAZA, *(["-b", "history"] * 9)),
    case("compare-samples-huge", "compare", GAZA, "--samples", "999999999999"),
    case("sensitivity-no-output", "sensitivity", GAZA, "--output", "nothing"),
    case("sensitivity-sobol-huge", "sensitivity", GAZA, "--output", "gap", "--method", "sobol",
         "--samples", "1000000000"),
    case("sensitivity-escape-issue", "sensitivity", GAZA, "--output", f"forecast:{ESC}"),
    case("sensitivity-binary", "sensitivity", "{c}/binary.yaml", "--output", "zopa"),
    case("sensitivity-no-inputs", "sensitivity", "{c}/range_1e308.yaml", "--output", "zopa"),
    case("vote-binary", "vote", "{c}/binary.yaml", *DRAFT),
    case("vote-param-nan", "vote", GAZA, *DRAFT, "--param", "beta=nan"),
    case("vote-param-inf-json", "vote", GAZA, *DRAFT, "--param", "beta=inf", "--json"),
    case("vote-10000-members", "vote", "{c}/assembly10000.yaml", "--draft", "d"),
    case("vote-escape-set", "vote", GAZA, *EVENT, "--set", f"{ESC}=yes"),
    case("vote-record-only-no-draft", "vote", RECORD, "--draft", ESC),
    case("vote-record-and-samples", "vote", GAZA, "--draft", "draft_s_2024_239", "--samples", "5"),
    case("vote-record-file-missing", "vote", "{c}/gaza_lost_record.yaml", "--draft",
         "draft_s_2024_239"),
    # --- vote fit, backtest, score: records ------------------------------------------------------
    case("vote-fit-fifo", "vote", "fit", "{c}/fifo.yaml", needs="fifo"),
    case("vote-fit-binary", "vote", "fit", "{c}/binary.yaml"),
    case("vote-fit-bad-date", "vote", "fit", RECORD, "--as-of", "2024-02-30"),
    case("vote-fit-tau-nan", "vote", "fit", RECORD, "--tau", "nan"),
    case("vote-fit-escape-body", "vote", "fit", RECORD, "--body", ESC),
    case("vote-fit-1001-members", "vote", "fit", "{c}/record1001.yaml"),
    case("vote-fit-no-votes", "vote", "fit", EU),
    case("backtest-fifo", "backtest", "{c}/fifo.yaml", needs="fifo"),
    case("backtest-latin1", "backtest", "{c}/latin1.yaml"),
    case("backtest-tau-zero", "backtest", RECORD, "--tau", "0"),
    case("backtest-1001-members", "backtest", "{c}/record1001.yaml", "--json"),
    case("backtest-long-record", "backtest", "{c}/record_long.yaml"),
    case("backtest-output-is-a-folder", "backtest", RECORD, "-o", "{c}"),
    case("score-binary", "score", "{c}/binary.yaml"),
    case("score-samples-1e9", "score", GAZA, "--samples", "1000000000"),
    case("score-seed-2-200", "score", GAZA, "--samples", "20", "--seed", str(2**200)),
    case("score-nothing", "score", EU),
    case("score-record-only", "score", RECORD, "--json", seconds=WORK),
    # --- compare-decision ------------------------------------------------------------------------
    case("compare-latin1", "compare-decision", "{c}/latin1.yaml", *EVENT),
    case("compare-negotiate-1e9", "compare-decision", GAZA, *EVENT, "--negotiate",
         "1000000000"),
    case("compare-seed-minus-1", "compare-decision", GAZA, *EVENT, "--seed", "-1"),
    case("compare-rounds-1e9", "compare-decision", GAZA, *EVENT, "--model", "bdm", "--rounds",
         "1000000000"),
    case("compare-escape-results", "compare-decision", GAZA, *EVENT, "--results", ESC),
    # --- models ----------------------------------------------------------------------------------
    case("models-escape-kind", "models", "--kind", ESC),
    case("models-output-is-a-folder", "models", "--json", "-o", "{c}"),
    # --- serve, report: the web front end (its requests: tests/test_web_api.py) ------------------
    case("serve-no-folder", "serve", "--folder", "{c}/no-such-folder"),
    case("serve-folder-is-a-file", "serve", "--folder", "{c}/binary.yaml"),
    case("serve-escape-folder", "serve", "--folder", f"{{c}}/{ESC}"),
    case("serve-port-out-of-range", "serve", "--port", "70000"),
    case("report-binary", "report", "{c}/binary.yaml", "-o", "{c}/out/r.html"),
    case("report-fifo", "report", "{c}/fifo.yaml", "-o", "{c}/out/r.html", needs="fifo"),
    case("report-samples-1e9", "report", GAZA, "--samples", "1000000000", "-o",
         "{c}/out/r.html"),
    case("report-escape-branch", "report", GAZA, "--samples", "0", "--branch", ESC, "-o",
         "{c}/out/r.html"),
    case("report-output-is-a-folder", "report", GAZA, "--samples", "0", "-o", "{c}"),
    case("report-format-pdf", "report", GAZA, "--format", "pdf", "-o", "{c}/out/r.pdf"),
    # --- runs: the run store, and the store option of the commands that write to it ----------
    case("runs-list-escapes-in-the-store", "runs", "list", "--store", STORE),
    case("runs-list-json", "runs", "list", "--store", STORE, "--json"),
    case("runs-list-no-store-yet", "runs", "list", "--store", "{c}/no-such.duckdb"),
    case("runs-list-binary-store", "runs", "list", "--store", "{c}/binary.yaml"),
    case("runs-list-fifo-store", "runs", "list", "--store", "{c}/fifo.yaml", needs="fifo"),
    case("runs-list-dev-zero-store", "runs", "list", "--store", "/dev/zero", needs="dev-zero"),
    case("runs-list-folder-store", "runs", "list", "--store", "{c}"),
    case("runs-list-scenario-fifo", "runs", "list", "--store", STORE, "--scenario",
         "{c}/fifo.yaml", needs="fifo"),
    case("runs-list-escape-command", "runs", "list", "--store", STORE, "--command", ESC),
    case("runs-show-escapes", "runs", "show", "1", "--store", STORE),
    case("runs-show-huge-id", "runs", "show", "9" * 5000, "--store", STORE),
    case("runs-show-id-2-63", "runs", "show", str(2**63), "--store", STORE),
    case("runs-show-negative", "runs", "show", "-1", "--store", STORE),
    case("runs-compare-escapes", "runs", "compare", "1", "2", "--store", STORE),
    case("runs-compare-missing", "runs", "compare", "1", "99", "--store", STORE),
    case("runs-export-escape-name", "runs", "export", "--all", "-o", f"{{c}}/out/{ESC}.csv",
         "--store", STORE),
    case("runs-export-no-folder", "runs", "export", "1", "-o", "{c}/nope/x.parquet", "--store",
         STORE),
    case("runs-export-ids-and-all", "runs", "export", "1", "--all", "-o", "{c}/out/y.parquet",
         "--store", STORE),
    case("runs-gc-keep-huge", "runs", "gc", "--keep", "1" + "0" * 40, "--store",
         "{c}/gc.duckdb"),
    case("runs-gc-keep-negative", "runs", "gc", "--keep", "-1", "--store", "{c}/gc.duckdb"),
    case("zone-store-binary", "zone", GAZA, "--json", "--store", "{c}/binary.yaml"),
    case("zone-store-fifo", "zone", GAZA, "--store", "{c}/fifo.yaml", needs="fifo"),
    case("power-store-escape-name", "power", "--builtin", "un-security-council", "--store",
         f"{{c}}/out/{ESC}.duckdb"),
]


def _write_corpus(c: Path) -> None:
    """The inputs the cases name, in folder ``c``."""
    (c / "out").mkdir()
    if NEEDS_FIFO:
        for name in ("fifo.yaml", "fifo.csv", "fifo.txt"):
            os.mkfifo(c / name)
    noise = bytes(range(256)) * 8
    for name in ("binary.yaml", "binary.csv", "binary.txt"):
        (c / name).write_bytes(noise)
    (c / "latin1.yaml").write_bytes("meta: {title: Caf\u00e9, as_of: 2024-01-01}\n"
                                    .encode("latin-1"))
    digits = "9" * 5000
    (c / "digits.yaml").write_text(
        (HOSTILE / "long_integer.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (c / "digits.csv").write_text(f"actor,capability,position,salience\nA,1,{digits},0.5\n"
                                  "B,1,2,0.5\n", encoding="utf-8")
    (c / "digits.txt").write_text(f"#A\tX\tX\n#A\tY\tY\n#P\tp\tP\n#D\tX\tp\t5\t0.5\t{digits}\n"
                                  "#D\tY\tp\t40\t0.5\t1\n", encoding="utf-8")
    (c / "huge_cell.csv").write_text("actor,capability,position,salience\n"
                                     f"{'A' * 200_000},1,2,0.5\nB,1,3,0.5\n", encoding="utf-8")
    rows = "".join(f"A{i},{1 + i % 7},{i % 101},0.5\n" for i in range(100_000))
    (c / "rows.csv").write_text("actor,capability,position,salience\n" + rows, encoding="utf-8")
    # scenarios
    far = yaml.safe_load(synthetic(c / "range_1e308.yaml", parties=2, issues=1).read_text())
    far["issues"][0]["range"] = [-1e308, 1e308]
    (c / "range_1e308.yaml").write_text(yaml.safe_dump(far, sort_keys=False), encoding="utf-8")
    named = yaml.safe_load(synthetic(c / "control_names.yaml", parties=3, issues=2).read_text())
    named["meta"]["title"] = f"title {ESC}\x00\x9b"
    for actor in named["actors"]:
        actor["name"] = f"{actor['name']} \x1b]0;pwned\x07\x1b[2J\r\u202e"
    named["issues"][0]["name"] = "issue\x1b[1A\x08"
    (c / "control_names.yaml").write_text(yaml.safe_dump(named, sort_keys=False,
                                                         allow_unicode=True), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "gaza-2024-03.yaml", c / "esc\x1b[2J\x07.yaml")
    _write_extreme(c / "extreme.yaml")
    for parties, issues in ((200, 60), (2000, 3), (50, 30)):
        synthetic(c / f"s{parties}x{issues}.yaml", parties=parties, issues=issues)
    _write_bodies(c)
    _write_records(c)
    _write_genius(c)
    _write_store(c)


def _write_extreme(path: Path) -> None:
    """Valid numbers at the edges: scales of +-1e12, capabilities from 5e-324 to 1e12,
    saliences from the smallest float up (the exchange model's ratios overflow on them)."""
    doc = yaml.safe_load(synthetic(path, parties=4, issues=3).read_text())
    for k, actor in enumerate(doc["actors"]):
        actor["capability"] = [1e12, 1e-12, 1e12, 5e-324][k]
        actor["batna"] = [0.0, 1.0, 0.0, 1.0][k]
    for issue in doc["issues"]:
        issue["range"] = [-1e12, 1e12]
    for k, stances in enumerate(doc["positions"].values()):
        for j, position in enumerate(stances.values()):
            position["ideal"] = [-1e12, 1e12, 0.0, 1e12 - 1][k]
            position["salience"] = [1.0, 1e-300, 5e-324, 1.0][(k + j) % 4]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _write_records(c: Path) -> None:
    """A record of 1,001 members (past the fit's limit), one of 1,000 votes (past the
    backtest's), and the March 2024 example whose record file is gone."""
    members = [{"id": f"m{i}"} for i in range(1001)]
    record = {
        "meta": {"title": "Huge body", "as_of": "2024-01-01"},
        "issues": [{"id": "x", "name": "X", "options": ["no", "yes"]}],
        "status_quo": {"x": "no"},
        "bodies": [{"id": "b", "name": "B", "members": members,
                    "rule": {"quota": 501, "basis": "votes"}}],
        "drafts": [{"id": "d", "body": "b", "point": {"x": "yes"}, "sponsors": ["m0"]}],
        "events": [{"id": "v", "date": "2023-12-01", "type": "vote", "title": "Vote",
                    "body": "b", "draft": "d", "votes": {"m0": "yes", "m1": "no"}}],
    }
    (c / "record1001.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    small = dict(record, bodies=[dict(record["bodies"][0], members=members[:15],
                                      rule={"quota": 8, "basis": "votes"})])
    small["events"] = [
        {"id": f"v{i}", "date": str(dt.date(2020, 1, 1) + dt.timedelta(days=i)), "type": "vote",
         "title": "Vote", "body": "b", "draft": "d", "votes": {"m0": "yes", "m1": "no"}}
        for i in range(1000)]
    (c / "record_long.yaml").write_text(yaml.safe_dump(small, sort_keys=False),
                                        encoding="utf-8")
    text = (ROOT / "examples" / "gaza-2024-03.yaml").read_text(encoding="utf-8")
    (c / "gaza_lost_record.yaml").write_text(
        text.replace("records/unsc-gaza-2023-2024.yaml", "records/gone.yaml"), encoding="utf-8")


def _write_store(c: Path) -> None:
    """Two stored runs with escapes in their command, arguments, scenario and results, and a
    store for gc."""
    import duckdb

    from zopa.store import schema

    for name in ("store.duckdb", "gc.duckdb"):
        with duckdb.connect(str(c / name)) as con:
            schema.create(con)
            con.execute("INSERT INTO scenarios VALUES (?, ?, ?, ?)", ["h", ESC, ESC, ESC])
            for run in (1, 2):
                con.execute(
                    "INSERT INTO runs (id, command, argv, scenario_hash, model, params, seed, "
                    "started, status, result) VALUES (nextval('run_ids'), ?, ?, 'h', ?, ?, ?, "
                    "now()::TIMESTAMP, 'done', ?)",
                    [ESC, json.dumps([ESC]), ESC, json.dumps({ESC: ESC, "n": run}), ESC,
                     json.dumps({"format": ESC})])
                con.execute("INSERT INTO outcomes (run_id, issue, value, label) VALUES "
                            "(?, ?, ?, ?)", [run, ESC, run, ESC])


def _write_bodies(c: Path) -> None:
    weights = [1 + i % 10 for i in range(1000)]
    members = [{"id": f"m{i}", "weight": w} for i, w in enumerate(weights)]
    total = sum(weights)
    (c / "body1000.yaml").write_text(yaml.safe_dump({"body": {
        "id": "b", "name": "B", "members": members,
        "rule": {"quota": total // 2 + 1, "basis": "votes"}}}), encoding="utf-8")
    assembly(c / "assembly10000.yaml", 10_000)


def _write_genius(c: Path) -> None:
    def truce(name: str) -> Path:
        folder = c / name
        shutil.copytree(TRUCE, folder)
        return folder

    if NEEDS_FIFO:
        os.mkfifo(truce("g_fifo") / "zz_pipe.xml")
    if NEEDS_DEV_ZERO:
        (truce("g_zero") / "zero.xml").symlink_to("/dev/zero")
    shutil.copy(HOSTILE / "unknown_encoding.xml", truce("g_encoding") / "truce_party_c.xml")
    (truce("g_binary") / "truce_party_c.xml").write_bytes(bytes(range(256)) * 8)
    genius_folder(c / "g_big", issues=9, values=10)
    (c / "g_empty").mkdir()


@dataclass(frozen=True)
class Outcome:
    """How a case ended."""

    code: int | None  # None: killed at its time budget
    seconds: float
    max_rss_mib: float
    stdout: str
    stderr: str


RUNNER = Path(__file__).with_name("hostile_runner.py")
ENV = {**os.environ, "COLUMNS": "100", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "PYTHONPATH": str(ROOT / "src")}


def _runnable(c: Case) -> bool:
    return (c.needs != "fifo" or NEEDS_FIFO) and (c.needs != "dev-zero" or NEEDS_DEV_ZERO)


def run_cases(cases: list[Case], corpus: Path, runs: Path) -> dict[str, Outcome]:
    """Each case's outcome: run by tests/hostile_runner.py, one forked process a case."""
    request = {"memory": MEMORY, "workers": WORKERS, "cases": [
        {"id": c.id, "argv": c.args(corpus), "seconds": c.seconds, "folder": str(runs / c.id)}
        for c in sorted(cases, key=lambda c: -c.seconds)]}  # the long ones first
    done = subprocess.run([sys.executable, str(RUNNER)], input=json.dumps(request),
                          capture_output=True, text=True, env=ENV, timeout=600, check=True)
    results = json.loads(done.stdout)

    def read(c: Case, name: str) -> str:
        return (runs / c.id / name).read_text(encoding="utf-8", errors="replace")

    return {c.id: Outcome(results[c.id]["code"], results[c.id]["seconds"],
                          results[c.id]["max_rss_mib"], read(c, "stdout"), read(c, "stderr"))
            for c in cases}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    _write_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def outcomes(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every runnable case's outcome."""
    return run_cases([c for c in CASES if _runnable(c)], corpus,
                     tmp_path_factory.mktemp("runs"))


def _error_lines(stderr: str) -> list[str]:
    """What a failing command said is wrong: its lines on stderr but notes, and of click's usage
    errors only the ``Error:`` line."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("note: ")]
    if any(ln.startswith("Error: ") for ln in lines):
        return [ln for ln in lines if ln.startswith("Error: ")]
    return lines


def test_the_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_command_is_attacked() -> None:
    from zopa.cli.app import app

    commands = {c.name or (c.callback.__name__ if c.callback else "")
                for c in app.registered_commands}
    attacked = {c.argv[0] for c in CASES}
    assert {name.replace("_", "-") for name in commands} <= attacked
    for group in app.registered_groups:  # `zopa vote fit`; `zopa vote FILE` is `vote predict`
        assert group.typer_instance is not None
        subcommands = {c.name for c in group.typer_instance.registered_commands}
        hit = {c.argv[1] if c.argv[1] in subcommands else "predict"
               for c in CASES if c.argv[0] == group.name}
        assert subcommands <= hit, group.name


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_hostile_case(c: Case, outcomes: dict[str, Outcome]) -> None:
    if not _runnable(c):
        pytest.skip(f"needs {c.needs}")
    done = outcomes[c.id]
    said = f"{c.id}: exit {done.code} in {done.seconds:.1f} s\n{done.stderr[-2000:]}"
    assert done.code is not None, f"{c.id}: still running after its budget of {c.seconds:g} s"
    assert done.code in (0, 2), said
    assert "Traceback" not in done.stderr + done.stdout, said
    assert "Warning:" not in done.stderr, said  # numpy's or Python's raw warnings
    assert "\x1b" not in done.stderr + done.stdout, said
    assert "\x07" not in done.stderr + done.stdout, said
    if done.code == 2:
        lines = _error_lines(done.stderr)
        assert len(lines) == 1, said
        assert lines[0].isprintable(), said


FRESH = ["validate-fifo", "forecast-seed-minus-1", "negotiate-runs-1e9", "show-control-names"]


def test_a_fresh_process_ends_as_the_forked_one(corpus: Path, outcomes: dict[str, Outcome]
                                                ) -> None:
    """The runner's forked processes behave as the ``zopa`` program started afresh."""
    for c in (c for c in CASES if c.id in FRESH and _runnable(c)):
        fresh = subprocess.run([ZOPA, *c.args(corpus)], capture_output=True, text=True,
                               env=ENV, stdin=subprocess.DEVNULL, timeout=c.seconds,
                               check=False)
        forked = outcomes[c.id]
        assert (fresh.returncode, fresh.stdout, fresh.stderr) == (
            forked.code, forked.stdout, forked.stderr), c.id


def test_numeric_warnings_become_one_line_notes(outcomes: dict[str, Outcome]) -> None:
    """The exchange model's ratios overflow on saliences of 5e-324: a note says so, in one line,
    instead of numpy's two-line warning naming a source file."""
    notes = [ln for ln in outcomes["forecast-extreme-exchange"].stderr.splitlines()
             if ln.startswith("note: ")]
    assert notes and all("went beyond floating point" in ln for ln in notes), notes
