"""The whole-number fast path of the size guard agrees with DynamoDB's rule in ``number_size``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from careervp.dal.codec._numbers import number_size
from careervp.dal.codec._size import _number_size, item_size


@given(st.integers(min_value=0, max_value=10**38 - 1))
def test_whole_numbers_are_sized_as_number_size_sizes_them(value: int) -> None:
    assert _number_size(str(value)) == number_size(str(value))


@given(st.integers(min_value=1, max_value=38), st.integers(min_value=0, max_value=37))
def test_round_numbers_with_trailing_zeros_too(digits: int, zeros: int) -> None:
    text = "9" * digits + "0" * zeros
    assert _number_size(text) == number_size(text)


def test_an_item_with_every_kind_of_value() -> None:
    item = {
        "s": {"S": "héllo"},
        "n": {"N": "-12.50"},
        "w": {"N": "1000"},
        "b": {"B": b"\x00\x01"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "l": {"L": [{"S": "a"}, {"N": "7"}]},
        "m": {"M": {"ké": {"S": ""}}},
    }
    expected = (
        (1 + 6)
        + (1 + number_size("-12.50"))
        + (1 + number_size("1000"))
        + (1 + 2)
        + (1 + 1)
        + (1 + 1)
        + (1 + 3 + (1 + 1) + (1 + number_size("7")))
        + (1 + 3 + (1 + 3 + 0))
    )
    assert item_size(item) == expected  # type: ignore[arg-type]
