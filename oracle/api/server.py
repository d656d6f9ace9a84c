"""uvicorn as `oracle api` and `oracle node run` (with ORACLE_SERVE_API) run it."""

from __future__ import annotations

import threading
import time

import uvicorn


def server(app, host: str, port: int) -> uvicorn.Server:
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any loopback peer as the client's
    # address (rate limits keyed on it could be dodged with a rotating header); the app trusts the proxies
    # ORACLE_API_TRUSTED_PROXIES names, and no others (oracle/api/app.py).
    return uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_config=None, access_log=False, server_header=False, proxy_headers=False
        )
    )


def serve_in_thread(app, host: str, port: int, startup_timeout: float = 30.0) -> uvicorn.Server:
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
