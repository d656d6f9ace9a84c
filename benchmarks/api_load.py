"""Load generator for benchmarks/api.py, run as its own process: `concurrency` asyncio clients (one shared
aiohttp session, keep-alive connections) POST to the API back to back for a fixed time, after a warm-up.

aiohttp rather than httpx: on this machine httpx.AsyncClient itself tops out near 200 requests/s at 16
connections and 70 at 64 against a do-nothing FastAPI endpoint, where aiohttp does about 1,100.

    python -m benchmarks.api_load URL KEY BODIES_JSON --concurrency 16 --seconds 10 [--warmup 2] [--path ...]

Prints one JSON object: completed requests, non-200 answers, seconds measured and every latency (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp


async def _run(args: argparse.Namespace) -> dict:
    bodies = json.loads(open(args.bodies).read())
    latencies: list[float] = []
    failures = 0
    phase = {"measuring": False}
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(
        args.url, headers={"X-API-Key": args.key}, connector=connector, timeout=timeout
    ) as client:

        async def worker(index: int, stop_at: float) -> None:
            nonlocal failures
            i = index
            while time.perf_counter() < stop_at:
                body = bodies[i % len(bodies)]
                i += args.concurrency
                started = time.perf_counter()
                async with client.post(args.path, json=body) as response:
                    await response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if phase["measuring"]:
                    if response.status == 200:
                        latencies.append(elapsed)
                    else:
                        failures += 1

        warm_until = time.perf_counter() + args.warmup
        await asyncio.gather(*(worker(i, warm_until) for i in range(args.concurrency)))
        phase["measuring"] = True
        started = time.perf_counter()
        await asyncio.gather(*(worker(i, started + args.seconds) for i in range(args.concurrency)))
        measured = time.perf_counter() - started
    return {"completed": len(latencies), "failures": failures, "seconds": measured, "latencies_ms": latencies}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("bodies", help="JSON file: a list of request bodies, sent in turn")
    parser.add_argument("--path", default="/v1/predictions")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    print(json.dumps(asyncio.run(_run(parser.parse_args()))))


if __name__ == "__main__":
    main()
