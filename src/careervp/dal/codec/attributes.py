"""Python values to DynamoDB AttributeValues and back.

========================= ============================== ===================================
Python                    DynamoDB wire                  back to Python
========================= ============================== ===================================
``str``                   ``{"S": str}``                 ``str``
``bool``                  ``{"BOOL": bool}``             ``bool``
``int`` (<= 38 digits)    ``{"N": "123"}``               ``int``
``float`` (finite)        ``{"N": repr(x)}``             ``int`` or ``float``; a float field
                                                         converts it back bit for bit
``None``                  ``{"NULL": True}``             ``None``
``bytes``                 ``{"B": bytes}``               ``bytes`` (raw; botocore does base64)
``list``                  ``{"L": [...]}``               ``list``
``dict`` (``str`` keys)   ``{"M": {...}}``               ``dict``
========================= ============================== ===================================

Unlike boto3's ``TypeSerializer`` floats are accepted (``repr`` is the shortest string that
parses back to the same double) and numbers never come back as ``Decimal``. DynamoDB stores
numbers as decimals, so ``-0.0`` is stored as ``0`` and ``1.0`` comes back as ``1``; the
models' float fields turn those back into the same float.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TypeAlias

from careervp.dal.codec.errors import CodecError

__all__ = [
    "AttributeValue",
    "Item",
    "PlainValue",
    "check_number",
    "marshal",
    "marshal_map",
    "unmarshal",
    "unmarshal_map",
]

PlainValue: TypeAlias = (
    str | bool | int | float | bytes | list["PlainValue"] | dict[str, "PlainValue"] | None
)
# botocore's stubs type nested "M" and "L" values as Any; this alias keeps them checked.
AttributeValue: TypeAlias = dict[
    str, str | bool | bytes | list["AttributeValue"] | dict[str, "AttributeValue"]
]
Item: TypeAlias = dict[str, AttributeValue]

MAX_DIGITS = 38
# DynamoDB's number range: 1E-130 .. 9.9999999999999999999999999999999999999E+125.
_MAX_MAGNITUDE = 9.9999999999999999999999999999999999999e125
_MIN_MAGNITUDE = 1e-130
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
# Engines may spell 1E-130 out in full (dynalite does): 38 digits, 130 zeros, a sign and a
# point fit; anything longer is not a DynamoDB number and never reaches int() or float().
_MAX_NUMBER_TEXT = 200


def check_number(value: int | float) -> str | None:
    """Why DynamoDB cannot hold ``value`` exactly, or ``None`` when it can."""
    if isinstance(value, bool):
        return "a boolean is not a number"
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            return f"integers are limited to {MAX_DIGITS} digits"
        return None
    if not math.isfinite(value):
        return "NaN and infinity cannot be stored"
    magnitude = abs(value)
    if magnitude != 0.0 and not _MIN_MAGNITUDE <= magnitude <= _MAX_MAGNITUDE:
        return "the number is outside DynamoDB's range (1E-130 to 1E+126)"
    return None


def _number_text(value: int | float) -> str:
    problem = check_number(value)
    if problem is not None:
        raise CodecError(problem)
    if isinstance(value, int):
        return str(value)
    if value == 0.0:
        return "0"  # DynamoDB has no negative zero
    return repr(value)


def marshal(value: PlainValue) -> AttributeValue:
    """One Python value as an AttributeValue; raises ``CodecError`` for what cannot be stored."""
    # bool before int: bool is a subclass of int.
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": _number_text(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, list):
        return {"L": [marshal(v) for v in value]}
    if isinstance(value, dict):
        return {"M": marshal_map(value)}
    raise CodecError(f"cannot store a value of type {type(value).__name__}")


def marshal_map(values: Mapping[str, PlainValue]) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise CodecError(f"map keys must be strings, not {type(key).__name__}")
        out[key] = marshal(value)
    return out


def _parse_number(text: object) -> int | float:
    if not isinstance(text, str) or len(text) > _MAX_NUMBER_TEXT:
        raise CodecError("a number attribute is not a short numeric string")
    if _INTEGER.fullmatch(text):
        return int(text)
    if not _NUMBER.fullmatch(text):
        raise CodecError("a number attribute is not numeric")
    return float(text)


def unmarshal(value: object) -> PlainValue:
    """One AttributeValue as a Python value; anything malformed raises ``CodecError``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise CodecError("an attribute value must hold exactly one type tag")
    ((tag, inner),) = value.items()
    if tag == "S" and isinstance(inner, str):
        return inner
    if tag == "N":
        return _parse_number(inner)
    if tag == "BOOL" and isinstance(inner, bool):
        return inner
    if tag == "NULL" and inner is True:
        return None
    if tag == "B" and isinstance(inner, (bytes, bytearray)):
        return bytes(inner)
    if tag == "L" and isinstance(inner, list):
        return [unmarshal(v) for v in inner]
    if tag == "M" and isinstance(inner, Mapping):
        return unmarshal_map(inner)
    raise CodecError(f"unsupported or malformed attribute value of type {tag!r}")


def unmarshal_map(values: Mapping[object, object]) -> dict[str, PlainValue]:
    out: dict[str, PlainValue] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise CodecError("map keys must be strings")
        out[key] = unmarshal(value)
    return out
