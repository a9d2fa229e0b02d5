"""An embedded DynamoDB engine (moto's server on 127.0.0.1) for the demo and development."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import secrets
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import boto3

from careervp.dal.client import build_client
from careervp.dal.encryption import KmsCipher
from careervp.dal.settings import KMS_KEY_ENV, SECRET_ENV, TABLE_NAME_ENV
from careervp.dal.table import create_table

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = [
    "LOCAL_CALL_TIMEOUT",
    "LocalEngineError",
    "LocalEngineMissingError",
    "embedded_engine",
    "is_local",
    "local_cipher",
    "local_client",
    "serve_locally",
]

# moto answers a page of a few thousand versions, or its first request after starting, in
# seconds on a busy laptop: more than the read timeout a Lambda's 10 s budget allows. A 60 s
# budget gives each attempt a read timeout of about 27 s (client.attempt_timeouts).
LOCAL_CALL_TIMEOUT = 60.0
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local(endpoint: str) -> bool:
    """Whether ``endpoint`` is an engine on this machine (local-server, dynalite, a test's)."""
    return urlsplit(endpoint).hostname in _LOOPBACK


def local_client(endpoint: str, region: str | None, *, credentials: bool) -> DynamoDBClient:
    """A client for an engine on this machine: attempts may take seconds, never for ever."""
    return build_client(
        endpoint_url=endpoint,
        region_name=region,
        call_timeout=LOCAL_CALL_TIMEOUT,
        local_credentials=credentials,
    )


class LocalEngineError(RuntimeError):
    """The embedded engine cannot start; the message says why and what to do."""


class LocalEngineMissingError(LocalEngineError):
    """moto's server is not installed (it comes with the ``local`` extra)."""


@contextlib.contextmanager
def embedded_engine(port: int = 0) -> Iterator[str]:
    """moto's server on 127.0.0.1 in a thread; yields its endpoint URL and stops it after."""
    try:
        from moto.moto_server.werkzeug_app import (  # noqa: PLC0415 - optional dependency
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server  # noqa: PLC0415 - comes with moto's server
    except ImportError as exc:
        raise LocalEngineMissingError(
            "the embedded engine needs moto's server: pip install 'careervp-dal[local]'"
        ) from exc
    # werkzeug logs every request to stderr; the embedded engine should stay quiet.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # Bound here, in the caller's thread, so a port in use is an error at once: moto's own
    # ThreadedMotoServer binds in its thread and waits for ever when that bind fails, and
    # werkzeug, binding itself, prints and calls sys.exit.
    listener = _listen(port)
    try:
        server = make_server(
            "127.0.0.1",
            port,
            DomainDispatcherApplication(create_backend_app),
            threaded=True,
            request_handler=MotoRequestHandler,
            fd=listener.fileno(),
        )
    finally:
        listener.close()  # werkzeug serves on its own duplicate of the descriptor
    thread = threading.Thread(target=server.serve_forever, name="moto-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As http.server does: a port left in TIME_WAIT by a stopped server is free to bind.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise LocalEngineError(
                f"port {port} on 127.0.0.1 is in use: stop what listens there, or pass"
                " --port with a free port"
            ) from None
        raise LocalEngineError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    return listener


def local_cipher(endpoint: str, region: str, purpose: str) -> KmsCipher:
    """A KMS cipher under a new key on the embedded engine (moto serves KMS on the same port),
    for trying client-side encryption without AWS."""
    kms = boto3.client(
        "kms",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto takes any key
    )
    key_id = kms.create_key(Description=f"careervp-dal {purpose} key")["KeyMetadata"]["KeyId"]
    return KmsCipher(kms, key_id)


def serve_locally(
    port: int, table_name: str, region: str, *, json_output: bool = False, kms_key: bool = False
) -> int:
    """``local-server``: moto's server with the table until Ctrl-C or SIGTERM; stdout holds
    the environment to export (shell lines, or one JSON object with ``--json``). moto serves
    KMS on the same port; with ``kms_key`` a key is made there and exported too."""
    # SIGTERM stops the server wherever it is, starting or serving, as Ctrl-C does.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        _serve(port, table_name, region, json_output=json_output, kms_key=kms_key)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _interrupt(*_: object) -> NoReturn:
    raise KeyboardInterrupt


def _serve(port: int, table_name: str, region: str, *, json_output: bool, kms_key: bool) -> None:
    with embedded_engine(port) as endpoint:
        client = local_client(endpoint, region, credentials=True)
        create_table(client, table_name)
        sys.stderr.write(f"moto's DynamoDB and KMS server is listening at {endpoint}; export:\n")
        environment = {
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_ENDPOINT_URL_KMS": endpoint,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            TABLE_NAME_ENV: table_name,
            SECRET_ENV: secrets.token_urlsafe(32),
        }
        if kms_key:
            environment[KMS_KEY_ENV] = local_cipher(endpoint, region, "local-server").key_id
        if json_output:
            sys.stdout.write(json.dumps({"endpoint": endpoint, "environment": environment}) + "\n")
        else:
            sys.stdout.write("".join(f"export {k}={v}\n" for k, v in environment.items()))
        sys.stdout.flush()
        sys.stderr.write("Press Ctrl-C to stop.\n")
        sys.stderr.flush()
        threading.Event().wait()  # until Ctrl-C or SIGTERM raises KeyboardInterrupt
