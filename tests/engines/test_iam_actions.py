"""The handler calls only the DynamoDB actions its IAM policy grants (``HANDLER_ACTIONS``)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from careervp.dal.table import HANDLER_ACTIONS
from tests.factories import make_data

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
    application_id, created_at = saved.data.split("#")
    assert handler.get_tailored_cv(application_id, created_at).success
    assert handler.list_tailored_cvs_for_user("u-iam").success
    assert handler.list_tailored_cvs_for_application(application_id).success
    assert handler.delete_tailored_cv(application_id, created_at).success
    assert handler.save_tailored_cv("app-iam", make_data(random.Random(2), user_id="u-iam")).success
    assert handler.delete_all_tailored_cvs_for_user("u-iam").data == 1
    assert called == set(HANDLER_ACTIONS)
