"""An idempotency record decides a save's answer only if this store wrote it for that
application, that key and that content.

Each record carries a keyed value (``record_mac``) over its application, key, version and
fingerprint. A raw writer without the store's secret can copy, plant or edit records; none of
them makes a keyed save answer ``SUCCESS`` with another application's artifact id or for
content it did not store (release 0.3.0 answered ``SUCCESS`` with app-A's id for app-B).
The same key with other content is ``CONFLICT``, also after the version was deleted or erased.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from careervp.dal.schema import RECORD_MAC, VERSION_DELETED, record_key
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import key_of
from tests.conftest import TOKEN_SECRET

if TYPE_CHECKING:
    from careervp.models.tailor import TailoredCVData
    from tests.conftest import Store

KEY = "req-shared"


def _data(seed: int = 1) -> TailoredCVData:
    return make_data(random.Random(seed), user_id="u-rec")


def _record(store: Store, application_id: str) -> dict[str, Any]:
    found = store.client.get_item(
        TableName=store.table_name, Key=record_key(application_id, KEY), ConsistentRead=True
    )
    return dict(found["Item"])


def _plant(store: Store, application_id: str, record: dict[str, Any]) -> None:
    store.client.put_item(
        TableName=store.table_name, Item={**record, **record_key(application_id, KEY)}
    )


def _versions(store: Store, application_id: str) -> int:
    listed = store.handler().list_tailored_cvs_for_application(application_id)
    assert listed.success, listed.error
    return len(listed.data)


def test_a_record_copied_from_another_application_never_answers_for_it(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert first.success, first.error
    _plant(http_store, "app-b", _record(http_store, "app-a"))
    saved = handler.save_tailored_cv("app-b", _data(), idempotency_key=KEY)
    assert saved.code is ResultCode.CONFLICT, saved
    assert saved.error is not None
    assert "cannot verify" in saved.error
    assert _versions(http_store, "app-b") == 0


def test_a_copied_record_marked_deleted_never_answers_for_it(http_store: Store) -> None:
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert first.success, first.error
    copied = _record(http_store, "app-a")
    copied.pop("fingerprint")
    copied[VERSION_DELETED] = {"BOOL": True}
    _plant(http_store, "app-b", copied)
    saved = handler.save_tailored_cv("app-b", _data(5), idempotency_key=KEY)
    assert saved.code is ResultCode.CONFLICT, saved
    assert saved.data is None


def test_a_planted_record_without_its_keyed_value_decides_nothing(http_store: Store) -> None:
    handler = http_store.handler()
    planted = handler.save_tailored_cv("app-b", _data(2))
    assert planted.success
    # A record as 0.3.0 (or a raw writer) wrote it: pointing at a real version of app-b.
    _plant(
        http_store,
        "app-b",
        {
            "artifact_id": {"S": planted.data},
            "write_id": {"S": "w-planted"},
            "fingerprint": {"S": "0" * 64},
            "expiration_timestamp": {"N": str(int(http_store.clock.now.timestamp()) + 3600)},
        },
    )
    saved = handler.save_tailored_cv("app-b", _data(2), idempotency_key=KEY)
    assert saved.code is ResultCode.CONFLICT, saved


def test_an_edited_record_decides_nothing(http_store: Store) -> None:
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    other = handler.save_tailored_cv("app-a", _data(3))
    assert first.success
    assert other.success
    record = _record(http_store, "app-a")
    record["artifact_id"] = {"S": other.data}  # points the key at another version
    _plant(http_store, "app-a", record)
    saved = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert saved.code is ResultCode.CONFLICT, saved
    del record[RECORD_MAC]
    _plant(http_store, "app-a", record)
    again = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert again.code is ResultCode.CONFLICT, again


def test_a_genuine_record_verifies_in_another_handler_and_after_a_rotation(
    http_store: Store,
) -> None:
    first = http_store.handler().save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert first.success
    elsewhere = http_store.handler()
    assert elsewhere.save_tailored_cv("app-a", _data(), idempotency_key=KEY).data == first.data
    rotated = http_store.handler(token_secret=b"n" * 32, previous_token_secrets=(TOKEN_SECRET,))
    assert rotated.save_tailored_cv("app-a", _data(), idempotency_key=KEY).data == first.data
    assert _versions(http_store, "app-a") == 1


def test_a_key_reused_after_a_deletion_with_other_content_is_a_conflict(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert first.success
    assert handler.delete_tailored_cv(*key_of(first.data)).success
    other = handler.save_tailored_cv("app-a", _data(4), idempotency_key=KEY)
    assert other.code is ResultCode.CONFLICT, other
    same = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert same.data == first.data  # the repeat stores nothing
    assert _versions(http_store, "app-a") == 0


def test_a_key_reused_after_an_erasure_with_other_content_is_a_conflict(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert first.success
    assert handler.delete_all_tailored_cvs_for_user("u-rec").data == 1
    other = handler.save_tailored_cv("app-a", _data(4), idempotency_key=KEY)
    assert other.code is ResultCode.CONFLICT, other
    same = handler.save_tailored_cv("app-a", _data(), idempotency_key=KEY)
    assert same.data == first.data
    assert _versions(http_store, "app-a") == 0
