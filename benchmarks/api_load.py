"""Load generator for benchmarks/api.py, run as its own process: `concurrency` keep-alive HTTP/1.1
connections on uvloop, each sending a request, reading the whole answer, and sending the next, for a fixed
time after a warm-up. Requests are pre-encoded bytes and answers are read by Content-Length, so the client
costs a few tens of microseconds per request (aiohttp, which came before, topped out near 1,100 requests/s
on this machine against a do-nothing route; httpx near 200).

    python -m benchmarks.api_load URL KEY BODIES_JSON --concurrency 16 --seconds 10 [--warmup 2] [--path ...]
    python -m benchmarks.api_load URL KEY - --method GET --path /healthz ...

Prints (or writes to --out) one JSON object: completed requests, non-200 answers, seconds measured and every latency (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit

import uvloop


def _requests(args: argparse.Namespace, host: str) -> list[bytes]:
    head = f"{args.method} {args.path} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {args.key}\r\n"
    if args.method == "GET":
        return [(head + "\r\n").encode()]
    bodies = [json.dumps(body, separators=(",", ":")).encode() for body in json.loads(open(args.bodies).read())]
    return [
        (head + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        for body in bodies
    ]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError(f"answer without Content-Length: {head[:200]!r}")


async def _run(args: argparse.Namespace) -> dict:
    url = urlsplit(args.url)
    requests = _requests(args, url.netloc)
    latencies: list[float] = []
    failures = 0
    measuring = False

    async def worker(index: int, stop_at: float) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        i = index
        try:
            while time.perf_counter() < stop_at:
                request = requests[i % len(requests)]
                i += args.concurrency
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_content_length(head))
                elapsed = (time.perf_counter() - started) * 1000
                if measuring:
                    if head[9:12] == b"200":
                        latencies.append(elapsed)
                    else:
                        failures += 1
        finally:
            writer.close()

    warm_until = time.perf_counter() + args.warmup
    await asyncio.gather(*(worker(i, warm_until) for i in range(args.concurrency)))
    measuring = True
    started = time.perf_counter()
    await asyncio.gather(*(worker(i, started + args.seconds) for i in range(args.concurrency)))
    measured = time.perf_counter() - started
    return {"completed": len(latencies), "failures": failures, "seconds": measured, "latencies_ms": latencies}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("bodies", help="JSON file: a list of request bodies, sent in turn ('-' for GET)")
    parser.add_argument("--path", default="/v1/predictions")
    parser.add_argument("--method", default="POST", choices=["POST", "GET"])
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--out", help="write the JSON here instead of standard output")
    args = parser.parse_args()
    result = json.dumps(uvloop.run(_run(args)))
    if args.out:
        with open(args.out, "w") as out:
            out.write(result)
    else:
        print(result)


if __name__ == "__main__":
    main()
