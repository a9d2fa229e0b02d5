"""DynamoDB's JSON protocol written and read by msgspec, for the sender's wire path.

A request body is the operation's parameters as JSON, binary values in base64: exactly what
botocore's serializer writes (``json.dumps``, ASCII-escaped, keys in the order given; msgspec
writes UTF-8 unescaped, the same JSON document). A successful response of GetItem, Query or
BatchGetItem is decoded to what botocore's parser returns: the JSON document with each ``B``
(and ``BS``) value base64-decoded by the very function botocore uses. Anything the decoder does
not recognise exactly (an unknown member, a tag it does not know, a value of the wrong JSON
type) makes it answer ``None``, and botocore's own parser reads the response as usual.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DECODED_OPERATIONS", "decode_response", "encode_request"]

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder()
_B64 = base64.b64decode  # botocore's blob parser for the JSON protocol


class _Unexpected(Exception):  # noqa: N818 - control flow inside this module only
    """Something botocore's parser should judge."""


def encode_request(params: Mapping[str, object]) -> bytes | None:
    """The JSON body of a request, or ``None`` when msgspec cannot write it as botocore would."""
    try:
        return _ENCODER.encode(params)
    except (TypeError, ValueError, UnicodeEncodeError, OverflowError):
        return None


_SCALAR_TAGS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_SET_TAGS = {"SS", "NS"}


def _value(value: object) -> dict[str, Any]:
    """One AttributeValue with its binary decoded; ``_Unexpected`` for anything unusual."""
    if type(value) is not dict or len(value) != 1:
        raise _Unexpected
    ((tag, inner),) = value.items()
    kind = _SCALAR_TAGS.get(tag)
    if kind is not None:
        if type(inner) is not kind:
            raise _Unexpected
        return value
    if tag == "M":
        return {"M": _item(inner)}
    if tag == "L":
        if type(inner) is not list:
            raise _Unexpected
        return {"L": [_value(v) for v in inner]}
    if tag == "B":
        return {"B": _blob(inner)}
    if tag in _SET_TAGS:
        if type(inner) is not list or any(type(v) is not str for v in inner):
            raise _Unexpected
        return value
    if tag == "BS":
        if type(inner) is not list:
            raise _Unexpected
        return {"BS": [_blob(v) for v in inner]}
    raise _Unexpected


def _blob(value: object) -> bytes:
    if type(value) is not str:
        raise _Unexpected
    try:
        return _B64(value)
    except (binascii.Error, ValueError):
        raise _Unexpected from None


def _item(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Unexpected
    out: dict[str, Any] = {}
    for name, attribute in value.items():
        out[name] = _value(attribute)
    return out


def _items(value: object) -> list[dict[str, Any]]:
    if type(value) is not list:
        raise _Unexpected
    return [_item(v) for v in value]


_CAPACITY = {"ReadCapacityUnits", "WriteCapacityUnits", "CapacityUnits"}
_CONSUMED = {"TableName", "Table", "LocalSecondaryIndexes", "GlobalSecondaryIndexes", *_CAPACITY}


def _units(value: object) -> None:
    if type(value) is not dict or not value.keys() <= _CAPACITY:
        raise _Unexpected
    if any(type(v) not in (int, float) for v in value.values()):
        raise _Unexpected


def _one_consumed(value: object) -> None:
    if type(value) is not dict or not value.keys() <= _CONSUMED:
        raise _Unexpected
    for name, inner in value.items():
        if name == "TableName":
            if type(inner) is not str:
                raise _Unexpected
        elif name == "Table":
            _units(inner)
        elif name in _CAPACITY:
            if type(inner) not in (int, float):
                raise _Unexpected
        else:
            if type(inner) is not dict:
                raise _Unexpected
            for index in inner.values():
                _units(index)


def _consumed(value: object) -> object:
    """ConsumedCapacity (one, or a list for batch calls), checked and returned as it is."""
    if type(value) is list:
        for one in value:
            _one_consumed(one)
    else:
        _one_consumed(value)
    return value


def _count(value: object) -> int:
    if type(value) is not int:
        raise _Unexpected
    return value


_KEYS_AND_ATTRIBUTES = {
    "Keys",
    "AttributesToGet",
    "ConsistentRead",
    "ProjectionExpression",
    "ExpressionAttributeNames",
}


def _unprocessed(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Unexpected
    out: dict[str, Any] = {}
    for table, request in value.items():
        if type(request) is not dict or not request.keys() <= _KEYS_AND_ATTRIBUTES:
            raise _Unexpected
        converted = dict(request)
        if "Keys" in request:
            converted["Keys"] = _items(request["Keys"])
        if "ConsistentRead" in request and type(request["ConsistentRead"]) is not bool:
            raise _Unexpected
        out[table] = converted
    return out


def _responses(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Unexpected
    return {table: _items(items) for table, items in value.items()}


_MEMBERS: dict[str, dict[str, Any]] = {
    "GetItem": {"Item": _item, "ConsumedCapacity": _consumed},
    "Query": {
        "Items": _items,
        "Count": _count,
        "ScannedCount": _count,
        "LastEvaluatedKey": _item,
        "ConsumedCapacity": _consumed,
    },
    "BatchGetItem": {
        "Responses": _responses,
        "UnprocessedKeys": _unprocessed,
        "ConsumedCapacity": _consumed,
    },
}
DECODED_OPERATIONS = frozenset(_MEMBERS)


def decode_response(operation: str, body: bytes) -> dict[str, Any] | None:
    """The parsed response of a successful ``operation``, as botocore's parser returns it
    (without its ``ResponseMetadata``), or ``None`` to leave the body to botocore."""
    members = _MEMBERS.get(operation)
    if members is None:
        return None
    try:
        document = _DECODER.decode(body)
        if type(document) is not dict:
            return None
        parsed: dict[str, Any] = {}
        for name, value in document.items():
            convert = members.get(name)
            if convert is None:
                return None
            # botocore leaves out members whose value is null.
            if value is not None:
                parsed[name] = convert(value)
    except (_Unexpected, msgspec.DecodeError, RecursionError):
        return None
    return parsed
