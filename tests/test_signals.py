"""Ctrl-C stops a long command cleanly: exit code 130, one line saying how much was done, no
traceback, no output file."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EU = str(ROOT / "examples" / "eu-recovery-2020.yaml")
GAZA = str(ROOT / "examples" / "gaza-2024-03.yaml")


def interrupted(argv: list[str], folder: Path, after: float) -> str:
    """The one line a command writes when SIGINT reaches it ``after`` seconds into its work
    (with ``-o`` a file in ``folder``, which must stay empty)."""
    zopa = Path(sys.executable).parent / "zopa"
    process = subprocess.Popen([str(zopa), *argv, "-o", str(folder / "out.json")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert list(folder.iterdir()) == []  # no output, no temporary file either
    return lines[0]


KEPT = (r"(nothing was stored|the run store kept [\d,]+ chunks \([\d,]+ {unit}\) as run \d+)")
"""What the line says the run store kept (the tests' store is on: tests/conftest.py)."""


def test_ctrl_c_during_a_long_negotiation(tmp_path: Path) -> None:
    line = interrupted([
        "negotiate", EU, "--runs", "5000000", "--rounds", "100", "--summary-only"],
        tmp_path, 3.0)  # well into the runs: the whole batch takes minutes
    assert re.fullmatch(r"interrupted after [\d,]+ of 5,000,000 runs; " + KEPT.format(unit="runs"),
                        line), line


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_during_draws_says_how_many_were_done(tmp_path: Path, workers: str) -> None:
    line = interrupted([
        "timeline", EU, "--samples", "1000000", "--model", "nash", "--workers", workers],
        tmp_path, 6.0)  # nash on the EU example: tens of milliseconds a draw, hours in all
    match = re.fullmatch(r"interrupted after ([\d,]+) of 1,000,000 draws; "
                         + KEPT.format(unit="draws"), line)
    assert match, line
    assert int(match.group(1).replace(",", "")) < 1_000_000
