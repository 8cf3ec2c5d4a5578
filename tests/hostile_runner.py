"""Run many ``zopa`` command lines, each in its own process with a memory limit and a time budget.

Used by tests/test_hostile_corpus.py. Starting ``zopa`` costs about a second of imports (numpy,
scipy, pydantic), too much for a corpus of a hundred cases; so this script imports every zopa
module once and then forks one child per command line. The child limits its address space
(``RLIMIT_AS``), points its stdin at /dev/null and its stdout and stderr at files, and runs
:func:`zopa.cli.app.main`, the console script's entry point, with the case's arguments; the
parent kills a child still running after its budget. Up to ``workers`` children run at once.

Reads ``{"memory": BYTES, "workers": N, "cases": [{"id", "argv", "seconds", "folder"}]}`` as
JSON on stdin; writes ``{id: {"code": int | null, "seconds", "max_rss_mib"}}`` as JSON on
stdout (``code`` null: killed at its budget; the output is in the case's folder).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def preload() -> None:
    """Import every zopa module (and so numpy, scipy, pydantic, typer, rich, yaml)."""
    import zopa

    for module in pkgutil.walk_packages(zopa.__path__, "zopa."):
        importlib.import_module(module.name)
    import rich.console
    import rich.table

    del rich


def child(case: dict[str, Any], memory: int) -> None:
    """In the forked child: run the case and end the process (never returns)."""
    code = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        folder = case["folder"]
        Path(folder).mkdir(parents=True, exist_ok=True)
        for fd, name, flags in ((0, os.devnull, os.O_RDONLY),
                                (1, f"{folder}/stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, f"{folder}/stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            os.dup2(os.open(name, flags, 0o600), fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # each case its own run store: cases run at once would otherwise wait for each other's
        # (and say so on stderr), which is the store's behaviour, not what a case tests
        os.environ["ZOPA_STORE"] = f"{folder}/runs.duckdb"
        sys.argv = ["zopa", *case["argv"]]
        from zopa.cli.app import main

        main()  # ends the process itself (os._exit) after any SystemExit
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # what the interpreter would print for an uncaught exception
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def run_all(cases: list[dict[str, Any]], memory: int, workers: int) -> dict[str, Any]:
    """Fork the cases, at most ``workers`` at once; their exit codes, times and peak memory."""
    pending = list(cases)
    running: dict[int, tuple[dict[str, Any], float]] = {}
    killed: set[int] = set()
    results: dict[str, Any] = {}
    while pending or running:
        while pending and len(running) < workers:
            case = pending.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                child(case, memory)
            running[pid] = (case, time.perf_counter())
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid:
            case, start = running.pop(pid)
            results[case["id"]] = {
                "code": None if pid in killed else os.waitstatus_to_exitcode(status),
                "seconds": time.perf_counter() - start,
                "max_rss_mib": usage.ru_maxrss / 1024,
            }
            continue
        now = time.perf_counter()
        for pid, (case, start) in running.items():
            if pid not in killed and now - start > case["seconds"]:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.005)
    return results


def main() -> None:
    request = json.load(sys.stdin)
    preload()
    results = run_all(request["cases"], request["memory"], request["workers"])
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
