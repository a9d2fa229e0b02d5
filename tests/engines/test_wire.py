"""The wire path sends what botocore would send and reads what botocore would read.

For every request the store makes over HTTP, the body on the wire parses to the same JSON
document botocore's own serializer writes for the same parameters; for every response, what
the store is handed equals what botocore's own parser makes of the bytes that came back,
errors (a conditional failure carrying the item) and unprocessed keys included.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import botocore
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from careervp.dal import sender
from careervp.dal.codec._wire import DECODED_OPERATIONS
from careervp.dal.sender import WIRE_ENV, wire_from_environment
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault
from support.raw import key_of

if TYPE_CHECKING:
    from tests.conftest import Records, Store


# botocore emits before-parse from 1.35.16 on; before it the store's reads fall back to
# botocore's parser (the package allows boto3 1.34, whose botocore is older).
BEFORE_PARSE = tuple(int(part) for part in botocore.__version__.split(".")[:3]) >= (1, 35, 16)


@pytest.fixture(params=["include", "all"])
def projection(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Wiretap:
    """Each call's parameters as given, body as sent, response bytes as received and result."""

    def __init__(self, store: Store) -> None:
        self.calls: list[dict[str, Any]] = []
        self._serializer = create_serializer("json", include_validation=False)
        self._parser = create_parser("json")
        events = store.client.meta.events
        events.register_first("provide-client-params.dynamodb", self._params)
        events.register_last("before-send.dynamodb", self._sent)
        # The response as it came off the wire: the store's before-parse hook replaces the
        # body botocore parses, never the HTTP response's own bytes.
        events.register_last("after-call.dynamodb", self._parsed)

    def _params(self, params: dict[str, Any], model: Any, **_: object) -> None:
        self.calls.append(
            {"operation": model.name, "model": model, "params": copy.deepcopy(params)}
        )

    def _sent(self, request: Any, **_: object) -> None:
        body = request.body
        self.calls[-1]["sent"] = body if isinstance(body, bytes) else str(body).encode()

    def _parsed(self, http_response: Any, parsed: dict[str, Any], **_: object) -> None:
        self.calls[-1]["received"] = {
            "body": http_response.content,
            "headers": dict(http_response.headers),
            "status_code": http_response.status_code,
        }
        self.calls[-1]["parsed"] = copy.deepcopy(parsed)

    def check(self) -> set[str]:
        """Every call's body and response against botocore's; returns the operations seen."""
        for call in self.calls:
            model = call["model"]
            botocore_body = self._serializer.serialize_to_request(call["params"], model)["body"]
            assert json.loads(call["sent"]) == json.loads(botocore_body), call["operation"]
            received = call["received"]
            expected = self._parser.parse(dict(received), model.output_shape)
            if received["status_code"] >= 300:
                # What botocore's endpoint adds to an error: its modeled fields (the item a
                # conditional failure returns), parsed with the error's own shape.
                shape = model.service_model.shape_for_error_code(expected["Error"]["Code"])
                if shape is not None:
                    modeled = self._parser.parse(dict(received), shape)
                    modeled.pop("ResponseMetadata", None)
                    expected.update(modeled)
            got = call["parsed"]
            for parsed in (expected, got):
                parsed.pop("ResponseMetadata", None)
            assert got == expected, call["operation"]
        return {call["operation"] for call in self.calls}


def test_every_call_of_a_working_session_matches_botocore(
    http_store: Store, projection: str
) -> None:
    handler = http_store.handler(wire=True)
    rng = random.Random(7)
    saved = []
    for index in range(4):
        http_store.clock.advance(timedelta(seconds=1))
        data = make_data(rng, user_id="u-wire", json_bytes=3_000 + 4_000 * index)
        result = handler.save_tailored_cv(f"app-wire-{index % 2}", data)
        assert result.success, result.error
        saved.append(result.data)
    tap = Wiretap(http_store)
    keyed = handler.save_tailored_cv(
        "app-wire-0", make_data(rng, user_id="u-wire"), idempotency_key="key-1"
    )
    assert keyed.success, keyed.error
    got = handler.get_tailored_cv(*key_of(saved[0]))
    assert got.success, got.error
    assert handler.get_latest_tailored_cv("app-wire-1").success
    page = handler.list_tailored_cvs_for_user("u-wire", limit=2)
    assert page.success, page.error
    assert handler.list_tailored_cvs_for_user(
        "u-wire", limit=3, start_key=page.data["last_evaluated_key"]
    ).success
    assert handler.list_tailored_cv_summaries_for_user("u-wire", limit=3).success
    assert handler.list_tailored_cvs_for_application("app-wire-0").success
    assert handler.export_tailored_cvs_for_user("u-wire").success
    assert handler.get_tailored_cv("app-wire-0", "2026-01-01T00:00:00.000000Z").code is (
        ResultCode.NOT_FOUND
    )
    seen = tap.check()
    assert {"PutItem", "GetItem", "Query"} <= seen
    # Behind the narrow index a page reads its items by key.
    if projection == "include":
        assert "BatchGetItem" in seen


