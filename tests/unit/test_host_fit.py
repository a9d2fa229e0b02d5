"""How a Powertools Lambda adopts the library: its logger's configuration reaches
``careervp.dal``, and tracing runs only when the host passes its tracer."""

from __future__ import annotations

import io
import json
import logging
import random
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

# aws_xray_sdk ships no type information; only these two imports of it are exempted.
from aws_xray_sdk.core.models.segment import Segment  # type: ignore[import-untyped]
from aws_xray_sdk.core.models.subsegment import Subsegment  # type: ignore[import-untyped]
from moto import mock_aws

from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import create_table
from support.factories import make_data
from tests.conftest import TOKEN_SECRET

if TYPE_CHECKING:
    from collections.abc import Iterator


def test_a_powertools_logger_adopts_the_library_with_its_keys() -> None:
    stream = io.StringIO()
    host = Logger(service="tailor-handler", logger_handler=logging.StreamHandler(stream))
    host.append_keys(request_id="req-42")
    store_logger = logging.getLogger("careervp")
    saved_state = (store_logger.handlers[:], store_logger.level, store_logger.propagate)
    try:
        copy_config_to_registered_loggers(source_logger=host, log_level="DEBUG")
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            create_table(client, "t")
            dal = DynamoDalHandler(client, "t", token_secret=TOKEN_SECRET)
            saved = dal.save_tailored_cv("app-1", make_data(random.Random(1)))
            missing = dal.get_tailored_cv("app-1", "2026-01-01T00:00:00.000000Z")
        assert saved.success
        assert not missing.success
    finally:
        store_logger.handlers, store_logger.level, store_logger.propagate = saved_state
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    (success,) = [r for r in records if r.get("action") == "save_tailored_cv"]
    assert success["request_id"] == "req-42"  # the host's keys, on the library's records
    assert success["name"] == "careervp.dal"
    assert success["artifact_id"] == saved.data
    assert success["level"] == "DEBUG"
    assert any(r.get("code") == "NOT_FOUND" for r in records)


class RecordingTracer:
    """Powertools' ``Tracer`` as far as the store uses it: ``provider.in_subsegment``."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.provider = self

    @contextmanager
    def in_subsegment(self, name: str) -> Iterator[None]:
        self.names.append(name)
        yield


def test_with_a_tracer_each_public_method_runs_in_a_subsegment_named_after_it() -> None:
    tracer: Any = RecordingTracer()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "t")
        dal = DynamoDalHandler(client, "t", token_secret=TOKEN_SECRET, tracer=tracer)
        saved = dal.save_tailored_cv("app-1", make_data(random.Random(2), user_id="u-t"))
        assert saved.success
        dal.list_tailored_cvs_for_user("u-t")
        dal.get_latest_tailored_cv("app-1")
    assert tracer.names == [
        "save_tailored_cv",
        "list_tailored_cvs_for_user",
        "get_latest_tailored_cv",
    ]


def test_a_real_powertools_tracer_is_accepted_and_without_one_nothing_is_wrapped() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "t")
        traced = DynamoDalHandler(
            client, "t", token_secret=TOKEN_SECRET, tracer=Tracer(service="s", disabled=True)
        )
        assert traced.save_tailored_cv("app-1", make_data(random.Random(3))).success
        plain = DynamoDalHandler(client, "t", token_secret=TOKEN_SECRET)
    assert "save_tailored_cv" not in vars(plain)  # the class's own method, unwrapped
    assert "save_tailored_cv" in vars(traced)


FLAGS = ("error", "fault", "throttle")


class SubsegmentProvider:
    """A tracing provider whose subsegments are aws_xray_sdk's own, kept for inspection."""

    def __init__(self) -> None:
        self.segment = Segment("host-handler")
        self.subsegments: list[Subsegment] = []

    @contextmanager
    def in_subsegment(self, name: str) -> Iterator[Subsegment]:
        subsegment = Subsegment(name, "local", self.segment)
        self.subsegments.append(subsegment)
        yield subsegment


def test_a_failed_method_marks_its_subsegment_with_its_code() -> None:
    provider = SubsegmentProvider()
    tracer = Tracer(service="s", disabled=True, provider=provider)  # type: ignore[arg-type]
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "t")
        dal = DynamoDalHandler(client, "t", token_secret=TOKEN_SECRET, tracer=tracer)
        assert dal.save_tailored_cv("app-1", make_data(random.Random(4))).success
        assert not dal.get_latest_tailored_cv("app-none").success  # NOT_FOUND
        missing = DynamoDalHandler(
            client, "no-such-table", token_secret=TOKEN_SECRET, tracer=tracer
        )
        assert not missing.get_latest_tailored_cv("app-1").success  # DATABASE_ERROR
    saved, not_found, broken = (
        (sub.annotations, {flag for flag in FLAGS if getattr(sub, flag, False)})
        for sub in provider.subsegments
    )
    assert saved == ({"code": "SUCCESS"}, set())
    assert not_found == ({"code": "NOT_FOUND"}, {"error"})
    assert broken == ({"code": "DATABASE_ERROR"}, {"fault"})
