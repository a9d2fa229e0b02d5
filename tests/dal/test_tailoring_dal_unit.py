"""The task file's DAL tests (save, retrieval, query, errors), on moto's in-process mock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import create_table
from careervp.models.result import ResultCode
from careervp.models.tailor import TailoredCVData
from support.factories import make_data
from support.raw import artifact_of
from tests.conftest import TOKEN_SECRET, Clock

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.conftest import Records

TABLE = "cv-tailored-artifacts"


@pytest.fixture
def dal(clock: Clock) -> Iterator[DynamoDalHandler]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        yield DynamoDalHandler(client, TABLE, clock=clock, token_secret=TOKEN_SECRET)


@pytest.fixture
def tailored() -> TailoredCVData:
    return make_data(random.Random(42), user_id="user_123", job_id="job_9")


def _raw_items() -> list[dict[str, dict[str, object]]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return client.scan(TableName=TABLE)["Items"]  # type: ignore[return-value]


class TestSaveOperations:
    def test_save_tailored_cv_creates_item(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        result = dal.save_tailored_cv("app_123", tailored)
        assert result.success
        items = _raw_items()
        assert len(items) == 1
        assert items[0]["application_id"] == {"S": "app_123"}
        assert items[0]["user_id"] == {"S": "user_123"}

    def test_save_tailored_cv_includes_ttl(
        self, dal: DynamoDalHandler, tailored: TailoredCVData, clock: Clock
    ) -> None:
        clock.now = clock.now.replace(microsecond=999_999)
        assert dal.save_tailored_cv("app_123", tailored).success
        (item,) = _raw_items()
        expiry = int(str(item["expiration_timestamp"]["N"]))
        created = datetime.strptime(str(item["created_at"]["S"]), "%Y-%m-%dT%H:%M:%S.%f%z")
        assert created == clock.now
        # Exactly 90 days after the creation second (floored, never rounded up).
        assert expiry == int(clock.now.timestamp() - 0.999_999) + 90 * 24 * 3600

    def test_save_tailored_cv_returns_artifact_id(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        result = dal.save_tailored_cv("app_123", tailored)
        assert result.success
        assert result.data == "app_123#2026-11-26T10:30:00.000000Z"


class TestRetrievalOperations:
    def test_get_tailored_cv_retrieves_item(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        saved = dal.save_tailored_cv("app_123", tailored)
        assert saved.success
        result = dal.get_tailored_cv("app_123", "2026-11-26T10:30:00.000000Z")
        assert result.success
        assert result.data.tailored_cv.executive_summary == tailored.tailored_cv.executive_summary

    def test_get_tailored_cv_returns_not_found(self, dal: DynamoDalHandler) -> None:
        result = dal.get_tailored_cv("app_123", "2025-02-04T10:30:00.000000Z")
        assert not result.success
        assert result.code is ResultCode.NOT_FOUND
        assert "not found" in (result.error or "").lower()
        assert "app_123#2025-02-04T10:30:00.000000Z" in (result.error or "")

    def test_get_tailored_cv_reconstructs_model(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        assert dal.save_tailored_cv("app_123", tailored).success
        result = dal.get_tailored_cv("app_123", "2026-11-26T10:30:00.000000Z")
        assert result.success
        assert isinstance(result.data, TailoredCVData)
        assert result.data.tailored_cv == tailored.tailored_cv
        assert result.data.metadata == tailored.metadata
        assert result.data.token_usage == tailored.token_usage
        assert result.data.artifact is not None
        assert artifact_of(result.data).artifact_id == "app_123#2026-11-26T10:30:00.000000Z"


class TestQueryOperations:
    def test_list_by_user_uses_the_gsi_newest_first(
        self, dal: DynamoDalHandler, clock: Clock
    ) -> None:
        rng = random.Random(1)
        for app, user in [("app_1", "user_a"), ("app_2", "user_b"), ("app_3", "user_a")]:
            clock.advance(timedelta(seconds=1))
            assert dal.save_tailored_cv(app, make_data(rng, user_id=user)).success
        result = dal.list_tailored_cvs_for_user("user_a", limit=5)
        assert result.success
        apps = [artifact_of(item).application_id for item in result.data["items"]]
        assert apps == ["app_3", "app_1"]
        assert result.data["count"] == 2
        assert result.data["last_evaluated_key"] is None

    def test_list_by_application_returns_every_version(
        self, dal: DynamoDalHandler, clock: Clock
    ) -> None:
        rng = random.Random(2)
        for _ in range(3):
            clock.advance(timedelta(seconds=1))
            assert dal.save_tailored_cv("app_1", make_data(rng)).success
        assert dal.save_tailored_cv("app_other", make_data(rng)).success
        result = dal.list_tailored_cvs_for_application("app_1")
        assert result.success
        created = [artifact_of(item).created_at for item in result.data]
        assert created == sorted(created, reverse=True)
        assert len(created) == 3

    def test_list_by_user_supports_pagination(self, dal: DynamoDalHandler, clock: Clock) -> None:
        rng = random.Random(3)
        for index in range(5):
            clock.advance(timedelta(seconds=1))
            assert dal.save_tailored_cv(f"app_{index}", make_data(rng, user_id="user_p")).success
        first = dal.list_tailored_cvs_for_user("user_p", limit=2)
        assert first.success
        token = first.data["last_evaluated_key"]
        assert isinstance(token, str)
        second = dal.list_tailored_cvs_for_user("user_p", limit=2, start_key=token)
        assert second.success
        third = dal.list_tailored_cvs_for_user(
            "user_p", limit=2, start_key=second.data["last_evaluated_key"]
        )
        assert third.success
        assert third.data["last_evaluated_key"] is None
        pages = [first.data, second.data, third.data]
        apps = [artifact_of(i).application_id for p in pages for i in p["items"]]
        assert apps == ["app_4", "app_3", "app_2", "app_1", "app_0"]


class TestDeleteOperations:
    def test_delete_removes_the_version(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        assert dal.save_tailored_cv("app_123", tailored).success
        assert dal.delete_tailored_cv("app_123", "2026-11-26T10:30:00.000000Z").success
        # What stays is the tombstone that keeps the version removed: nothing personal.
        (left,) = _raw_items()
        assert set(left) == {
            "application_id",
            "created_at",
            "write_id",
            "tombstone",
            "delete_id",
            "expiration_timestamp",
        }
        assert dal.get_tailored_cv("app_123", "2026-11-26T10:30:00.000000Z").code is (
            ResultCode.NOT_FOUND
        )
        again = dal.delete_tailored_cv("app_123", "2026-11-26T10:30:00.000000Z")
        assert again.code is ResultCode.NOT_FOUND


class TestErrorHandling:
    def test_handles_dynamodb_errors_gracefully(self, tailored: TailoredCVData) -> None:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            dal = DynamoDalHandler(client, "missing-table", token_secret=TOKEN_SECRET)
            result = dal.save_tailored_cv("app_123", tailored)
        assert result.code is ResultCode.DATABASE_ERROR
        assert "missing-table" in (result.error or "")

    def test_returns_result_with_error_details(
        self, dal: DynamoDalHandler, tailored: TailoredCVData
    ) -> None:
        tailored.metadata.user_id = "  padded  "
        result = dal.save_tailored_cv("app_123", tailored)
        assert result.code is ResultCode.VALIDATION_ERROR
        assert result.error == "metadata.user_id must not start or end with white space"
        assert result.data is None
        assert _raw_items() == []

    def test_logs_failures_with_ids_not_content(
        self, tailored: TailoredCVData, log_records: Records
    ) -> None:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            dal = DynamoDalHandler(client, "missing-table", token_secret=TOKEN_SECRET)
            assert not dal.save_tailored_cv("app_123", tailored).success
        (failure,) = log_records.records
        assert failure.getMessage().startswith("save_tailored_cv failed: DATABASE_ERROR: ")
        assert failure.__dict__["code"] == "DATABASE_ERROR"
        assert "missing-table" in failure.__dict__["error"]
        assert tailored.tailored_cv.executive_summary not in log_records.text()
