"""The handler calls only the DynamoDB actions its IAM policy grants (``HANDLER_ACTIONS``)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from careervp.dal.table import HANDLER_ACTIONS
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from tests.conftest import Store


def test_every_method_stays_within_the_policy(store: Store) -> None:
    called: set[str] = set()

    def record(model: object, **_: object) -> None:
        called.add(f"dynamodb:{getattr(model, 'name', '')}")

    store.client.meta.events.register("before-call.dynamodb", record)
    handler = store.handler()
    saved = handler.save_tailored_cv("app-iam", make_data(random.Random(1), user_id="u-iam"))
    assert saved.success
    application_id, created_at = key_of(saved.data)
    # A keyed save in the same microsecond collides and moves its idempotency record.
    keyed = handler.save_tailored_cv(
        "app-iam", make_data(random.Random(3), user_id="u-iam"), idempotency_key="k-1"
    )
    assert keyed.success
    assert handler.get_tailored_cv(application_id, created_at).success
    assert handler.get_latest_tailored_cv(application_id).success
    assert handler.list_tailored_cvs_for_user("u-iam").success
    assert handler.list_tailored_cvs_for_application(application_id).success
    assert handler.list_tailored_cvs_for_application_page(application_id).success
    assert handler.export_tailored_cvs_for_user("u-iam").success
    assert handler.count_tailored_cvs_for_user("u-iam").success
    assert handler.delete_tailored_cv(application_id, created_at).success
    assert handler.save_tailored_cv("app-iam", make_data(random.Random(2), user_id="u-iam")).success
    assert handler.delete_all_tailored_cvs_for_user("u-iam").data == 2
    # DeleteItem only releases the claim of a keyed save DynamoDB refused for its size
    # (test_idempotency.py); removals strip versions to tombstones (UpdateItem).
    assert called == set(HANDLER_ACTIONS) - {"dynamodb:DeleteItem"}
