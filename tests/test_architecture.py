"""The architecture holds: front ends only render, the math stays below them, and importing the
command line loads nothing heavy (checks that can fail, not timings)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "zopa"


def _imports(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in the file names, at any depth."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


CLI = sorted((SRC / "cli").glob("*.py"))
OTHERS = sorted(p for p in SRC.rglob("*.py") if "cli" not in p.relative_to(SRC).parts)


@pytest.mark.parametrize("path", CLI, ids=[p.name for p in CLI])
def test_cli_modules_import_no_math(path: Path) -> None:
    heavy = {m for m in _imports(path) if _top(m) in {"numpy", "scipy"}}
    math_modules = {m for m in _imports(path)
                    if m.startswith(("zopa.models", "zopa.analysis", "zopa.protocols",
                                     "zopa.utility"))}
    assert not heavy and not math_modules, f"{path.name} imports {heavy | math_modules}"


@pytest.mark.parametrize("path", OTHERS, ids=[str(p.relative_to(SRC)) for p in OTHERS])
def test_only_the_cli_imports_typer_or_rich(path: Path) -> None:
    front = {m for m in _imports(path) if _top(m) in {"typer", "rich", "click"}}
    assert not front, f"{path.relative_to(SRC)} imports {front}"


def test_the_import_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import numpy as np\n    from scipy import optimize\n")
    assert {"numpy", "scipy"} <= _imports(bad)


def test_importing_zopa_and_the_cli_loads_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "import zopa, zopa.cli.app\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    loaded = set(json.loads(done.stdout))
    forbidden = [m for m in loaded if _top(m) in {"scipy", "numpy", "pydantic", "duckdb",
                                                   "platformdirs"}
                 or m.startswith(("zopa.models", "zopa.protocols", "zopa.institutions",
                                  "zopa.analysis", "zopa.app", "zopa.scenario", "zopa.store"))]
    assert not forbidden, f"loaded at start-up: {sorted(forbidden)[:10]}"


def test_lazy_public_names_still_work() -> None:
    import zopa

    assert zopa.make_model("median").name == "median"
    assert zopa.load_scenario.__module__ == "zopa.scenario.loader"
    with pytest.raises(AttributeError):
        _ = zopa.no_such_name  # type: ignore[attr-defined]


def test_validating_the_example_loads_no_numpy_or_scipy() -> None:
    code = (
        "import json, sys\n"
        "from zopa.scenario.loader import load_scenario\n"
        "from zopa.scenario.checks import unsourced\n"
        "unsourced(load_scenario('examples/gaza-2024-03.yaml'))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=SRC.parent.parent)
    assert not [m for m in json.loads(done.stdout) if _top(m) in {"scipy", "numpy"}]


def test_validate_never_opens_the_run_store(tmp_path: Path) -> None:
    """``zopa validate`` stores nothing and loads no DuckDB (the store is imported only when a
    run is stored or read)."""
    code = (
        "import json, sys\n"
        "from zopa.cli.app import app\n"
        "try:\n"
        "    app(['validate', 'examples/gaza-2024-03.yaml'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    store = tmp_path / "s.duckdb"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=SRC.parent.parent, env={**os.environ, "ZOPA_STORE": str(store)})
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert not [m for m in loaded if _top(m) == "duckdb" or m.startswith("zopa.store")]
    assert not store.exists()
