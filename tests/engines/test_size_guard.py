"""Items over DynamoDB's 400 KB limit, or CVs over the inflation cap, are refused before sending."""

from __future__ import annotations

import base64
import random
from typing import TYPE_CHECKING

from careervp.dal.codec import MAX_ITEM_BYTES, encode_item
from careervp.models.result import ResultCode
from tests.factories import make_data

if TYPE_CHECKING:
    from tests.conftest import Store


def _incompressible(rng: random.Random, chars: int) -> str:
    return base64.b64encode(rng.randbytes(chars * 3 // 4 + 3)).decode()[:chars]


def _stored_size(summary: str) -> int:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = summary
    return encode_item("app-size", "2026-11-26T10:30:00.000000Z", 1, data).size


def test_an_incompressible_cv_over_400_kb_is_refused(store: Store) -> None:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = _incompressible(random.Random(1), 600_000)
    result = store.handler().save_tailored_cv("app-size", data)
    assert result.code is ResultCode.ITEM_TOO_LARGE
    assert "bytes" in (result.error or "")
    assert store.count() == 0


def test_a_cv_just_under_the_limit_is_accepted_by_guard_and_engine(store: Store) -> None:
    rng = random.Random(2)
    text = _incompressible(rng, 520_000)
    # Find the longest summary whose stored item is at most ~375 KB, by bisection on length.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _stored_size(text[:middle]) <= 375 * 1024:
            low = middle
        else:
            high = middle - 1
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = text[:low]
    assert 370 * 1024 < _stored_size(text[:low]) <= 375 * 1024 < MAX_ITEM_BYTES
    saved = store.handler().save_tailored_cv("app-size", data)
    assert saved.success, saved.error
    got = store.handler().get_tailored_cv(*saved.data.split("#"))
    assert got.success
    assert got.data.tailored_cv.executive_summary == text[:low]


def test_a_cv_over_the_inflation_cap_is_refused_even_when_it_compresses(store: Store) -> None:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.skills = ["DynamoDB " * 1000] * 1000  # ~9 MB of JSON, tiny once gzipped
    result = store.handler().save_tailored_cv("app-size", data)
    assert result.code is ResultCode.ITEM_TOO_LARGE
    assert "inflate" in (result.error or "")
    assert store.count() == 0
