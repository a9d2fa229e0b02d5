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


def attribute_size(value: AttributeValue) -> int:
    ((tag, inner),) = value.items()
    if tag == "S" and isinstance(inner, str):
        return len(inner.encode("utf-8"))
    if tag == "B" and isinstance(inner, bytes):
        return len(inner)
    if tag == "N" and isinstance(inner, str):
        return number_size(inner)
    if tag == "M" and isinstance(inner, dict):
        return 3 + sum(1 + len(k.encode("utf-8")) + attribute_size(v) for k, v in inner.items())
    if tag == "L" and isinstance(inner, list):
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if tag in ("BOOL", "NULL"):
        return 1
    # Only the codec builds the values sized here: anything else is a defect, not input.
    raise TypeError(f"not an attribute value the codec builds: {tag!r}")


def item_size(item: Mapping[str, AttributeValue]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_size(v) for name, v in item.items())
