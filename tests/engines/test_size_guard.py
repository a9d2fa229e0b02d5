"""Items over DynamoDB's 400 KB limit, or CVs over the inflation cap, are refused before sending;
at the limit itself the guard and the engine agree to the byte."""

from __future__ import annotations

import base64
import random
import re
from typing import TYPE_CHECKING

import pytest

from careervp.dal.codec import MAX_ITEM_BYTES, item_size
from careervp.models.result import ResultCode
from support.factories import encode, make_data
from support.raw import key_of

if TYPE_CHECKING:
    from tests.conftest import Store


def _incompressible(rng: random.Random, chars: int) -> str:
    return base64.b64encode(rng.randbytes(chars * 3 // 4 + 3)).decode()[:chars]


def _stored_size(summary: str) -> int:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = summary
    return encode("app-size", "2026-11-26T10:30:00.000000Z", 1, data).size


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
    got = store.handler().get_tailored_cv(*key_of(saved.data))
    assert got.success
    assert got.data.tailored_cv.executive_summary == text[:low]


def test_a_cv_over_the_inflation_cap_is_refused_even_when_it_compresses(store: Store) -> None:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.skills = ["DynamoDB " * 1000] * 1000  # ~9 MB of JSON, tiny once gzipped
    result = store.handler().save_tailored_cv("app-size", data)
    assert result.code is ResultCode.ITEM_TOO_LARGE
    assert "inflate" in (result.error or "")
    assert store.count() == 0


# Numbers DynamoDB sizes by digit pairs: a negative one takes an extra byte, and an even count of
# digits starting at an even power of ten spills into an extra pair.
AWKWARD_NUMBERS = {
    "plain": (0.25, 0.5),
    "negative": (-0.25, 0.5),
    "even digits at an even power": (1.25, 12.34),
}


@pytest.mark.parametrize("numbers", sorted(AWKWARD_NUMBERS))
def test_guard_and_engine_agree_at_the_limit(http_store: Store, numbers: str) -> None:
    """dynalite enforces the 400 KB limit by DynamoDB's rules (moto's own limit is lower): an
    item the guard sizes at exactly the limit is accepted, one byte more is refused."""
    if http_store.engine.name != "dynalite":
        pytest.skip("only dynalite enforces DynamoDB's exact item limit")
    score, cost = AWKWARD_NUMBERS[numbers]
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = _incompressible(random.Random(3), 300_000)
    data.metadata.relevance_score = score
    data.token_usage.cost_usd = cost
    item = encode("app-edge", "2026-11-26T10:30:00.000000Z", 1_803_465_000, data).item
    for extra, accepted in ((0, True), (1, False)):
        padded = dict(item)
        # One more attribute: a one-letter name and as many bytes as reach the limit (+ extra).
        padded["p"] = {"S": "x" * (MAX_ITEM_BYTES + extra - item_size(item) - 1)}
        assert item_size(padded) == MAX_ITEM_BYTES + extra
        padded["created_at"] = {"S": f"2026-11-26T10:30:00.00000{extra}Z"}  # same size
        if accepted:
            http_store.client.put_item(TableName=http_store.table_name, Item=padded)
        else:
            with pytest.raises(http_store.client.exceptions.ClientError, match="size"):
                http_store.client.put_item(TableName=http_store.table_name, Item=padded)
    assert http_store.count() == 1


def test_an_item_refused_by_the_guard_is_item_too_large_with_its_size(store: Store) -> None:
    data = make_data(random.Random(0), json_bytes=500)
    data.tailored_cv.executive_summary = _incompressible(random.Random(4), 560_000)
    data.metadata.relevance_score = -1.25
    refused = store.handler().save_tailored_cv("app-size", data)
    assert refused.code is ResultCode.ITEM_TOO_LARGE
    match = re.search(r"would be (\d+) bytes", refused.error or "")
    assert match is not None, refused.error
    assert int(match.group(1)) > MAX_ITEM_BYTES
    assert store.count() == 0
