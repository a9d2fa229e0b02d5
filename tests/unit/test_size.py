"""Item size by DynamoDB's rules: base-100 digit pairs for numbers, UTF-8 for text."""

from __future__ import annotations

import pytest

from careervp.dal.codec import AttributeValue, item_size
from careervp.dal.codec._size import attribute_size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "abc"}, 3),
        ({"S": "é"}, 2),
        ({"S": ""}, 0),
        ({"B": b"\x00" * 10}, 10),
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"N": "1"}, 2),
        ({"N": "12"}, 2),
        ({"N": "123"}, 3),
        ({"N": "1000000"}, 2),
        ({"N": "0.001"}, 2),
        ({"N": "-1.25"}, 4),  # a negative number takes a terminator byte
        ({"N": "1.2"}, 3),  # two digits from an even power of ten spill into a third pair
        ({"N": "120"}, 3),
        ({"N": "0.12"}, 2),
        ({"N": "-0.5"}, 3),
        ({"N": "0"}, 1),
        ({"N": "1795689000"}, 5),
        ({"N": "9.999999999999999e+125"}, 9),
        ({"N": "1e+100"}, 2),
        ({"L": []}, 3),
        ({"L": [{"S": "ab"}, {"BOOL": False}]}, 3 + (1 + 2) + (1 + 1)),
        ({"M": {"key": {"S": "v"}}}, 3 + 1 + 3 + 1),
    ],
)
def test_attribute_sizes(value: AttributeValue, size: int) -> None:
    assert attribute_size(value) == size


def test_item_size_counts_names() -> None:
    assert item_size({"name": {"S": "value"}, "é": {"N": "7"}}) == 4 + 5 + 2 + 2
