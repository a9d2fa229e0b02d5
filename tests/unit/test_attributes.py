"""AttributeValue marshalling: exact round trips and boto3's wire format where both accept."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from careervp.dal.codec._attributes import PlainValue, marshal, unmarshal
from careervp.dal.errors import IntegrityError, InvalidInputError

finite_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0.0 or 1e-130 <= abs(x) < 1e126
)
small_ints = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
scalars = st.one_of(st.text(), st.booleans(), small_ints, finite_floats, st.none(), st.binary())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(), inner, max_size=5)
    ),
    max_leaves=30,
)
# What boto3's TypeSerializer also accepts: no floats (it demands Decimal).
boto_values = st.recursive(
    st.one_of(st.text(), st.booleans(), small_ints, st.none(), st.binary()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(), inner, max_size=5)
    ),
    max_leaves=30,
)


def _same(a: PlainValue, b: PlainValue) -> bool:
    """Equal, with floats compared bit for bit (and ints read back for integral floats)."""
    if isinstance(a, float):
        return isinstance(b, (int, float)) and float(b).hex() == (a + 0.0).hex()
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(values)
def test_round_trip_is_exact(value: PlainValue) -> None:
    assert _same(value, unmarshal(marshal(value)))


@given(boto_values)
def test_matches_boto3_wire_format(value: PlainValue) -> None:
    assert marshal(value) == TypeSerializer().serialize(value)


@given(boto_values)
def test_boto3_reads_what_we_write(value: PlainValue) -> None:
    def plain(v: object) -> object:
        if isinstance(v, Decimal):
            return int(v)
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, Binary):
            raw: Any = v  # boto3-stubs declare Binary.__bytes__ as returning str
            return bytes(raw)
        return v

    wire: Any = marshal(value)
    assert plain(TypeDeserializer().deserialize(wire)) == value


@given(finite_floats)
def test_floats_survive_decimal_normalisation(value: float) -> None:
    # DynamoDB returns numbers normalised (e.g. "1E+2" as "100"); Decimal mimics that text.
    text = marshal(value)["N"]
    assert isinstance(text, str)
    normalised = format(Decimal(text).normalize(), "f")
    back = unmarshal({"N": normalised})
    assert isinstance(back, (int, float))
    assert float(back).hex() == (value + 0.0).hex()


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        1e126,
        -1e126,
        1e127,
        1e-131,
        10**38 + 1,  # 39 significant digits
        -(10**38) - 1,
        10**126,  # one digit, but past DynamoDB's range
        5e-324,
        10**4000,  # refused by magnitude, never printed
    ],
)
def test_unstorable_numbers_are_refused(value: float) -> None:
    with pytest.raises(InvalidInputError):
        marshal(value)


@pytest.mark.parametrize(
    "value", [10**38, -(10**38), 10**125, 12345678901234567890123456789012345678 * 10**88]
)
def test_integers_count_significant_digits_only(value: int) -> None:
    # DynamoDB stores these (trailing zeros of an integer are not significant digits).
    assert unmarshal(marshal(value)) == value


def test_the_message_states_the_significant_digit_rule() -> None:
    with pytest.raises(InvalidInputError, match="38 significant digits"):
        marshal(10**38 + 1)


@pytest.mark.parametrize(
    "text",
    [
        "0.10000000000000000001",  # more digits than a double holds
        "3.14159265358979323846264338327950288",
        "1e400",  # beyond a double
    ],
)
def test_over_precise_stored_decimals_are_refused_not_rounded(text: str) -> None:
    with pytest.raises(IntegrityError):
        unmarshal({"N": text})


@given(finite_floats)
def test_what_an_engine_spells_out_in_full_can_be_written_again(value: float) -> None:
    # dynalite answers a float of 1e38 and up as an integer of up to 126 digits, and a small
    # one as a decimal with every zero: the codec reads both and writes them again.
    exact = Decimal(repr(value + 0.0))
    spelled = f"{exact:f}"
    if spelled.endswith(".0"):
        spelled = spelled[:-2]
    back = unmarshal({"N": spelled})
    assert isinstance(back, (int, float))
    assert marshal(back) == marshal(back)  # no InvalidInputError
    assert Decimal(marshal(back)["N"]) == exact  # type: ignore[arg-type]


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        marshal({1, 2})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        marshal({1: "int key"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"S": "a", "N": "1"},
        {"N": "1e5x"},
        {"N": "9" * 201},
        {"N": 12},
        {"SS": ["a"]},
        {"BOOL": "true"},
        {"NULL": False},
        {"L": "not a list"},
        {"M": {"k": {"X": 1}}},
        "S",
    ],
)
def test_malformed_stored_values_are_integrity_errors(raw: object) -> None:
    with pytest.raises(IntegrityError):
        unmarshal(raw)


def test_numbers_come_back_as_int_or_float_never_decimal() -> None:
    assert unmarshal({"N": "42"}) == 42
    assert isinstance(unmarshal({"N": "42"}), int)
    assert unmarshal({"N": "0.1"}) == 0.1
    assert unmarshal({"N": "-1E-130"}) == -1e-130
    assert marshal(-0.0) == {"N": "0"}
    assert marshal(0.1) == {"N": "0.1"}


@pytest.mark.parametrize(
    "value",
    [1e-130, -1e-130, math.nextafter(1e126, 0), -math.nextafter(1e126, 0), 10**38 - 1],
)
def test_numbers_at_the_edges_of_dynamodbs_range_are_accepted(value: float) -> None:
    assert unmarshal(marshal(value)) == value
