"""DynamoDB's JSON protocol written and read by msgspec, for the sender's wire path.

A request body is the operation's parameters as JSON, binary values in base64: exactly what
botocore's serializer writes (``json.dumps``, ASCII-escaped, keys in the order given; msgspec
writes UTF-8 unescaped, the same JSON document). A successful response of GetItem, Query or
BatchGetItem is decoded to what botocore's parser returns: the JSON document with each ``B``
(and ``BS``) value base64-decoded. Anything the decoder does not recognise exactly (an unknown
member, a tag it does not know, two tags in one value, a null, a value of the wrong JSON type,
binary that is not strict base64, which botocore would decode leniently) makes it answer
``None``, and botocore's own parser reads the response as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET, UnsetType

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DECODED_OPERATIONS", "decode_response", "encode_request"]

_ENCODER = msgspec.json.Encoder()


def encode_request(params: Mapping[str, object]) -> bytes | None:
    """The JSON body of a request, or ``None`` when msgspec cannot write it as botocore would."""
    try:
        return _ENCODER.encode(params)
    except (TypeError, ValueError, UnicodeEncodeError, OverflowError):
        return None


# The response shapes, typed so that msgspec checks every member, tag and JSON type and decodes
# base64 in C. Whatever does not fit (an unknown member or tag, a null, a wrong type, binary that
# is not strict base64) fails the decode, and botocore's parser reads the body instead.


class _Value(msgspec.Struct, forbid_unknown_fields=True):
    """An AttributeValue: exactly one of its members, as botocore's parser insists."""

    S: str | UnsetType = UNSET
    N: str | UnsetType = UNSET
    B: bytes | UnsetType = UNSET
    BOOL: bool | UnsetType = UNSET
    NULL: bool | UnsetType = UNSET
    M: dict[str, _Value] | UnsetType = UNSET
    L: list[_Value] | UnsetType = UNSET
    SS: list[str] | UnsetType = UNSET
    NS: list[str] | UnsetType = UNSET
    BS: list[bytes] | UnsetType = UNSET

    def __post_init__(self) -> None:
        # The common tags first: most values are S or N, and the other nine are then unset.
        tags = (
            (self.S is not UNSET)
            + (self.N is not UNSET)
            + (self.B is not UNSET)
            + (self.BOOL is not UNSET)
            + (self.M is not UNSET)
            + (self.L is not UNSET)
            + (self.NULL is not UNSET)
            + (self.SS is not UNSET)
            + (self.NS is not UNSET)
            + (self.BS is not UNSET)
        )
        if tags != 1:
            raise ValueError("an attribute value holds exactly one member")


_Item = dict[str, _Value]
_Number = int | float  # json.loads' types, as botocore's parser leaves them


class _Capacity(msgspec.Struct, forbid_unknown_fields=True):
    ReadCapacityUnits: _Number | UnsetType = UNSET
    WriteCapacityUnits: _Number | UnsetType = UNSET
    CapacityUnits: _Number | UnsetType = UNSET


class _Consumed(msgspec.Struct, forbid_unknown_fields=True):
    TableName: str | UnsetType = UNSET
    CapacityUnits: _Number | UnsetType = UNSET
    ReadCapacityUnits: _Number | UnsetType = UNSET
    WriteCapacityUnits: _Number | UnsetType = UNSET
    Table: _Capacity | UnsetType = UNSET
    LocalSecondaryIndexes: dict[str, _Capacity] | UnsetType = UNSET
    GlobalSecondaryIndexes: dict[str, _Capacity] | UnsetType = UNSET


class _GetItem(msgspec.Struct, forbid_unknown_fields=True):
    Item: _Item | UnsetType = UNSET
    ConsumedCapacity: _Consumed | UnsetType = UNSET


class _Query(msgspec.Struct, forbid_unknown_fields=True):
    Items: list[_Item] | UnsetType = UNSET
    Count: int | UnsetType = UNSET
    ScannedCount: int | UnsetType = UNSET
    LastEvaluatedKey: _Item | UnsetType = UNSET
    ConsumedCapacity: _Consumed | UnsetType = UNSET


class _KeysAndAttributes(msgspec.Struct, forbid_unknown_fields=True):
    Keys: list[_Item] | UnsetType = UNSET
    AttributesToGet: list[str] | UnsetType = UNSET
    ConsistentRead: bool | UnsetType = UNSET
    ProjectionExpression: str | UnsetType = UNSET
    ExpressionAttributeNames: dict[str, str] | UnsetType = UNSET


class _BatchGetItem(msgspec.Struct, forbid_unknown_fields=True):
    Responses: dict[str, list[_Item]] | UnsetType = UNSET
    UnprocessedKeys: dict[str, _KeysAndAttributes] | UnsetType = UNSET
    ConsumedCapacity: list[_Consumed] | UnsetType = UNSET


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "GetItem": msgspec.json.Decoder(_GetItem),
    "Query": msgspec.json.Decoder(_Query),
    "BatchGetItem": msgspec.json.Decoder(_BatchGetItem),
}
DECODED_OPERATIONS = frozenset(_DECODERS)
# Binary stays bytes (to_builtins would write base64 again); unset members are left out.
_PLAIN = (bytes,)


def decode_response(operation: str, body: bytes) -> dict[str, Any] | None:
    """The parsed response of a successful ``operation``, as botocore's parser returns it
    (without its ``ResponseMetadata``), or ``None`` to leave the body to botocore."""
    decoder = _DECODERS.get(operation)
    if decoder is None:
        return None
    try:
        decoded = decoder.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    parsed: dict[str, Any] = msgspec.to_builtins(decoded, builtin_types=_PLAIN)
    return parsed
