"""Generated hostile arguments and generated damage to stored items: every outcome keeps its
code. Against a healthy engine nothing may come back as DATABASE_ERROR (that code is for the
database and the network) or INTERNAL_ERROR (a defect of the store)."""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import raw_item

if TYPE_CHECKING:
    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from tests.conftest import Store

NEVER_WITHOUT_A_FAULT = {ResultCode.DATABASE_ERROR, ResultCode.INTERNAL_ERROR}
CREATED = "2026-11-26T10:30:00.000000Z"
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "\ud800", "a#b", "x" * 2000, "2026-02-30T10:30:00.000000Z", CREATED]),
)
anything = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        text,
        st.binary(max_size=8),
        st.just(10**60),
        st.just(1e126),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)
# Paths into a TailoredCVData and the hostile value put there.
FIELDS = [
    ("tailored_cv", "source_cv_version"),
    ("tailored_cv", "executive_summary"),
    ("tailored_cv", "skills"),
    ("tailored_cv", "experience"),
    ("tailored_cv", "education"),
    ("metadata", "user_id"),
    ("metadata", "job_id"),
    ("metadata", "fvs_validation_passed"),
    ("metadata", "relevance_score"),
    ("metadata", "keywords_matched"),
    ("token_usage", "input_tokens"),
    ("token_usage", "cost_usd"),
]


def _calls(handler: DynamoDalHandler, a: Any, b: Any, c: Any) -> list[Any]:
    return [
        handler.get_tailored_cv(a, b),
        handler.get_latest_tailored_cv(a),
        handler.list_tailored_cvs_for_user(a, b, c),
        handler.list_tailored_cvs_for_application(a),
        handler.list_tailored_cvs_for_application_page(a, b, c),
        handler.delete_tailored_cv(a, b),
        handler.export_tailored_cvs_for_user(a),
        handler.count_tailored_cvs_for_user(a),
        handler.delete_all_tailored_cvs_for_user(a),
        handler.save_tailored_cv(a, b, idempotency_key=c),
    ]


@SETTINGS
@given(a=anything, b=anything, c=anything)
def test_hostile_arguments_to_every_method(store: Store, a: Any, b: Any, c: Any) -> None:
    for outcome in _calls(store.handler(), a, b, c):
        assert outcome.code not in NEVER_WITHOUT_A_FAULT, outcome


@SETTINGS
@given(
    edits=st.lists(st.tuples(st.sampled_from(FIELDS), anything), min_size=1, max_size=4),
    key=st.one_of(st.none(), text),
)
def test_hostile_models_are_refused_or_stored_never_mishandled(
    store: Store, edits: list[tuple[tuple[str, str], Any]], key: Any
) -> None:
    data = make_data(random.Random(1), json_bytes=500)
    for (part, name), value in edits:
        setattr(getattr(data, part), name, value)
    outcome = store.handler().save_tailored_cv(
        f"app-{uuid.uuid4().hex[:8]}", data, idempotency_key=key
    )
    assert outcome.code in (
        ResultCode.SUCCESS,
        ResultCode.VALIDATION_ERROR,
        ResultCode.ITEM_TOO_LARGE,
    ), outcome


attribute_values = st.recursive(
    st.one_of(
        st.builds(lambda s: {"S": s}, text),
        st.builds(
            lambda n: {"N": n},
            st.one_of(st.from_regex(r"-?[0-9]{1,38}(\.[0-9]{1,5})?", fullmatch=True), text),
        ),
        st.builds(lambda b: {"B": b}, st.binary(max_size=16)),
        st.builds(lambda b: {"BOOL": b}, st.booleans()),
        st.just({"NULL": True}),
    ),
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
        st.builds(
            lambda m: {"M": m}, st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)
        ),
    ),
    max_leaves=6,
)
ATTRIBUTES = [
    "user_id", "job_id", "cv_version", "tailored_cv", "metadata", "token_usage",
    "fvs_validation_passed", "expiration_timestamp", "checksum", "format_version", "write_id",
    "summary_mac",
]  # fmt: skip


@SETTINGS
@given(
    damage=st.lists(
        st.tuples(st.sampled_from(ATTRIBUTES), st.one_of(st.none(), attribute_values)),
        min_size=1,
        max_size=4,
    )
)
def test_damaged_items_are_integrity_errors_never_faults(
    store: Store, damage: list[tuple[str, dict[str, Any] | None]]
) -> None:
    handler = store.handler()
    user_id = f"u-{uuid.uuid4().hex[:8]}"
    saved = handler.save_tailored_cv(
        f"app-{user_id}", make_data(random.Random(2), user_id=user_id, json_bytes=500)
    )
    assert saved.success, saved.error
    before = handler.list_tailored_cv_summaries_for_user(user_id)
    assert before.success, before.error
    raw = raw_item(store.client, store.table_name, saved.data)
    for name, value in damage:
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
    try:
        store.client.put_item(TableName=store.table_name, Item=raw)
    except (ClientError, UnicodeEncodeError):
        return  # the engine refused to store this damage; nothing to read back
    application_id, created_at = saved.data.rsplit("#", 1)
    for outcome in _calls(handler, application_id, created_at, None)[:-1]:
        assert outcome.code not in NEVER_WITHOUT_A_FAULT, outcome
    for outcome in (
        handler.list_tailored_cvs_for_user(user_id),
        handler.list_tailored_cvs_for_application_page(application_id),
        handler.export_tailored_cvs_for_user(user_id),
    ):
        assert outcome.code not in NEVER_WITHOUT_A_FAULT, outcome
    summaries = handler.list_tailored_cv_summaries_for_user(user_id)
    assert summaries.success, summaries
    # Whatever the damage, a summary shown is the one saved: the keyed value, or the full
    # check of a version without it, catches every change.
    for summary in summaries.data["items"]:
        assert summary in before.data["items"], (summary, damage)
