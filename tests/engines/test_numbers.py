"""Numbers by DynamoDB's rule, on every engine: what the codec writes is stored, what an engine
hands back the codec reads and writes again as the same number, and a stored decimal a float
cannot hold is refused, never rounded."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careervp.dal.codec import marshal, unmarshal
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import key_of, tamper

if TYPE_CHECKING:
    from tests.conftest import Store

finite_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0.0 or 1e-130 <= abs(x) < 1e126
)
# Up to 38 significant digits, trailing zeros free, anywhere in DynamoDB's range.
big_ints = st.builds(
    lambda digits, zeros, sign: sign * digits * 10**zeros,
    st.integers(min_value=1, max_value=10**38 - 1),
    st.integers(min_value=0, max_value=87),
    st.sampled_from([1, -1]),
)


# Each example crosses the network: no deadline (a loaded machine is not a failure).
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(numbers=st.lists(st.one_of(finite_floats, big_ints), min_size=1, max_size=40))
def test_every_number_read_back_from_an_engine_is_written_again_unchanged(
    store: Store, numbers: list[float]
) -> None:
    values = {f"n{i}": marshal(n) for i, n in enumerate(numbers)}
    key = {"application_id": {"S": "numbers"}, "created_at": {"S": "x"}}
    store.client.put_item(TableName=store.table_name, Item={**key, "m": {"M": values}})
    back = store.client.get_item(TableName=store.table_name, Key=key, ConsistentRead=True)
    stored = back["Item"]["m"]["M"]
    for name, sent in values.items():
        read = unmarshal(stored[name])
        assert isinstance(read, (int, float))
        again = marshal(read)  # never refused: what an engine holds, the codec can write
        assert Decimal(again["N"]) == Decimal(sent["N"]), (sent, stored[name], again)  # type: ignore[arg-type]


def test_an_over_precise_stored_decimal_is_an_integrity_error(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(3), user_id="u-num")
    data.metadata.relevance_score = 0.1
    saved = handler.save_tailored_cv("app-num", data)
    assert saved.success
    # The same value to a float, but not to DynamoDB: the checksum would not see a rounding.
    tamper(
        store.client,
        store.table_name,
        saved.data,
        lambda raw: raw["metadata"]["M"].update(relevance_score={"N": "0.1000000000000000000001"}),
    )
    got = handler.get_tailored_cv(*key_of(saved.data))
    assert got.code is ResultCode.INTEGRITY_ERROR, got
    assert saved.data in (got.error or "")


def test_an_integer_a_float_field_cannot_hold_is_an_integrity_error(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(4), user_id="u-num")
    data.token_usage.cost_usd = 1e30
    saved = handler.save_tailored_cv("app-num", data)
    assert saved.success
    assert handler.get_tailored_cv(*key_of(saved.data)).success
    tamper(
        store.client,
        store.table_name,
        saved.data,
        lambda raw: raw["token_usage"]["M"].update(
            cost_usd={"N": "1000000000000000000000000000001"}
        ),
    )
    assert handler.get_tailored_cv(*key_of(saved.data)).code is ResultCode.INTEGRITY_ERROR


def test_integers_with_trailing_zeros_are_stored(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(5), user_id="u-num")
    data.token_usage.input_tokens = 10**40
    data.tailored_cv.source_cv_version = 12 * 10**60
    saved = handler.save_tailored_cv("app-num", data)
    assert saved.success, saved.error
    got = handler.get_tailored_cv(*key_of(saved.data))
    assert got.success, got.error
    assert got.data.token_usage.input_tokens == 10**40
    assert got.data.tailored_cv.source_cv_version == 12 * 10**60
