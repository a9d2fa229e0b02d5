"""An embedded DynamoDB engine (moto's server on 127.0.0.1) for the demo and development."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["LocalEngineMissingError", "embedded_engine"]


class LocalEngineMissingError(RuntimeError):
    """moto's server is not installed (it comes with the ``local`` extra)."""


@contextlib.contextmanager
def embedded_engine(port: int = 0) -> Iterator[str]:
    """moto's threaded server on 127.0.0.1; yields its endpoint URL and stops it after."""
    try:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise LocalEngineMissingError(
            "the embedded engine needs moto's server: pip install 'careervp-dal[local]'"
        ) from exc
    # werkzeug logs every request to stderr; the embedded engine should stay quiet.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        host, bound = server.get_host_and_port()
        yield f"http://{host}:{bound}"
    finally:
        server.stop()
