"""Networks that misbehave on purpose, on 127.0.0.1.

``LossyProxy`` forwards each HTTP request to an engine and, for the requests it is told to,
lets the engine apply the request but closes the connection without answering (a response lost
after DynamoDB applied a write), or holds the answer for a while before sending it (an answer
that comes after the client's read timeout). ``silent_server`` accepts connections and never
answers.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["LossyProxy", "silent_server"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class LossyProxy:
    """``with LossyProxy(engine) as proxy:`` then point a client at ``proxy.endpoint``."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self._drops: dict[str, list[int]] = {}
        self._resets: dict[str, bool] = {}
        self._holds: dict[str, tuple[float, list[int]]] = {}
        self.forwarded: list[str] = []
        self.dropped: list[str] = []
        self.held: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def drop_responses(
        self, operation: str, times: int = 1, *, after: int = 0, reset: bool = False
    ) -> None:
        """Lose the responses of ``times`` requests of ``operation`` (e.g. PutItem), after
        letting the next ``after`` through: the connection is closed, or with ``reset`` reset
        (a TCP RST, which aiohttp reports as an OS error, not as a closed connection)."""
        with self._lock:
            self._drops[operation] = [after, times]
            self._resets[operation] = reset

    def hold_responses(
        self, operation: str, seconds: float, times: int = 1, *, after: int = 0
    ) -> None:
        """Answer ``times`` requests of ``operation`` (after letting the next ``after`` through)
        only ``seconds`` after the engine applied them: late, past a client's read timeout."""
        with self._lock:
            self._holds[operation] = (seconds, [after, times])

    def _hold(self, operation: str) -> float:
        """How long to hold the answer to this forwarded request."""
        with self._lock:
            seconds, plan = self._holds.get(operation, (0.0, [0, 0]))
            if plan[1] == 0:
                return 0.0
            if plan[0] > 0:
                plan[0] -= 1
                return 0.0
            plan[1] -= 1
            self.held.append(operation)
            return seconds

    def operations(self, operation: str) -> int:
        """How many requests of ``operation`` reached the engine."""
        with self._lock:
            return self.forwarded.count(operation)

    def _record(self, operation: str) -> bool:
        """Note a forwarded request; whether its response must be lost."""
        with self._lock:
            self.forwarded.append(operation)
            plan = self._drops.get(operation)
            if plan is None or plan[1] == 0:
                return False
            if plan[0] > 0:
                plan[0] -= 1
                return False
            plan[1] -= 1
            self.dropped.append(operation)
            return True

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
                upstream = http.client.HTTPConnection(*proxy._upstream, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    upstream.request("POST", self.path, body, headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                if proxy._record(operation):
                    # Applied by the engine, never answered: the client sees a closed connection.
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        if proxy._resets.get(operation):
                            self.connection.setsockopt(
                                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                            )
                            self.connection.close()
                        else:
                            self.connection.shutdown(socket.SHUT_RDWR)
                    return
                held = proxy._hold(operation)
                if held:
                    time.sleep(held)
                    # The client has given up by now; the late answer goes nowhere.
                    self.close_connection = True
                with contextlib.suppress(OSError):
                    self.send_response(response.status)
                    for name, value in response.getheaders():
                        if name.lower() not in _HOP_BY_HOP:
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

        return Handler

    def __enter__(self) -> LossyProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """An endpoint on 127.0.0.1 that accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                connection, _ = listener.accept()
                held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()
