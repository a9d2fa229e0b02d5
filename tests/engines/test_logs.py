"""Logs go through ``careervp.dal`` with ids, sizes and capacity; never CV text or secrets."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from support.factories import make_data
from support.faults import Fault, error_body
from support.raw import key_of
from tests.conftest import TOKEN_SECRET

if TYPE_CHECKING:
    from tests.conftest import Records, Store

MARKER = "Quetzalcoatl-Marker-Phrase"


def test_no_cv_text_or_secret_reaches_the_logs(store: Store, log_records: Records) -> None:
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
    assert handler.get_tailored_cv(*key_of(ids[0])).success
    assert handler.list_tailored_cvs_for_application("app-log").success
    assert handler.export_tailored_cvs_for_user("u-log").success
    assert handler.delete_tailored_cv(*key_of(ids[1])).success
    Fault(store.client, "GetItem", times=5, body=error_body("ThrottlingException", "Rate exceeded"))
    assert not handler.get_tailored_cv(*key_of(ids[2])).success

    records = log_records.records
    assert {r.name for r in records} == {"careervp.dal"}
    saves = [r for r in records if r.__dict__.get("action") == "save_tailored_cv"]
    assert [r.__dict__["artifact_id"] for r in saves] == ids
    assert all(r.levelno == logging.DEBUG for r in saves)
    assert all(r.__dict__["item_bytes"] > r.__dict__["json_bytes"] / 4 > 0 for r in saves)
    assert all(r.__dict__["consumed_capacity"] > 0 for r in saves if store.engine.name != "moto")
    (throttled,) = [r for r in records if r.levelno == logging.WARNING]
    assert throttled.__dict__["code"] == "THROTTLED"
    everything = log_records.text()
    assert MARKER not in everything
    assert TOKEN_SECRET.decode() not in everything
