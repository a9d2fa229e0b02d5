"""An item's size by DynamoDB's rules, computed before it is sent.

Names and strings count their UTF-8 bytes, binary its raw bytes (not base64), a number its
base-100 digit pairs plus a length byte and a sign byte for negatives (``number_size``), BOOL
and NULL one byte, a list or map three bytes plus one byte and the size of each element (and,
in a map, each key). dynalite enforces the limit with the same rules for numbers and counts
strings in UTF-16 units, never more than UTF-8 bytes, so an item this guard accepts is accepted
there too (``tests/engines/test_size_guard.py`` checks the boundary on each engine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.codec._numbers import number_size

if TYPE_CHECKING:
    from collections.abc import Mapping

    from careervp.dal.codec._attributes import AttributeValue

__all__ = ["MAX_ITEM_BYTES", "attribute_size", "item_size"]

MAX_ITEM_BYTES = 400 * 1024


def _text_size(text: str) -> int:
    # isascii() reads a flag CPython keeps on every str: most names and values skip encoding.
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    # The numbers the codec writes are mostly small whole ones ("1", "10649"): sized here
    # without number_size's parsing, by the same rule (see number_size).
    if text.isdigit() and text.isascii() and text[0] != "0":
        count = len(text.rstrip("0"))
        spill = 1 if count % 2 == 0 and (len(text) - 1) % 2 == 0 else 0
        return 1 + (count + 1) // 2 + spill
    return number_size(text)


def _sized(value: object) -> int:
    if type(value) is not dict or len(value) != 1:
        raise TypeError("not an attribute value the codec builds")
    for tag, inner in value.items():
        kind = type(inner)
        if kind is str:
            if tag == "S":
                return _text_size(inner)
            if tag == "N":
                return _number_size(inner)
        elif kind is dict and tag == "M":
            size = 3
            for name, element in inner.items():
                size += 1 + _text_size(name) + _sized(element)
            return size
        elif kind is bytes and tag == "B":
            return len(inner)
        elif kind is bool and tag in ("BOOL", "NULL"):
            return 1
        elif kind is list and tag == "L":
            size = 3
            for element in inner:
                size += 1 + _sized(element)
            return size
    # Only the codec builds the values sized here: anything else is a defect, not input.
    raise TypeError(f"not an attribute value the codec builds: {list(value)!r}")


def attribute_size(value: AttributeValue) -> int:
    return _sized(value)


def item_size(item: Mapping[str, AttributeValue]) -> int:
    size = 0
    for name, value in item.items():
        size += _text_size(name) + _sized(value)
    return size