def test_a_conditional_failure_carrying_the_item_matches_botocore(http_store: Store) -> None:
    handler = http_store.handler(wire=True)
    rng = random.Random(8)
    first = handler.save_tailored_cv("app-same", make_data(rng, user_id="u-same"))
    assert first.success, first.error
    tap = Wiretap(http_store)
    # The same microsecond: the put fails its condition, ALL_OLD hands back the stored item,
    # and the store moves on to the next microsecond.
    second = handler.save_tailored_cv("app-same", make_data(rng, user_id="u-same"))
    assert second.success, second.error
    assert second.data != first.data
    tap.check()
    statuses = [c["received"]["status_code"] for c in tap.calls if c["operation"] == "PutItem"]
    assert statuses[0] == 400
    assert statuses[-1] == 200


# Behind the narrow index, where the export reads its items with BatchGetItem.
@pytest.mark.parametrize("projection", ["include"])
def test_unprocessed_keys_match_botocore_and_are_read_again(
    http_store: Store, projection: str
) -> None:
    handler = http_store.handler(wire=True, sleep=lambda _: None)
    rng = random.Random(9)
    for _ in range(3):
        http_store.clock.advance(timedelta(seconds=1))
        assert handler.save_tailored_cv("app-un", make_data(rng, user_id="u-un")).success
    tap = Wiretap(http_store)

    def nothing_processed(request: dict[str, Any]) -> bytes:
        return json.dumps({"Responses": {}, "UnprocessedKeys": request["RequestItems"]}).encode()

    fault = Fault(http_store.client, "BatchGetItem", times=1, status=200, body=nothing_processed)
    exported = handler.export_tailored_cvs_for_user("u-un")
    assert exported.success, exported.error
    assert exported.data["count"] == 3
    assert fault.injected == 1
    tap.check()
    batches = [c for c in tap.calls if c["operation"] == "BatchGetItem"]
    assert batches[0]["parsed"]["UnprocessedKeys"], projection


def test_wire_on_and_off_read_the_same_values(http_store: Store) -> None:
    on, off = http_store.handler(wire=True), http_store.handler(wire=False)
    rng = random.Random(10)
    saved = on.save_tailored_cv("app-both", make_data(rng, user_id="u-both", json_bytes=9_000))
    assert saved.success, saved.error
    http_store.clock.advance(timedelta(seconds=1))
    plain = off.save_tailored_cv("app-both", make_data(rng, user_id="u-both", json_bytes=9_000))
    assert plain.success, plain.error
    for artifact in (saved.data, plain.data):
        a, b = on.get_tailored_cv(*key_of(artifact)), off.get_tailored_cv(*key_of(artifact))
        assert a.success, a.error
        assert b.success, b.error
        assert a.data == b.data
    assert on.list_tailored_cvs_for_user("u-both") == off.list_tailored_cvs_for_user("u-both")


def test_the_wire_path_decodes_the_reads_and_writes_the_puts(http_store: Store) -> None:
    """Not only equivalent, but taken: botocore's parser is handed an empty document; on a
    botocore without before-parse the reads are botocore's own, and the puts still the store's."""
    handler = http_store.handler(wire=True)
    tap = Wiretap(http_store)
    handed: list[tuple[str, bytes]] = []

    def after_ours(operation_model: Any, response_dict: dict[str, Any], **_: object) -> None:
        handed.append((operation_model.name, response_dict["body"]))

    for operation in DECODED_OPERATIONS:
        http_store.client.meta.events.register_last(
            f"before-parse.dynamodb.{operation}", after_ours
        )
    saved = handler.save_tailored_cv("app-taken", make_data(random.Random(11), user_id="u-t"))
    assert saved.success, saved.error
    assert handler.get_tailored_cv(*key_of(saved.data)).success
    assert handler.list_tailored_cvs_for_user("u-t").success
    decoded = [body for operation, body in handed if operation in DECODED_OPERATIONS]
    if BEFORE_PARSE:
        assert decoded
        assert all(body == b"{}" for body in decoded)
    else:
        assert handed == []
    tap.check()
    assert {"GetItem", "Query"} <= {c["operation"] for c in tap.calls}
    (put,) = [c for c in tap.calls if c["operation"] == "PutItem"]
    assert json.loads(put["sent"])["Item"]["tailored_cv"]["B"]


def test_the_environment_switches_the_wire_path(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [("0", False), ("off", False), ("false", False), ("1", True)]:
        monkeypatch.setenv(WIRE_ENV, value)
        assert wire_from_environment() is expected
    monkeypatch.delenv(WIRE_ENV)
    assert wire_from_environment() is True


def test_a_botocore_that_no_longer_replaces_the_body_loses_nothing(
    http_store: Store, log_records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process-wide switch this test flips is put back afterwards.
    monkeypatch.setattr(sender, "_broken", False)
    handler = http_store.handler(wire=True)
    # As if before-call were gone: the placeholder item goes out as botocore serialized it.
    http_store.client.meta.events.unregister(
        "before-call.dynamodb.PutItem", unique_id="careervp-dal-wire-body"
    )
    tap = Wiretap(http_store)
    saved = handler.save_tailored_cv("app-safe", make_data(random.Random(12), user_id="u-s"))
    assert saved.success, saved.error
    got = handler.get_tailored_cv(*key_of(saved.data))
    assert got.success, got.error
    puts = [c for c in tap.calls if c["operation"] == "PutItem"]
    assert [json.loads(c["sent"])["Item"] == {} for c in puts] == [True, False]
    assert sender._broken is True
    assert any("wire path is off" in r.getMessage() for r in log_records.records)
