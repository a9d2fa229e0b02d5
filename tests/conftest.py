"""Shared fixtures: an injectable clock, seeded randomness and the engines the suite runs on.

Engines: ``moto`` (in-process mock), ``moto_server`` and ``dynalite`` (real HTTP servers on
127.0.0.1, started here and stopped at the end of the session) and ``endpoint`` (whatever
``CAREERVP_TEST_ENDPOINT`` names, such as AWS DynamoDB or ScyllaDB Alternator). KMS is served by
moto (in-process for ``moto``, its server for the HTTP engines).
"""

from __future__ import annotations

import logging
import os
import random
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from botocore.config import Config
from hypothesis import settings
from moto import mock_aws

from careervp.dal.client import DEFAULT_CALL_TIMEOUT, build_client
from careervp.dal.codec import is_tombstone
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.encryption import KmsCipher
from careervp.dal.schema import (
    APPLICATION_ID,
    CREATED_AT,
    DELETE_ID,
    IDEMPOTENCY_KEY,
    TOMBSTONE,
    TTL_ATTRIBUTE,
    WRITE_ID,
)
from careervp.dal.sender import WIRE_ENV, wire_from_environment
from careervp.dal.table import INDEX_PROJECTION, create_table
from support.engines import EngineUnavailableError, Running, dynalite_server, moto_server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from botocore.client import BaseClient
    from botocore.hooks import BaseEventHooks
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ProjectionTypeDef
    from mypy_boto3_kms import KMSClient
    from types_aiobotocore_dynamodb import DynamoDBClient as AsyncDynamoDBClient

    from support.aio import AsyncSide

# The budget of the suite's own clients (Engine.client): room for a busy machine.
SUITE_CALL_TIMEOUT = 30.0

# Local engines accept any credentials; a real endpoint run keeps the caller's own.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

# CI replays the same examples every run: a red build is then a real regression, not a new draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ENGINES = ("moto", "moto_server", "dynalite", "endpoint")
HTTP_ENGINES = ("moto_server", "dynalite")
# The two handlers over the same plans; behaviour files run on both (a module's own
# ``handler_kind`` fixture with these params). The async one runs on the HTTP engines only:
# moto's in-process mock answers botocore's blocking client, not aiobotocore's.
HANDLER_KINDS = ("blocking", "async")
# CAREERVP_TEST_HANDLERS=blocking (or async) runs one of them, for a quicker run on a second
# Python; unset, both run.
HANDLERS_ENV = "CAREERVP_TEST_HANDLERS"
ENDPOINT_ENV = "CAREERVP_TEST_ENDPOINT"
_ENDPOINT_DESELECTED = pytest.StashKey[int]()
TOKEN_SECRET = b"test-secret-0123456789abcdef"
START = datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc)
# Everything a tombstone may hold: a key, the marker, the removing call's id and a TTL.
TOMBSTONE_ATTRIBUTES = {
    APPLICATION_ID,
    CREATED_AT,
    WRITE_ID,
    TOMBSTONE,
    DELETE_ID,
    TTL_ATTRIBUTE,
    IDEMPOTENCY_KEY,  # the caller's request id, kept so a retried removal scrubs the record
}
PROJECTIONS: dict[str, ProjectionTypeDef] = {
    "include": INDEX_PROJECTION,
    "all": {"ProjectionType": "ALL"},
}


