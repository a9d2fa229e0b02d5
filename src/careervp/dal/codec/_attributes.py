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

from typing import TYPE_CHECKING, TypeAlias

from careervp.dal.codec._numbers import check_number, number_text, parse_number
from careervp.dal.errors import IntegrityError, InvalidInputError
from careervp.dal.schema import AttributeValue, Item

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AttributeValue",
    "Item",
    "PlainValue",
    "marshal",
    "marshal_map",
    "unmarshal",
    "unmarshal_map",
]

PlainValue: TypeAlias = (
    str | bool | int | float | bytes | list["PlainValue"] | dict[str, "PlainValue"] | None
)


def marshal(value: PlainValue) -> AttributeValue:
    """One Python value as an AttributeValue; ``InvalidInputError`` for what cannot be stored."""
    # bool before int: bool is a subclass of int.
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        problem = check_number(value)
        if problem is not None:
            raise InvalidInputError(problem)
        return {"N": number_text(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, list):
        return {"L": [marshal(v) for v in value]}
    if isinstance(value, dict):
        return {"M": marshal_map(value)}
    raise InvalidInputError(f"cannot store a value of type {type(value).__name__}")


def marshal_map(values: Mapping[str, PlainValue]) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise InvalidInputError(f"map keys must be strings, not {type(key).__name__}")
        out[key] = marshal(value)
    return out


def unmarshal(value: object) -> PlainValue:
    """One stored AttributeValue as a Python value; anything malformed is an ``IntegrityError``."""
    # botocore hands back plain dicts; exact type checks are several times cheaper than ABCs.
    if type(value) is not dict or len(value) != 1:
        raise IntegrityError("an attribute value must hold exactly one type tag")
    ((tag, inner),) = value.items()
    if tag == "S" and isinstance(inner, str):
        return inner
    if tag == "N":
        number = parse_number(inner)
        if number is None:
            raise IntegrityError("a number attribute is not a DynamoDB number")
        return number
    if tag == "BOOL" and isinstance(inner, bool):
        return inner
    if tag == "NULL" and inner is True:
        return None
    if tag == "B" and isinstance(inner, (bytes, bytearray)):
        return bytes(inner)
    if tag == "L" and isinstance(inner, list):
        return [unmarshal(v) for v in inner]
    if tag == "M" and type(inner) is dict:
        return unmarshal_map(inner)
    raise IntegrityError(f"unsupported or malformed attribute value of type {str(tag)[:8]!r}")


def unmarshal_map(values: Mapping[object, object]) -> dict[str, PlainValue]:
    out: dict[str, PlainValue] = {}
    for key, value in values.items():
        if type(key) is not str:
            raise IntegrityError("map keys must be strings")
        out[key] = unmarshal(value)
    return out
