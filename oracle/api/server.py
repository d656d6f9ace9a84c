"""uvicorn as `oracle api` and `oracle node run` (with ORACLE_SERVE_API) run it.

uvicorn's fast stack by default: the uvloop event loop and the httptools parser (both installed with the
project). `oracle api --workers N` runs N processes on one listening socket; each builds its own runtime
from the same settings (`worker_app`), so state they must share lives in the store: API keys, webhook
deliveries (claimed under a lease) and the rate limits' token buckets.

Once the app is built, the objects it holds (models, compiled kernels, web3, pydantic schemas: some 400,000)
are moved out of the garbage collector's sight (`gc.freeze`): a full collection otherwise walks them all,
a pause of 100 to 300 ms on this machine in the middle of some request, every few thousand requests.
"""

from __future__ import annotations

import gc
import threading
import time

import uvicorn
from fastapi import FastAPI

LOOP = "uvloop"
HTTP = "httptools"


def freeze_startup_objects() -> None:
    """Collects once, then exempts every object alive now from later collections (they live as long as the
    process: the app and what it loaded)."""
    gc.collect()
    gc.freeze()


def server(app: FastAPI, host: str, port: int, *, loop: str = LOOP, http: str = HTTP) -> uvicorn.Server:
    freeze_startup_objects()
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any loopback peer as the client's
    # address (rate limits keyed on it could be dodged with a rotating header); the app trusts the proxies
    # ORACLE_API_TRUSTED_PROXIES names, and no others (oracle/api/app.py).
    return uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            loop=loop,
            http=http,
            log_config=None,
            access_log=False,
            server_header=False,
            proxy_headers=False,
        )
    )


def run_workers(host: str, port: int, workers: int, *, loop: str = LOOP, http: str = HTTP) -> None:
    """`workers` processes, each serving `worker_app()`; returns when they have stopped (SIGINT / SIGTERM)."""
    uvicorn.run(
        "oracle.api.server:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=loop,
        http=http,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,  # as in server(): only ORACLE_API_TRUSTED_PROXIES are trusted, by the app
    )


def worker_app() -> FastAPI:
    """One worker's app, from the settings `oracle api` left in the environment (ORACLE_CONFIG and ORACLE_*)."""
    import logging

    from oracle import logs
    from oracle.api.request_id import RequestIdLogFilter
    from oracle.config import load_settings
    from oracle.runtime import Runtime

    settings = load_settings()
    logs.configure(settings.log_level, settings.log_json)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdLogFilter())
    app: FastAPI = Runtime(settings).api_app()
    freeze_startup_objects()
    return app


def serve_in_thread(app: FastAPI, host: str, port: int, startup_timeout: float = 30.0) -> uvicorn.Server:
    """Starts the API beside the node's loop; returns once it listens. Stop it with `server.should_exit = True`."""
    api = server(app, host, port)
    thread = threading.Thread(target=api.run, name="api", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not api.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the HTTP API did not start on {host}:{port}")
        time.sleep(0.02)
    return api
