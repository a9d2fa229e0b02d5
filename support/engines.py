"""Start and stop the HTTP engines on 127.0.0.1: moto's server (DynamoDB and KMS) and dynalite.

An engine that cannot start raises ``EngineUnavailableError`` with the reason; the test suite
skips on it locally and fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["EngineUnavailableError", "Running", "dynalite_server", "free_port", "moto_server"]

DYNALITE_DIR = Path(__file__).parent / "dynalite"
_STARTUP_SECONDS = 30.0


class EngineUnavailableError(RuntimeError):
    """An engine that cannot run here (no Node.js, dynalite not installable)."""


class Running:
    """An engine process: its endpoint, and what it said if it exited before it was stopped."""

    def __init__(self, endpoint: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.endpoint = endpoint
        self._process = process
        self._log = log

    def exited(self) -> str | None:
        """``None`` while it runs; else its exit status and the end of its output."""
        if self._process.poll() is None:
            return None
        said = self._log.read_text(errors="replace")[-4000:]
        return f"exited with {self._process.returncode}; its output ends: {said}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"engine exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"engine did not listen on port {port} in {_STARTUP_SECONDS}s")


@contextlib.contextmanager
def _serve(command: list[str], port: int) -> Iterator[Running]:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "engine.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_for_port(port, process, log)
            running = Running(f"http://127.0.0.1:{port}", process, log)
            yield running
            # An engine that died under the suite fails it with its own last words.
            died = running.exited()
            if died is not None:
                raise RuntimeError(f"{Path(command[1]).name} {died}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _install_dynalite() -> None:
    """``npm ci`` from the committed lock file, so a fresh clone needs no extra step."""
    npm = shutil.which("npm")
    if npm is None:
        raise EngineUnavailableError("npm is not installed, so dynalite cannot be installed")
    done = subprocess.run(  # noqa: S603
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=DYNALITE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise EngineUnavailableError(f"npm ci for dynalite failed: {done.stderr.strip()[-500:]}")


@contextlib.contextmanager
def moto_server() -> Iterator[Running]:
    """moto's HTTP server in its own process, so its state is not shared with ``mock_aws``."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with _serve(command, port) as running:
        yield running


@contextlib.contextmanager
def dynalite_server() -> Iterator[Running]:
    """dynalite (an independent DynamoDB implementation on Node.js), in memory."""
    node = shutil.which("node")
    if node is None:
        raise EngineUnavailableError("node is not installed, so dynalite cannot run")
    if not (DYNALITE_DIR / "node_modules" / "dynalite").exists():
        _install_dynalite()
    port = free_port()
    # serve.js: dynalite's own start, surviving a client that leaves mid-request.
    command = [
        str(node),
        str(DYNALITE_DIR / "serve.js"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # Tables become ACTIVE at once instead of after dynalite's default half-second delays.
    command += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
    with _serve(command, port) as running:
        yield running
