"""A strictly checked, normalised copy of a ``TailoredCVData`` given by a caller.

msgspec checks nothing when a Struct is built in code, so the store converts the value through
builtins with the model's own types (strict: no coercion, unknown fields refused, ``Meta``
constraints applied) and then walks its numbers (``_numbers.normalise``). What comes out can be
encoded without surprises; what does not is an ``InvalidInputError`` naming the field.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec

from careervp.dal.codec._numbers import normalise
from careervp.dal.errors import InvalidInputError
from careervp.models.tailor import TailoredCVData

__all__ = ["conform"]

# to_builtins would turn these into strings that a str field then accepts (bytes as base64);
# kept as they are, the strict conversion refuses them.
_KEPT_AS_IS = (bytes, bytearray, memoryview, datetime, date, time, timedelta, UUID, Decimal)


def conform(data: object) -> TailoredCVData:
    """The checked copy of ``data``, ``artifact`` dropped (it is ignored on save)."""
    if not isinstance(data, TailoredCVData):
        raise InvalidInputError(f"tailored_cv must be a TailoredCVData, not {type(data).__name__}")
    try:
        # ``artifact`` describes where a read found a version; whatever it holds is not saved.
        plain = msgspec.to_builtins(
            msgspec.structs.replace(data, artifact=None), builtin_types=_KEPT_AS_IS
        )
        checked = msgspec.convert(plain, TailoredCVData, strict=True)
    except msgspec.ValidationError as exc:
        raise InvalidInputError(f"the tailored CV is invalid: {exc}") from None
    except RecursionError:
        raise InvalidInputError("the tailored CV is nested too deeply or holds itself") from None
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"the tailored CV holds a value that cannot be stored: {exc}"
        ) from None
    normalise(checked, "tailored_cv_data")
    return checked
