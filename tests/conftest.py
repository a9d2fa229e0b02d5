"""Shared fixtures: an injectable clock, seeded randomness and the engines the suite runs on.

Engines: ``moto`` (in-process mock), ``moto_server`` and ``dynalite`` (real HTTP servers on
127.0.0.1, started here and stopped at the end of the session) and ``endpoint`` (whatever
``CAREERVP_TEST_ENDPOINT`` names, such as AWS DynamoDB or ScyllaDB Alternator).
"""

from __future__ import annotations

import io
import logging
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from moto import mock_aws

from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import create_table
from careervp.handlers.utils.observability import SERVICE, logger
from tests.engines.servers import dynalite_server, moto_server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

# Local engines accept any credentials; a real endpoint run keeps the caller's own.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

# CI replays the same examples every run: a red build is then a real regression, not a new draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ENGINES = ("moto", "moto_server", "dynalite", "endpoint")
ENDPOINT_ENV = "CAREERVP_TEST_ENDPOINT"
TOKEN_SECRET = b"test-secret-0123456789abcdef"
START = datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Engine:
    name: str
    endpoint_url: str | None

    def client(self, *, max_attempts: int = 3) -> DynamoDBClient:
        return build_client(
            endpoint_url=self.endpoint_url,
            region_name=os.environ["AWS_DEFAULT_REGION"],
            max_attempts=max_attempts,
        )


@dataclass
class Store:
    """A fresh table on one engine, with a handler bound to it and the test's clock."""

    engine: Engine
    client: DynamoDBClient
    table_name: str
    clock: Clock
    handlers: list[DynamoDalHandler] = field(default_factory=list)

    def handler(self, **kwargs: object) -> DynamoDalHandler:
        options: dict[str, object] = {"clock": self.clock, "token_secret": TOKEN_SECRET}
        options.update(kwargs)
        handler = DynamoDalHandler(self.client, self.table_name, **options)  # type: ignore[arg-type]
        self.handlers.append(handler)
        return handler

    def count(self) -> int:
        """Items in the table, expired ones included (a consistent scan)."""
        total = 0
        paginator = self.client.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self.table_name, Select="COUNT", ConsistentRead=True
        ):
            total += page["Count"]
        return total


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the store logs during a test, formatted exactly as in Lambda."""
    stream = io.StringIO()
    sink = logging.StreamHandler(stream)
    sink.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(SERVICE)
    level = underlying.level
    logger.addHandler(sink)
    logger.setLevel("INFO")
    yield stream
    underlying.removeHandler(sink)
    underlying.setLevel(level)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.nodeid)


@pytest.fixture(scope="session")
def moto_server_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def dynalite_endpoint() -> Iterator[str]:
    with dynalite_server() as endpoint:
        yield endpoint


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    name: str = request.param
    if name == "moto":
        with mock_aws():
            yield Engine(name, None)
    elif name == "moto_server":
        yield Engine(name, request.getfixturevalue("moto_server_endpoint"))
    elif name == "dynalite":
        yield Engine(name, request.getfixturevalue("dynalite_endpoint"))
    else:
        endpoint = os.environ.get(ENDPOINT_ENV)
        if not endpoint:
            pytest.skip(f"{ENDPOINT_ENV} is not set")
        yield Engine(name, endpoint)


@pytest.fixture
def store(engine: Engine, clock: Clock) -> Iterator[Store]:
    client = engine.client()
    table_name = f"tailored-cvs-{uuid.uuid4().hex[:12]}"
    create_table(client, table_name)
    yield Store(engine=engine, client=client, table_name=table_name, clock=clock)
    client.delete_table(TableName=table_name)
