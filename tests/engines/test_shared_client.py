"""A client the host passes in stays the host's: its handlers and stubs see the real requests.

On a client the store did not build, the wire path is off unless the host asks for it, so a
host's handler on ``before-parameter-build``, ``before-call`` or ``before-send`` (of the service
or of one operation) sees the store's real request, and a host's ``Stubber`` sees each call once.
On the store's own client the path stays on, fails safe where botocore misbehaves, and is not
switched off by an error that is only one call's.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from careervp.dal import sender
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.sender import WIRE_ENV
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from tests.conftest import Records, Store

SECRET = b"s" * 32


@pytest.fixture(autouse=True)
def wire_on_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in production: nothing in the environment turns the path off.
    monkeypatch.delenv(WIRE_ENV, raising=False)
    monkeypatch.setattr(sender, "_broken", False)
    monkeypatch.setattr(sender, "_read_broken", False, raising=False)


def _host_handler(store: Store) -> DynamoDalHandler:
    """What a host writes: its own client, shared with its own code, handed to the store."""
    return DynamoDalHandler(store.client, store.table_name, token_secret=SECRET)


@pytest.mark.parametrize("scope", ["service", "operation"])
@pytest.mark.parametrize("event", ["before-parameter-build", "before-call", "before-send"])
def test_host_handlers_see_the_real_put(http_store: Store, scope: str, event: str) -> None:
    seen: list[dict[str, Any]] = []

    def host_handler(**kwargs: Any) -> None:
        if event == "before-parameter-build":
            seen.append(kwargs["params"]["Item"])
        elif event == "before-call":
            seen.append(json.loads(kwargs["params"]["body"])["Item"])
        else:
            seen.append(json.loads(kwargs["request"].body)["Item"])

    name = f"{event}.dynamodb" + (".PutItem" if scope == "operation" else "")
    http_store.client.meta.events.register(name, host_handler)
    try:
        saved = _host_handler(http_store).save_tailored_cv("app-host", make_data(random.Random(1)))
    finally:
        http_store.client.meta.events.unregister(name, host_handler)
    assert saved.success, saved.error
    items = [item for item in seen if "tailored_cv" in item or item == {}]
    assert items
    assert all(item["application_id"] == {"S": "app-host"} for item in items), items
    assert all("tailored_cv" in item for item in items)


@pytest.mark.parametrize("name", ["before-parameter-build.dynamodb", "before-parameter-build"])
def test_a_host_handler_that_adds_an_attribute_is_honoured(http_store: Store, name: str) -> None:
    def tag(params: dict[str, Any], model: Any, **_: object) -> None:
        if model.name == "PutItem":
            params["Item"]["host_tag"] = {"S": "audited"}

    http_store.client.meta.events.register(name, tag)
    try:
        saved = _host_handler(http_store).save_tailored_cv("app-tag", make_data(random.Random(2)))
    finally:
        http_store.client.meta.events.unregister(name, tag)
    assert saved.success, saved.error
    stored = http_store.client.get_item(
        TableName=http_store.table_name,
        Key={"application_id": {"S": "app-tag"}, "created_at": {"S": key_of(saved.data)[1]}},
    )["Item"]
    assert stored["host_tag"] == {"S": "audited"}


def test_a_stubbed_shared_client_sees_each_call_once(http_store: Store) -> None:
    handler = _host_handler(http_store)
    with Stubber(http_store.client) as stubber:
        stubber.add_response("put_item", {}, None)
        saved = handler.save_tailored_cv("app-stub", make_data(random.Random(3)))
        stubber.assert_no_pending_responses()
    assert saved.success, saved.error
    assert sender._broken is False


def test_the_store_own_client_keeps_the_wire_path(
    http_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert http_store.engine.endpoint_url is not None
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", http_store.engine.endpoint_url)
    own = DynamoDalHandler(table_name=http_store.table_name, token_secret=SECRET)
    assert own._sender.wire is True
    saved = own.save_tailored_cv("app-own", make_data(random.Random(7)))
    assert saved.success, saved.error
    assert _host_handler(http_store)._sender.wire is False
    asked = DynamoDalHandler(
        http_store.client, http_store.table_name, token_secret=SECRET, wire=True
    )
    assert asked._sender.wire is True


def test_an_error_botocore_raises_before_sending_leaves_the_wire_path_on(
    http_store: Store, log_records: Records
) -> None:
    handler = http_store.handler(wire=True)

    def refuse(**_: object) -> None:
        raise ParamValidationError(report="refused before anything was sent")

    events = http_store.client.meta.events
    events.register("before-endpoint-resolution.dynamodb", refuse)
    try:
        failed = handler.save_tailored_cv("app-early", make_data(random.Random(4)))
    finally:
        events.unregister("before-endpoint-resolution.dynamodb", refuse)
    assert failed.code is ResultCode.DATABASE_ERROR
    assert sender._broken is False
    assert not any("wire path is off" in r.getMessage() for r in log_records.records)
    sent: list[bytes] = []
    events.register("before-send.dynamodb.PutItem", lambda request, **_: sent.append(request.body))
    saved = handler.save_tailored_cv("app-early", make_data(random.Random(5)))
    assert saved.success, saved.error
    assert json.loads(sent[-1])["Item"]["tailored_cv"]["B"]


def test_a_response_botocore_did_not_merge_is_read_all_the_same(
    http_store: Store, log_records: Records
) -> None:
    handler = http_store.handler(wire=True)
    saved = handler.save_tailored_cv("app-merge", make_data(random.Random(6)))
    assert saved.success, saved.error

    def forget(customized_response_dict: dict[str, Any], **_: object) -> None:
        customized_response_dict.clear()  # as if botocore stopped merging it

    events = http_store.client.meta.events
    events.register_last("before-parse.dynamodb.GetItem", forget)
    try:
        got = handler.get_tailored_cv(*key_of(saved.data))
    finally:
        events.unregister("before-parse.dynamodb.GetItem", forget)
    assert got.success, got.error
    assert sender._read_broken is True
    assert any("did not merge" in r.getMessage() for r in log_records.records)
    again = handler.get_tailored_cv(*key_of(saved.data))
    assert again.success, again.error
