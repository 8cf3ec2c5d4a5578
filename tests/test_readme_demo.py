"""The README's demo command runs on the bundled example, and the README says what it shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make demo\b", readme, re.M)
    assert re.search(r"^make test\b", readme, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_runs() -> None:
    """`make demo` with this interpreter's environment (its install step is skipped: done)."""
    bindir = Path(sys.executable).parent
    if not (bindir / "zopa").exists():
        pytest.skip("the zopa console script is not installed in this environment")
    result = subprocess.run(
        ["make", "-s", "-o", "install", "demo", f"BIN={bindir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gaza-2024-03.yaml: ok" in out
    for title in ("Compromise model", "Weighted median", "Nash bargaining solution", "ZOPA of",
                  "Events and what they moved", "over 2,000 draws"):
        assert title in out
    assert "Traceback" not in out + result.stderr


def test_readme_has_doctested_python_examples() -> None:
    """The README's Python examples are doctests (pytest runs README.md with --doctest-glob)."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```pycon\n(.*?)```", readme, re.S)
    assert blocks and all(">>> " in block for block in blocks)
    assert "```python" not in readme  # an untested example would rot
