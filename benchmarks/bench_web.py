"""Load on the web app: N concurrent forecast requests against ``zopa serve`` on localhost.

A uvicorn server runs in a subprocess (``zopa serve --folder examples``); an asyncio client
(httpx) gets the CSRF secret once, then sends ``--requests`` ``POST /api/forecast`` requests all
at once (compromise model, the March 2024 example) and prints the p50/p95/max latency, the
throughput and the number of errors (goal: zero).

    .venv/bin/python benchmarks/bench_web.py [--requests 200] [--model compromise]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ZOPA = str(Path(sys.executable).parent / "zopa")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_up(client: httpx.AsyncClient, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            if (await client.get("/api/session")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > end:
            raise SystemExit("the server did not start")
        await asyncio.sleep(0.1)


async def one(client: httpx.AsyncClient, body: dict[str, object],
              headers: dict[str, str]) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        r = await client.post("/api/forecast", json=body, headers=headers)
        ok = r.status_code == 200 and r.json()["format"] == "zopa.forecast/1"
    except httpx.HTTPError:
        ok = False
    return time.perf_counter() - start, ok


async def run(base: str, n: int, model: str) -> None:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await wait_up(client)
        csrf = (await client.get("/api/session")).json()["csrf"]
        headers = {"X-Zopa-CSRF": csrf}
        body = {"file": "gaza-2024-03.yaml", "model": model}
        await one(client, body, headers)  # warm-up: the scenario is loaded and cached
        start = time.perf_counter()
        found = await asyncio.gather(*(one(client, body, headers) for _ in range(n)))
        wall = time.perf_counter() - start
    times = sorted(t for t, _ in found)
    errors = sum(not ok for _, ok in found)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"{n} concurrent POST /api/forecast ({model}), the March 2024 example")
    print(f"p50: {statistics.median(times) * 1000:.0f} ms")
    print(f"p95: {p95 * 1000:.0f} ms")
    print(f"max: {times[-1] * 1000:.0f} ms")
    print(f"throughput: {n / wall:.1f} requests/s ({wall:.2f} s for all)")
    print(f"errors: {errors}")
    if errors:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--model", default="compromise")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([ZOPA, "serve", "--port", str(port), "--folder",
                               str(ROOT / "examples")], stderr=subprocess.DEVNULL)
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}", args.requests, args.model))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
