"""``codec._wire`` against botocore's own serializer and parser, on canned documents: what it
decodes equals botocore's result, and what it does not recognise it leaves to botocore."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from careervp.dal.codec._wire import decode_response, encode_request

_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_PARSER = create_parser("json")
_SERIALIZER = create_serializer("json", include_validation=False)
_BLOB = base64.b64encode(b"\x1f\x8b\x08\x00 gzip bytes \xff").decode()
_ITEM = {
    "application_id": {"S": "app-é-1"},
    "cv_version": {"N": "3"},
    "tailored_cv": {"B": _BLOB},
    "fvs_validation_passed": {"BOOL": True},
    "none": {"NULL": True},
    "metadata": {"M": {"keywords": {"L": [{"S": "Python"}, {"N": "-1.5E+3"}]}}},
    "tags": {"SS": ["a", "b"]},
    "scores": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [_BLOB, ""]},
}
_CAPACITY = {"TableName": "t", "CapacityUnits": 1.5, "Table": {"CapacityUnits": 1}}


def _botocore(operation: str, document: object) -> dict[str, Any]:
    response = {"body": json.dumps(document).encode(), "headers": {}, "status_code": 200}
    shape = _MODEL.operation_model(operation).output_shape
    assert shape is not None
    parsed = _PARSER.parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return dict(parsed)


DECODED = [
    ("GetItem", {"Item": _ITEM, "ConsumedCapacity": _CAPACITY}),
    ("GetItem", {}),
    (
        "Query",
        {
            "Items": [_ITEM, {"application_id": {"S": "x"}}],
            "Count": 2,
            "ScannedCount": 3,
            "LastEvaluatedKey": {"application_id": {"S": "x"}},
            "ConsumedCapacity": {
                **_CAPACITY,
                "GlobalSecondaryIndexes": {"i": {"CapacityUnits": 0.5}},
            },
        },
    ),
    (
        "BatchGetItem",
        {
            "Responses": {"t": [_ITEM]},
            "UnprocessedKeys": {
                "t": {"Keys": [{"application_id": {"S": "y"}}], "ConsistentRead": True}
            },
            "ConsumedCapacity": [_CAPACITY],
        },
    ),
]


@pytest.mark.parametrize(("operation", "document"), DECODED)
def test_what_it_decodes_is_what_botocore_parses(operation: str, document: object) -> None:
    decoded = decode_response(operation, json.dumps(document).encode())
    assert decoded is not None
    assert decoded == _botocore(operation, document)


LEFT_TO_BOTOCORE = [
    ("GetItem", {"Item": _ITEM, "Unknown": 1}),
    ("GetItem", {"Item": {"a": {"S": "x", "N": "1"}}}),
    ("GetItem", {"Item": {"a": {"X": "x"}}}),
    ("GetItem", {"Item": {"a": {"N": 1}}}),
    ("GetItem", {"Item": {"a": {"B": "not base64!"}}}),
    ("GetItem", {"Item": {"a": {"BOOL": "true"}}}),
    ("GetItem", {"Item": {"a": {"M": []}}}),
    ("GetItem", {"ConsumedCapacity": {"CapacityUnits": "1"}}),
    ("Query", {"Items": {}, "Count": 0}),
    ("Query", {"Count": 1.0}),
    ("BatchGetItem", {"UnprocessedKeys": {"t": {"Keys": [], "Other": 1}}}),
    ("GetItem", [1, 2]),
    ("PutItem", {}),
]


@pytest.mark.parametrize(("operation", "document"), LEFT_TO_BOTOCORE)
def test_anything_unusual_is_left_to_botocore(operation: str, document: object) -> None:
    assert decode_response(operation, json.dumps(document).encode()) is None


def test_bytes_that_are_not_json_are_left_to_botocore() -> None:
    assert decode_response("GetItem", b"<html>") is None


def test_a_request_body_is_the_document_botocore_writes() -> None:
    params: dict[str, Any] = {
        "TableName": "t",
        "Item": {
            "application_id": {"S": "app-é-\u2028"},
            "tailored_cv": {"B": b"\x00\xff gzip"},
            "n": {"N": "12.5"},
            "m": {"M": {"l": {"L": [{"BOOL": False}, {"NULL": True}]}}},
        },
        "ConditionExpression": "attribute_not_exists(application_id)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    body = encode_request(params)
    assert body is not None
    expected = _SERIALIZER.serialize_to_request(params, _MODEL.operation_model("PutItem"))
    assert json.loads(body) == json.loads(expected["body"])


def test_a_request_msgspec_cannot_write_is_left_to_botocore() -> None:
    assert encode_request({"TableName": "t", "Item": {"a": {"S": object()}}}) is None
    assert encode_request({"TableName": "t", "Item": {"a": {"S": "\ud800"}}}) is None


def test_nulls_and_lenient_base64_are_left_to_botocore() -> None:
    for document in (
        {"Item": None},
        {"Item": {"a": {"S": None}}},
        {"Item": {"a": {"B": "AAEC\nAw=="}}},
        {"Item": {"a": {"B": "AAECAw"}}},
    ):
        assert decode_response("GetItem", json.dumps(document).encode()) is None
