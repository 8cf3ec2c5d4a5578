"""The command lines whose JSON output is kept as golden files in tests/data/golden/.

Each case is ``(name, argv)``: ``zopa <argv> --json`` on the bundled examples and test data.
``python tests/golden_cases.py --write [NAME...]`` regenerates the files (all, or the named ones;
only when a change of a number is deliberate: docs/json.md must then say what changed).
"""

from __future__ import annotations

GAZA = "examples/gaza-2024-03.yaml"
EU = "examples/eu-recovery-2020.yaml"
RECORD = "examples/records/unsc-gaza-2023-2024.yaml"
TRUCE = "tests/data/genius/Truce"

MODELS = ("compromise", "median", "nash", "bdm", "bdm-scholz", "exchange")

CASES: list[tuple[str, list[str]]] = [
    *[(f"forecast-{m}-gaza", ["forecast", GAZA, "--model", m]) for m in MODELS],
    *[(f"forecast-{m}-eu", ["forecast", EU, "--model", m]) for m in MODELS],
    ("forecast-compromise-gaza-vetoed", ["forecast", GAZA, "-D", "unsc_res_2728=vetoed"]),
    ("zone-gaza", ["zone", GAZA]),
    ("zone-eu", ["zone", EU]),
    ("zone-gaza-actors", ["zone", GAZA, "--actors", "israel,hamas,qatar"]),
    ("analyze-gaza", ["analyze", GAZA, "--resolution", "4"]),
    ("analyze-eu", ["analyze", EU, "--resolution", "4"]),
    ("analyze-truce", ["analyze", TRUCE]),
    ("negotiate-sao-gaza", ["negotiate", GAZA, "--runs", "20", "--seed", "3", "--resolution", "4"]),
    ("negotiate-sao-eu", ["negotiate", EU, "--runs", "20", "--seed", "3", "--resolution", "4",
                          "--reservation-noise", "0.05"]),
    ("negotiate-mediated-eu", ["negotiate", EU, "--protocol", "mediated", "--runs", "10",
                               "--seed", "1", "--resolution", "4"]),
    ("negotiate-truce", ["negotiate", TRUCE, "--runs", "10", "--seed", "2", "-s", "conceder"]),
    ("power-unsc", ["power", "--builtin", "un-security-council"]),
    ("power-eu-qmv", ["power", "--builtin", "eu-council-qmv"]),
    ("power-gaza", ["power", GAZA, "--body", "unsc"]),
    ("power-eu-unanimity", ["power", EU, "--body", "council_unanimity"]),
    ("vote-event-gaza", ["vote", GAZA, "--event", "unsc_res_2728"]),
    ("vote-event-gaza-set", ["vote", GAZA, "--event", "unsc_res_2728",
                             "--set", "united_states=no"]),
    ("vote-draft-gaza", ["vote", GAZA, "--draft", "draft_res_2728"]),
    ("vote-draft-gaza-239", ["vote", GAZA, "--draft", "draft_s_2024_239", "--no-record",
                             "--param", "beta=5"]),
    ("vote-draft-gaza-239-fitted", ["vote", GAZA, "--draft", "draft_s_2024_239"]),
    ("vote-fit-record", ["vote", "fit", RECORD, "--as-of", "2024-03-21"]),
    ("backtest-record", ["backtest", RECORD]),
    ("score-gaza", ["score", GAZA, "--samples", "100", "--seed", "1"]),
    ("timeline-gaza", ["timeline", GAZA]),
    ("timeline-gaza-samples", ["timeline", GAZA, "--samples", "200", "--seed", "1"]),
    ("timeline-gaza-veto-median", ["timeline", GAZA, "--branch", "us_vetoes_2728", "--model",
                                   "median", "--as-of", "2024-03-25"]),
    ("compare-gaza", ["compare", GAZA, "--samples", "100", "--seed", "2"]),
    ("forecast-compromise-gaza-samples", ["forecast", GAZA, "--samples", "200", "--seed", "1",
                                          "--as-of", "2024-03-26"]),
    ("zone-gaza-samples", ["zone", GAZA, "--samples", "100", "--seed", "1"]),
    ("forecast-grid-bdm-gaza", ["forecast", GAZA, "--model", "bdm", "--rounds", "2", "--grid",
                                "q=0.5,1", "--grid", "t=pair", "--samples", "50", "--seed",
                                "1"]),
    ("vote-draft-gaza-samples", ["vote", GAZA, "--draft", "draft_res_2728", "--no-record",
                                 "--samples", "50", "--seed", "1"]),
    ("sensitivity-gaza-gap", ["sensitivity", GAZA, "--output", "gap", "--as-of", "2024-03-20",
                              "--samples", "2"]),
    ("sensitivity-gaza-forecast-sobol", ["sensitivity", GAZA, "--output",
                                         "forecast:ceasefire_days", "--method", "sobol",
                                         "--samples", "64"]),
    ("compare-decision-gaza", ["compare-decision", GAZA, "--event", "unsc_res_2728"]),
    ("compare-decision-gaza-negotiate", ["compare-decision", GAZA, "--event", "unsc_res_2728",
                                         "--model", "median", "--negotiate", "5", "--seed", "1"]),
]

TEXT_CASES: list[tuple[str, list[str]]] = [
    ("import-genius-truce.yaml", ["import-genius", TRUCE, "--as-of", "2024-01-01"]),
    ("import-table-scholz.yaml", ["import-table", "tests/data/import/scholz2011_eu_example.csv",
                                  "--as-of", "2024-01-01"]),
    ("import-decide-sample.yaml", ["import-decide", "tests/data/import/decide_sample_data.txt",
                                   "--as-of", "2024-01-01"]),
]
"""Commands whose text output (a scenario in YAML) is kept as it is."""


if __name__ == "__main__":
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = root / "tests" / "data" / "golden"
    out.mkdir(exist_ok=True)
    zopa = Path(sys.executable).parent / "zopa"
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/golden_cases.py --write")
    only = [a for a in sys.argv[1:] if a != "--write"]  # names to rewrite (default: all)
    for name, argv in CASES:
        if only and name not in only:
            continue
        done = subprocess.run([str(zopa), *argv, "--json"], cwd=root, capture_output=True,
                              text=True, check=True)
        data = json.loads(done.stdout)
        (out / f"{name}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print("wrote", name)
    for name, argv in TEXT_CASES:
        if only and name not in only:
            continue
        done = subprocess.run([str(zopa), *argv], cwd=root, capture_output=True, text=True,
                              check=True)
        (out / name).write_text(done.stdout)
        print("wrote", name)
