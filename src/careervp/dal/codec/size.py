"""An item's size by DynamoDB's rules, computed before it is sent.

Names and values count in UTF-8 bytes; binary counts raw bytes (not base64); a number counts
one byte per two significant digits plus one; BOOL and NULL one byte; a list or map three bytes
plus one byte and the size of each element (and, in a map, each key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from careervp.dal.codec.attributes import AttributeValue

__all__ = ["MAX_ITEM_BYTES", "attribute_size", "item_size"]

MAX_ITEM_BYTES = 400 * 1024


def _number_size(text: str) -> int:
    mantissa = text.lstrip("-").split("e")[0].split("E")[0]
    digits = mantissa.replace(".", "").strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def attribute_size(value: AttributeValue) -> int:
    ((tag, inner),) = value.items()
    if tag == "S" and isinstance(inner, str):
        return len(inner.encode("utf-8"))
    if tag == "N" and isinstance(inner, str):
        return _number_size(inner)
    if tag == "B" and isinstance(inner, bytes):
        return len(inner)
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "L" and isinstance(inner, list):
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if tag == "M" and isinstance(inner, dict):
        return 3 + sum(1 + len(k.encode("utf-8")) + attribute_size(v) for k, v in inner.items())
    raise ValueError(f"cannot size an attribute of type {tag!r}")


def item_size(item: Mapping[str, AttributeValue]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_size(v) for name, v in item.items())
