"""An embedded DynamoDB engine (moto's server on 127.0.0.1) for the demo and development."""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import signal
import sys
import threading
from typing import TYPE_CHECKING

import boto3

from careervp.dal.client import build_client
from careervp.dal.settings import KMS_KEY_ENV, SECRET_ENV, TABLE_NAME_ENV
from careervp.dal.table import create_table

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["LocalEngineMissingError", "embedded_engine", "serve_locally"]


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


def _local_key(endpoint: str, region: str) -> str:
    """A KMS key on the embedded engine, for trying client-side encryption without AWS."""
    kms = boto3.client(
        "kms",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto takes any key
    )
    return kms.create_key(Description="careervp-dal local-server key")["KeyMetadata"]["KeyId"]


def serve_locally(
    port: int, table_name: str, region: str, *, json_output: bool = False, kms_key: bool = False
) -> int:
    """``local-server``: moto's server with the table until Ctrl-C or SIGTERM; stdout holds
    the environment to export (shell lines, or one JSON object with ``--json``). moto serves
    KMS on the same port; with ``kms_key`` a key is made there and exported too."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with embedded_engine(port) as endpoint:
        client = build_client(endpoint_url=endpoint, region_name=region, local_credentials=True)
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
            environment[KMS_KEY_ENV] = _local_key(endpoint, region)
        if json_output:
            sys.stdout.write(json.dumps({"endpoint": endpoint, "environment": environment}) + "\n")
        else:
            sys.stdout.write("".join(f"export {k}={v}\n" for k, v in environment.items()))
        sys.stdout.flush()
        sys.stderr.write("Press Ctrl-C to stop.\n")
        sys.stderr.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.wait(0.5):
                pass
    return 0
