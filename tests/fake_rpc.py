"""A JSON-RPC endpoint on 127.0.0.1 that answers a few read calls and hangs on the methods it is told to,
until released: a chain node that stopped answering, for the tests of what must not wait on it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWERS = {
    "web3_clientVersion": "fake-rpc/1",
    "eth_chainId": "0x7a69",
    "eth_blockNumber": "0x10",
    "eth_getBlockByNumber": {"number": "0x10", "timestamp": "0x6553f100", "hash": "0x" + "11" * 32},
}


class FakeRpc:
    def __init__(self, hang: tuple[str, ...] = ()) -> None:
        self.hang = set(hang)
        self.calls: list[str] = []
        self.hanging = threading.Event()  # set once a call is held
        self._release = threading.Event()
        rpc = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                rpc.calls.append(request["method"])
                if request["method"] in rpc.hang:
                    rpc.hanging.set()
                    rpc._release.wait(60)
                body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": ANSWERS.get(request["method"])})
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body.encode())
                except OSError:  # the caller gave up
                    pass

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def release(self) -> None:
        self._release.set()

    def __enter__(self) -> "FakeRpc":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
