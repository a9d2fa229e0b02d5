"""DynamoDB numbers: what can be stored, its wire text, its size, and the walk over a model.

DynamoDB holds up to 38 significant digits between 1E-130 and 9.99...9E+125 (38 nines) in
magnitude, as decimals (an integer's trailing zeros are not significant: 10**125 has one):
``-0.0`` comes back as ``0`` and ``1.0`` as ``1``. ``normalise`` walks a
model's fields (from ``msgspec``'s own type information, so a new field is covered without
editing a list), refuses every number DynamoDB cannot hold and turns each float into the float a
reader will get back, so a checksum computed on save is the one a read recomputes.
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "check_number",
    "normalise",
    "number_size",
    "number_text",
    "parse_number",
    "same_number",
]

MAX_DIGITS = 38
_MAX = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN = Decimal("1E-130")
_INTEGER_LIMIT = 10**126  # the first integer above 9.99...9E+125
_MAX_ADJUSTED = 125  # the power of ten of DynamoDB's largest number
_MIN_ADJUSTED = -130
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
        whole = abs(value)
        # Compared before str(): a hostile integer of a million digits is refused, not printed.
        if whole >= _INTEGER_LIMIT:
            return "the number is outside DynamoDB's range (1E-130 to 9.99...9E+125)"
        significant = len(str(whole).rstrip("0"))
        if significant > MAX_DIGITS:
            return (
                f"DynamoDB keeps at most {MAX_DIGITS} significant digits (trailing zeros of an"
                f" integer do not count); this one has {significant}"
            )
        return None
    if not math.isfinite(value):
        return "NaN and infinity cannot be stored"
    magnitude = abs(value)
    # Only the edges need the exact decimal: the double nearest 9.99...9E+125 prints as 1e+126,
    # which DynamoDB refuses although the two floats are equal.
    if magnitude != 0.0 and not 1e-129 < magnitude < 9e125:
        exact = abs(Decimal(repr(value)))
        if not _MIN <= exact <= _MAX:
            return "the number is outside DynamoDB's range (1E-130 to 9.99...9E+125)"
    return None


def number_text(value: int | float) -> str:
    """The ``N`` text sent for a number already accepted by ``check_number``."""
    if isinstance(value, int):
        text = str(value)
        if len(text) - (value < 0) <= MAX_DIGITS:
            return text
        # Past 38 digits only trailing zeros remain (check_number): written with an exponent,
        # as some engines' own decimal parsers refuse 39 spelled-out digits (moto's server).
        digits = text.rstrip("0")
        return f"{digits}E+{len(text) - len(digits)}"
    if value == 0.0:
        return "0"  # DynamoDB has no negative zero
    return repr(value)  # the shortest text that parses back to the same double


def parse_number(text: object) -> int | float | None:
    """An ``N`` value read back, as ``int`` or ``float`` (never ``Decimal``); ``None`` if bad."""
    if type(text) is not str or len(text) > _MAX_NUMBER_TEXT:
        return None
    if text.isdecimal() and text.isascii():  # the common case, without a regex
        return int(text)
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        if "e" in text or "E" in text:
            exact = Decimal(text)
            if exact and not _MIN_ADJUSTED <= exact.adjusted() <= _MAX_ADJUSTED:
                return None  # beyond DynamoDB's range; "1e99999999" must never reach int()
            if "." not in text and exact == exact.to_integral_value():
                # An integer written with an exponent (by this codec past 38 digits, or by an
                # engine); a float's shortest text keeps its point or comes back as a float.
                return int(exact)
        decimal = float(text)
        # What a float cannot hold exactly is refused, never rounded: the stored decimal must
        # be the float's own shortest text (an engine may spell it differently).
        return decimal if same_number(text, decimal) else None
    return None


def same_number(text: str, number: float) -> bool:
    """Whether the decimal ``text`` is exactly the number a reader of ``number`` stores."""
    shortest = repr(number)
    if shortest == text:
        return True
    if not math.isfinite(number):
        return False
    return Decimal(text) == Decimal(shortest)


def number_size(text: str) -> int:
    """Bytes DynamoDB counts for a number: its digits in base-100 pairs, plus sign and length.

    Digit pairs align on the decimal point, so an even count of significant digits starting at
    an even power of ten spills into one more pair; a negative number takes a terminator byte.
    """
    negative = text.startswith("-")
    mantissa, _, exponent = text.lstrip("-").lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    significant = digits.lstrip("0")
    count = len(significant.rstrip("0"))
    if count == 0:
        return 1  # zero
    # The power of ten of the first significant digit.
    power = len(whole) - 1 - (len(digits) - len(significant)) + int(exponent or 0)
    spill = 1 if count % 2 == 0 and power % 2 == 0 else 0
    return 1 + (count + 1) // 2 + spill + negative


# -- the walk over a model ---------------------------------------------------------------------


def _number(value: object, path: str) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    problem = check_number(value)
    if problem is not None:
        raise InvalidInputError(f"{path} cannot be stored: {problem}")
    return value + 0.0 if isinstance(value, float) else value  # -0.0 + 0.0 is 0.0


def _all_of(parts: list[Callable[[object, str], object]]) -> Callable[[object, str], object]:
    def fix(value: object, path: str) -> object:
        for part in parts:
            value = part(value, path)
        return value

    return fix


def _each_item(inner: Callable[[object, str], object]) -> Callable[[object, str], object]:
    def fix(value: object, path: str) -> object:
        if not isinstance(value, list):
            return value
        return [inner(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return fix


def _each_value(inner: Callable[[object, str], object]) -> Callable[[object, str], object]:
    def fix(value: object, path: str) -> object:
        if not isinstance(value, dict):
            return value
        return {k: inner(v, f"{path}.{k}") for k, v in value.items()}

    return fix


def _fixer(info: msgspec.inspect.Type) -> Callable[[object, str], object] | None:
    """A function fixing every number in a value of this type, or ``None`` if it holds none."""
    if isinstance(info, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
        return _number
    if isinstance(info, msgspec.inspect.UnionType):
        parts = [f for f in map(_fixer, info.types) if f is not None]
        return _all_of(parts) if parts else None
    if isinstance(info, msgspec.inspect.ListType):
        item = _fixer(info.item_type)
        return None if item is None else _each_item(item)
    if isinstance(info, msgspec.inspect.DictType):
        value = _fixer(info.value_type)
        return None if value is None else _each_value(value)
    if isinstance(info, msgspec.inspect.StructType):
        return _struct_walk(info.cls)
    # Other containers (tuples, sets) hold no numbers in these models; a new field using one
    # with numbers inside would need a line here, and the model-walk test would say so.
    return None


@functools.cache
def _struct_walk(cls: type[msgspec.Struct]) -> Callable[[object, str], object] | None:
    info = msgspec.inspect.type_info(cls)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{cls.__name__} is not a msgspec Struct")
    fields = [(f.name, fixer) for f in info.fields if (fixer := _fixer(f.type)) is not None]
    if not fields:
        return None

    def walk(value: object, path: str) -> object:
        if isinstance(value, cls):
            for name, fix in fields:
                setattr(value, name, fix(getattr(value, name), f"{path}.{name}"))
        return value

    return walk


def normalise(value: msgspec.Struct, path: str) -> None:
    """Check every number in ``value`` (in place) and make each float what a reader gets back.

    ``value`` must already conform to its type (the store converts every model strictly first),
    so the walk is as deep as the model, never deeper.
    """
    walk = _struct_walk(type(value))
    if walk is not None:
        walk(value, path)
