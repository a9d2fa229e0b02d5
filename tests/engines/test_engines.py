"""The suite's engines outlive a client that leaves in the middle of a request.

botocore writes a request's headers and its body apart, so a process stopped between the two (a
Ctrl-C test) leaves an engine half a request. dynalite used to rethrow that as an uncaught error
and exit, and every later test on its worker was refused: a failure far from its cause.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    import random

    from tests.conftest import Store


def _leave_mid_request(endpoint_url: str) -> None:
    address = urlsplit(endpoint_url)
    assert address.port is not None
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 200\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Content-Type: application/x-amz-json-1.0\r\n\r\n{"
        )


def test_an_engine_serves_on_after_a_client_left_mid_request(
    http_store: Store, rng: random.Random
) -> None:
    assert http_store.engine.endpoint_url is not None
    for _ in range(3):
        _leave_mid_request(http_store.engine.endpoint_url)
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-engine", make_data(rng))
    assert saved.success, saved.error
    assert handler.get_tailored_cv(*key_of(saved.data)).success
