"""A kit for the host's own tests: the store on moto's in-process mock, table and all.

``local_store()`` starts moto's mock (DynamoDB, and KMS when ``encrypted``), creates the table
with ``careervp.dal.table.ensure_table`` (what ``careervp-dal create-table`` runs) and yields a
ready ``DynamoDalHandler``; the mock and everything stored end with the block. The pytest
plugin (``careervp.dal.testing.plugin``, registered under the ``pytest11`` entry point) offers
the same as the fixture ``tailored_cv_store``, so a host's test needs no conftest.

Needs the ``local`` extra (moto). Nothing here imports moto or boto3 until a store is asked
for: pytest loads the plugin in every run of the host's suite.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.dal.encryption import KmsCipher

__all__ = ["DEFAULT_TABLE_NAME", "REGION", "local_store"]

DEFAULT_TABLE_NAME = "tailored-cvs-test"
# moto answers for any Region; the kit names one so that no host setting is needed or read.
REGION = "us-east-1"


@contextlib.contextmanager
def local_store(
    *,
    table_name: str = DEFAULT_TABLE_NAME,
    secret: bytes | None = None,
    clock: Callable[[], datetime] | None = None,
    encrypted: bool = False,
) -> Iterator[DynamoDalHandler]:
    """A ``DynamoDalHandler`` on a fresh table in moto's in-process mock, for one block.

    ``secret`` signs page tokens (a random one by default: tokens then continue only within
    the block); ``clock`` is the handler's (tests move time with it); ``encrypted`` makes a KMS
    key in the mock and encrypts every CV with it, as ``TAILORED_CV_KMS_KEY_ID`` would.
    """
    # Imported here, not at the top: see the module's docstring.
    try:
        from moto import mock_aws  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            "careervp.dal.testing needs moto: pip install 'careervp-dal[local]'"
        ) from exc
    from careervp.dal.client import build_client  # noqa: PLC0415
    from careervp.dal.dynamo_dal_handler import DynamoDalHandler  # noqa: PLC0415
    from careervp.dal.table import ensure_table  # noqa: PLC0415

    # Endpoints named outright: an AWS_ENDPOINT_URL_* of the host's (a local engine) must not
    # take the kit's calls past the mock.
    with mock_aws():
        client = build_client(
            endpoint_url=f"https://dynamodb.{REGION}.amazonaws.com",
            region_name=REGION,
            local_credentials=True,
        )
        report = ensure_table(client, table_name)
        if not report.serviceable:  # a fresh mock holds no table: this is a defect of the kit
            raise RuntimeError(f"the kit could not create table {table_name}: {report.problems}")
        yield DynamoDalHandler(
            client,
            table_name,
            clock=clock,
            token_secret=secret if secret is not None else secrets.token_bytes(32),
            cipher=_mock_cipher() if encrypted else None,
            accept_plaintext=False,
        )


def _mock_cipher() -> KmsCipher:
    """A ``KmsCipher`` under a new key in the running mock."""
    import boto3  # noqa: PLC0415

    from careervp.dal.encryption import KmsCipher  # noqa: PLC0415

    kms = boto3.client(
        "kms",
        endpoint_url=f"https://kms.{REGION}.amazonaws.com",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the mock takes any key
    )
    key_id = kms.create_key(Description="careervp-dal test key")["KeyMetadata"]["KeyId"]
    return KmsCipher(kms, key_id)
