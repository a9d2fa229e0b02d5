"""Logs carry ids, sizes and capacity; never CV text, never the token secret."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from tests.conftest import TOKEN_SECRET, Store
from tests.engines.faults import Fault, error_body
from tests.factories import make_data

if TYPE_CHECKING:
    import io

MARKER = "Quetzalcoatl-Marker-Phrase"


def test_no_cv_text_or_secret_reaches_the_logs(store: Store, log_output: io.StringIO) -> None:
    handler = store.handler()
    rng = random.Random(11)
    data = make_data(rng, user_id="u-log")
    data.tailored_cv.executive_summary = f"{MARKER} leads teams"
    data.tailored_cv.experience[0].highlights.append(MARKER)
    data.metadata.keywords_matched.append(MARKER)
    ids = []
    for _ in range(3):
        store.clock.advance(timedelta(seconds=1))
        saved = handler.save_tailored_cv("app-log", data)
        assert saved.success
        ids.append(saved.data)
    page = handler.list_tailored_cvs_for_user("u-log", limit=1)
    assert page.success
    assert handler.list_tailored_cvs_for_user(
        "u-log", limit=1, start_key=page.data["last_evaluated_key"]
    ).success
    assert handler.get_tailored_cv(*ids[0].split("#")).success
    assert handler.list_tailored_cvs_for_application("app-log").success
    assert handler.delete_tailored_cv(*ids[1].split("#")).success
    Fault(store.client, "GetItem", times=5, body=error_body("ThrottlingException", "Rate exceeded"))
    assert not handler.get_tailored_cv(*ids[2].split("#")).success

    logs = log_output.getvalue()
    assert "tailored CV saved" in logs
    assert ids[0] in logs
    assert "consumed_wcu" in logs
    assert "THROTTLED" in logs
    assert MARKER not in logs
    assert TOKEN_SECRET.decode() not in logs
