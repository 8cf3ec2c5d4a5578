"""Ctrl-C stops a long command cleanly: exit code 130, one line, no traceback, no output file."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EU = str(ROOT / "examples" / "eu-recovery-2020.yaml")


def test_ctrl_c_during_a_long_negotiation(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    zopa = Path(sys.executable).parent / "zopa"
    process = subprocess.Popen(
        [str(zopa), "negotiate", EU, "--runs", "5000000", "--rounds", "100", "--summary-only",
         "-o", str(target)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(3.0)  # well into the runs: the whole batch takes minutes
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.fullmatch(r"interrupted after [\d,]+ of 5,000,000 runs; no result was written",
                        lines[0]), err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either