@pytest.hookimpl(trylast=True)  # after -k and -m: count only what would have run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``CAREERVP_TEST_ENDPOINT`` the ``endpoint`` engine's tests are deselected and
    summed up in one line, instead of one SKIPPED line each at the end of every run. The async
    handler on moto's in-process mock is no test at all (the mock serves only botocore's
    blocking client): those combinations are deselected too, and so is a handler that
    ``CAREERVP_TEST_HANDLERS`` leaves out."""
    with_endpoint = bool(os.environ.get(ENDPOINT_ENV))
    chosen = os.environ.get(HANDLERS_ENV, ",".join(HANDLER_KINDS)).replace(" ", "").split(",")
    kept: list[pytest.Item] = []
    endpoint: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        kind = params.get("handler_kind")
        if (kind == "async" and params.get("engine") == "moto") or (
            kind is not None and kind not in chosen
        ):
            left_out.append(item)
        elif params.get("engine") == "endpoint" and not with_endpoint:
            endpoint.append(item)
        else:
            kept.append(item)
    if endpoint or left_out:
        config.hook.pytest_deselected(items=endpoint + left_out)
        items[:] = kept
    config.stash[_ENDPOINT_DESELECTED] = len(endpoint)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    count = config.stash.get(_ENDPOINT_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} tests of the endpoint engine not run: {ENDPOINT_ENV} is not set"
            " (set it to a DynamoDB endpoint to run them)"
        )
    elif getattr(config.option, "numprocesses", None) and not os.environ.get(ENDPOINT_ENV):
        # Under pytest-xdist the workers collect, and this process does not count them.
        terminalreporter.write_line(
            f"the tests of the endpoint engine were not run: {ENDPOINT_ENV} is not set"
            " (set it to a DynamoDB endpoint to run them)"
        )


def engine_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"engine unavailable under CI: {reason}")
    pytest.skip(reason)


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
    kms_endpoint_url: str | None

    def client(self, **options: Any) -> DynamoDBClient:
        options.setdefault("max_attempts", 3)
        # A local engine on a machine whose cores are busy may take seconds for a page: the
        # suite's own client is not where the budget is tested (test_latency.py and
        # test_late_answers.py build the default client themselves), so it gets room.
        options.setdefault("call_timeout", SUITE_CALL_TIMEOUT)
        return build_client(
            endpoint_url=self.endpoint_url,
            region_name=os.environ["AWS_DEFAULT_REGION"],
            **options,
        )

    def require_atomic_conditions(self) -> None:
        """Skip a test that races conditional writes to one key on an engine that cannot
        arbitrate them. DynamoDB and dynalite (a lock per key) let one of them win; moto checks
        a write's condition and then writes, without a lock, in-process and behind its
        threaded server alike: two racing conditional puts can both succeed (3 rounds in 150
        of 8 racing puts with both cores busy, 0 on dynalite), so a race there tests moto."""
        if self.name in ("moto", "moto_server"):
            pytest.skip(f"{self.name} does not make racing conditional writes atomic")

    def kms(self) -> KMSClient:
        # One retry, not boto3's legacy four with up to 15 s of backoff: the KMS fault tests
        # check codes and messages of faults that last, and waited out the backoff each time.
        return boto3.client(
            "kms",
            endpoint_url=self.kms_endpoint_url,
            region_name=os.environ["AWS_DEFAULT_REGION"],
            config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
        )


def suite_wire(request: pytest.FixtureRequest, engine_name: str) -> bool:
    """The wire path of a test's handlers: as ``TAILORED_CV_WIRE`` says when it is set;
    otherwise each test function takes one path on moto's server and the other on dynalite
    (and the in-process mock), by a hash of its name. One run takes every behaviour file
    through both paths (botocore's serializer and parser, and the store's own) over HTTP,
    and each engine through both."""
    if os.environ.get(WIRE_ENV) is not None:
        return wire_from_environment()
    name = f"{request.node.module.__name__}.{getattr(request.node, 'originalname', '')}"
    flip = zlib.crc32(name.encode()) % 2 == 0
    return flip if engine_name == "moto_server" else not flip


@dataclass
class Store:
    """A fresh table on one engine, with handlers bound to it and the test's clock.

    ``kind`` says which handler ``handler()`` makes: the blocking one, or the async one behind
    a blocking face (``support.aio``) on an aiobotocore client to the same endpoint.
    """

    engine: Engine
    client: DynamoDBClient
    table_name: str
    clock: Clock
    handlers: list[DynamoDalHandler] = field(default_factory=list)
    kind: str = "blocking"
    wire: bool = True
    side: AsyncSide | None = None
    async_clients: dict[int, AsyncDynamoDBClient] = field(default_factory=dict)

    def handler(self, **kwargs: Any) -> DynamoDalHandler:
        # The suite's client is the store's own: the wire path as the environment says, as on a
        # client the handler builds (on a client a host passes in it is off unless asked for).
        options: dict[str, Any] = {
            "clock": self.clock,
            "token_secret": TOKEN_SECRET,
            "wire": self.wire,
        }
        options.update(kwargs)
        client = options.pop("client", self.client)
        if self.kind == "async":
            self._async_client(client)
            return self._async_handler(client, options)
        handler = DynamoDalHandler(client, self.table_name, **options)
        self.handlers.append(handler)
        return handler

    def _async_handler(self, client: DynamoDBClient, options: dict[str, Any]) -> DynamoDalHandler:
        assert self.side is not None
        options.pop("wire", None)  # the blocking handler's wire path; the async has none
        facade = self.side.handler(self._async_client(client), self.table_name, **options)
        # The facade answers every method the blocking handler has, with the same Results.
        return cast("DynamoDalHandler", facade)

    def _async_client(self, client: DynamoDBClient) -> AsyncDynamoDBClient:
        from support.aio import AsyncSide  # noqa: PLC0415 - aiobotocore only where it runs

        if self.side is None:
            self.side = AsyncSide()
        if id(client) not in self.async_clients:
            # The store's own client has the suite's roomy budget; a test's own client (a late
            # answer, a dead endpoint) keeps the default one it was built with.
            budget = SUITE_CALL_TIMEOUT if client is self.client else DEFAULT_CALL_TIMEOUT
            self.async_clients[id(client)] = self.side.client_like(client, call_timeout=budget)
        return self.async_clients[id(client)]

    def sending_client(self, client: DynamoDBClient | None = None) -> BaseClient:
        """The client a handler built on ``client`` (the store's by default) sends through:
        ``client`` itself, or its aiobotocore twin for the async handler. Faults and counters
        are registered on its events."""
        chosen = client if client is not None else self.client
        if self.kind != "async":
            return cast("BaseClient", chosen)
        return cast("BaseClient", self._async_client(chosen))

    def events(self) -> BaseEventHooks:
        """The botocore events of the client this store's handlers call (to count calls)."""
        return self.sending_client().meta.events

    def close(self) -> None:
        if self.side is not None:
            self.side.close()

    def cipher(self, **kwargs: Any) -> KmsCipher:
        """A KMS cipher under a new key on the engine's KMS."""
        kms = self.engine.kms()
        key_id = kms.create_key(Description="careervp-dal test key")["KeyMetadata"]["KeyId"]
        return KmsCipher(kms, key_id, **kwargs)

    def count(self) -> int:
        """Items in the table, expired ones and idempotency records included; tombstones (what
        a removal leaves, nothing personal) are counted by ``tombstones``."""
        return sum(1 for item in self.scan() if not is_tombstone(item))

    def tombstones(self) -> list[dict[str, Any]]:
        """What removals left in the table; each must hold nothing personal."""
        found = [item for item in self.scan() if is_tombstone(item)]
        for item in found:
            assert set(item) <= TOMBSTONE_ATTRIBUTES, item
        return found

    def scan(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("scan")
        for page in paginator.paginate(TableName=self.table_name, ConsistentRead=True):
            items.extend(page["Items"])
        return items


class Records(logging.Handler):
    """Every record the store logs during a test, with its ``extra`` fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        """All records as one string: messages and every attribute, as any formatter sees them."""
        return "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in self.records)


@pytest.fixture(autouse=True)
def isolated_loggers() -> Iterator[None]:
    """Tests that run the CLI in-process configure its logging; no other test may see that."""
    loggers = [logging.getLogger(name) for name in ("careervp", "careervp.dal")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        lg.handlers, lg.level, lg.propagate = handlers, level, propagate


@pytest.fixture
def log_records() -> Iterator[Records]:
    store_logger = logging.getLogger("careervp.dal")
    sink = Records()
    level = store_logger.level
    store_logger.addHandler(sink)
    store_logger.setLevel(logging.DEBUG)
    yield sink
    store_logger.removeHandler(sink)
    store_logger.setLevel(level)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.nodeid)


@pytest.fixture(scope="session")
def moto_server_running() -> Iterator[Running]:
    with moto_server() as running:
        yield running


@pytest.fixture(scope="session")
def dynalite_running() -> Iterator[Running]:
    try:
        with dynalite_server() as running:
            yield running
    except EngineUnavailableError as exc:
        engine_unavailable(str(exc))


@pytest.fixture
def moto_server_endpoint(moto_server_running: Running) -> Iterator[str]:
    yield moto_server_running.endpoint
    _still_running("moto's server", moto_server_running)


@pytest.fixture
def dynalite_endpoint(dynalite_running: Running) -> Iterator[str]:
    yield dynalite_running.endpoint
    _still_running("dynalite", dynalite_running)


def _still_running(name: str, running: Running) -> None:
    """Names the test under which an engine died: every later test would only be refused."""
    died = running.exited()
    if died is not None:
        pytest.fail(f"{name} {died}", pytrace=False)


def _engine(request: pytest.FixtureRequest, name: str) -> Iterator[Engine]:
    if name == "moto":
        with mock_aws():
            yield Engine(name, None, None)
        return
    kms = request.getfixturevalue("moto_server_endpoint")
    if name == "moto_server":
        yield Engine(name, kms, kms)
    elif name == "dynalite":
        yield Engine(name, request.getfixturevalue("dynalite_endpoint"), kms)
    else:
        endpoint = os.environ.get(ENDPOINT_ENV)
        if not endpoint:
            pytest.skip(f"{ENDPOINT_ENV} is not set")
        yield Engine(name, endpoint, kms)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield from _engine(request, request.param)


@pytest.fixture(params=HTTP_ENGINES)
def http_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The engines behind a real HTTP connection: for proxies, faults and subprocesses."""
    yield from _engine(request, request.param)


@pytest.fixture
def handler_kind() -> str:
    """The handler ``Store.handler()`` makes; behaviour files override it with both kinds."""
    return "blocking"


@pytest.fixture
def projection() -> str:
    """The user index's projection; modules about the index run both (``projection`` params)."""
    return "include"


def _store(
    request: pytest.FixtureRequest, engine: Engine, clock: Clock, projection: str, kind: str
) -> Iterator[Store]:
    client = engine.client()
    table_name = f"tailored-cvs-{uuid.uuid4().hex[:12]}"
    create_table(client, table_name, projection=PROJECTIONS[projection])
    store = Store(
        engine=engine,
        client=client,
        table_name=table_name,
        clock=clock,
        kind=kind,
        wire=suite_wire(request, engine.name),
    )
    yield store
    store.close()
    client.delete_table(TableName=table_name)


@pytest.fixture
def store(
    request: pytest.FixtureRequest, engine: Engine, clock: Clock, projection: str, handler_kind: str
) -> Iterator[Store]:
    yield from _store(request, engine, clock, projection, handler_kind)


@pytest.fixture
def http_store(
    request: pytest.FixtureRequest,
    http_engine: Engine,
    clock: Clock,
    projection: str,
    handler_kind: str,
) -> Iterator[Store]:
    yield from _store(request, http_engine, clock, projection, handler_kind)
