"""The handler's requests and error mapping, on a client stubbed with botocore's ``Stubber``."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from careervp.dal import dynamo_dal_handler
from careervp.dal.codec import encode_item
from careervp.dal.dynamo_dal_handler import MAX_SAVE_ATTEMPTS, DynamoDalHandler
from careervp.models.result import ResultCode
from tests.conftest import TOKEN_SECRET, Clock
from tests.factories import make_data

if TYPE_CHECKING:
    import io
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

TABLE = "tailored"
FILTER = "NOT (attribute_type(expiration_timestamp, :number) AND expiration_timestamp <= :now)"
NOW = 1_795_689_000  # 2026-11-26T10:30:00Z


@pytest.fixture
def client() -> DynamoDBClient:
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


@pytest.fixture
def stub(client: DynamoDBClient) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def dal(client: DynamoDBClient, clock: Clock) -> DynamoDalHandler:
    return DynamoDalHandler(client, TABLE, clock=clock, token_secret=TOKEN_SECRET)


def _items(count: int, user_id: str = "u-1") -> list[dict[str, Any]]:
    rng = random.Random(count)
    return [
        encode_item(
            f"app-{i}",
            f"2026-11-26T10:29:{59 - i:02d}.000000Z",
            NOW + 1000,
            make_data(rng, user_id=user_id, json_bytes=400),
        ).item
        for i in range(count)
    ]


def _query(limit: int, start: dict[str, Any] | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": "user_id_created_at_gsi",
        "KeyConditionExpression": "user_id = :user_id",
        "FilterExpression": FILTER,
        "ExpressionAttributeValues": {
            ":user_id": {"S": "u-1"},
            ":now": {"N": str(NOW)},
            ":number": {"S": "N"},
        },
        "ScanIndexForward": False,
        "ReturnConsumedCapacity": "TOTAL",
        "Limit": limit,
    }
    if start is not None:
        params["ExclusiveStartKey"] = start
    return params


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ("application_id", "created_at", "user_id")}


def test_a_page_reads_one_item_ahead_and_the_token_resumes_after_the_page(
    dal: DynamoDalHandler, stub: Stubber
) -> None:
    items = _items(3)
    stub.add_response(
        "query",
        {"Items": items, "Count": 3, "LastEvaluatedKey": _key(items[2])},
        _query(3),
    )
    page = dal.list_tailored_cvs_for_user("u-1", limit=2)
    assert page.success
    assert [i.artifact.application_id for i in page.data["items"]] == ["app-0", "app-1"]  # type: ignore[union-attr]
    token = page.data["last_evaluated_key"]
    assert token is not None

    stub.add_response("query", {"Items": items[2:], "Count": 1}, _query(3, _key(items[1])))
    last = dal.list_tailored_cvs_for_user("u-1", limit=2, start_key=token)
    assert last.success
    assert last.data["count"] == 1
    assert last.data["last_evaluated_key"] is None


def test_expired_items_make_the_next_round_ask_for_more(
    dal: DynamoDalHandler, stub: Stubber
) -> None:
    items = _items(4)
    # Round one: DynamoDB read three items but only one was live (the filter dropped two).
    stub.add_response(
        "query", {"Items": items[:1], "Count": 1, "LastEvaluatedKey": _key(items[0])}, _query(3)
    )
    stub.add_response(
        "query",
        {"Items": items[1:4], "Count": 3, "LastEvaluatedKey": _key(items[3])},
        _query(6, _key(items[0])),
    )
    page = dal.list_tailored_cvs_for_user("u-1", limit=2)
    assert page.success
    assert page.data["count"] == 2
    assert page.data["last_evaluated_key"] is not None


def test_a_page_ending_exactly_at_the_end_has_no_token(
    dal: DynamoDalHandler, stub: Stubber
) -> None:
    items = _items(2)
    # DynamoDB may return a LastEvaluatedKey even when nothing follows; the store looks.
    stub.add_response(
        "query", {"Items": items, "Count": 2, "LastEvaluatedKey": _key(items[1])}, _query(3)
    )
    stub.add_response("query", {"Items": [], "Count": 0}, _query(6, _key(items[1])))
    page = dal.list_tailored_cvs_for_user("u-1", limit=2)
    assert page.success
    assert page.data["count"] == 2
    assert page.data["last_evaluated_key"] is None


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("ProvisionedThroughputExceededException", "Rate", ResultCode.THROTTLED),
        ("ThrottlingException", "Rate", ResultCode.THROTTLED),
        ("RequestLimitExceeded", "Account limit", ResultCode.THROTTLED),
        ("ResourceNotFoundException", "Requested resource not found", ResultCode.DATABASE_ERROR),
        (
            "ValidationException",
            "Item size has exceeded the maximum allowed size",
            ResultCode.ITEM_TOO_LARGE,
        ),
        (
            "ValidationException",
            "One or more parameter values were invalid",
            ResultCode.DATABASE_ERROR,
        ),
        ("InternalServerError", "boom", ResultCode.DATABASE_ERROR),
        ("AccessDeniedException", "not authorized", ResultCode.DATABASE_ERROR),
    ],
)
def test_service_errors_map_to_result_codes(
    dal: DynamoDalHandler, stub: Stubber, code: str, message: str, expected: ResultCode
) -> None:
    stub.add_client_error("put_item", service_error_code=code, service_message=message)
    result = dal.save_tailored_cv("app-1", make_data(random.Random(1)))
    assert result.code is expected
    assert TABLE in (result.error or "")


def test_collisions_retry_with_the_next_microsecond_then_conflict(
    dal: DynamoDalHandler, stub: Stubber
) -> None:
    for attempt in range(MAX_SAVE_ATTEMPTS):
        expected = {
            "TableName": TABLE,
            "Item": ANY,
            "ConditionExpression": "attribute_not_exists(application_id)",
            "ReturnConsumedCapacity": "TOTAL",
        }
        stub.add_client_error(
            "put_item",
            service_error_code="ConditionalCheckFailedException",
            expected_params=expected,
        )
        del attempt
    result = dal.save_tailored_cv("app-1", make_data(random.Random(1)))
    assert result.code is ResultCode.CONFLICT
    assert f"{MAX_SAVE_ATTEMPTS} attempts" in (result.error or "")


def test_an_unexpected_exception_becomes_a_database_error(
    dal: DynamoDalHandler, monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(dal._client, "get_item", explode)
    result = dal.get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
    assert result.code is ResultCode.DATABASE_ERROR
    assert result.error == "unexpected RuntimeError while reading a tailored CV on table tailored"
    assert "unexpected failure" in log_output.getvalue()


def test_the_constructor_needs_a_table_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAILORED_CV_TABLE_NAME", raising=False)
    with pytest.raises(ValueError, match="TAILORED_CV_TABLE_NAME"):
        DynamoDalHandler(boto3.client("dynamodb", region_name="us-east-1"))


def test_configuration_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAILORED_CV_TABLE_NAME", "from-env")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1234")
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "a-configured-secret-of-length")
    dal = DynamoDalHandler()
    assert dal.table_name == "from-env"
    assert dal.endpoint == "http://127.0.0.1:1234"
    retries = getattr(dal._client.meta.config, "retries", None)
    assert retries is not None
    assert retries["mode"] in ("standard", "adaptive")


def test_the_application_listing_follows_every_dynamodb_page(
    dal: DynamoDalHandler, stub: Stubber
) -> None:
    items = _items(3)

    def query(start: dict[str, Any] | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "TableName": TABLE,
            "KeyConditionExpression": "application_id = :application_id",
            "ExpressionAttributeValues": {
                ":application_id": {"S": "app-x"},
                ":now": {"N": str(NOW)},
                ":number": {"S": "N"},
            },
            "ConsistentRead": True,
            "FilterExpression": FILTER,
            "ScanIndexForward": False,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if start is not None:
            params["ExclusiveStartKey"] = start
        return params

    stub.add_response(
        "query", {"Items": items[:2], "Count": 2, "LastEvaluatedKey": _key(items[1])}, query(None)
    )
    stub.add_response(
        "query",
        {"Items": [], "Count": 0, "LastEvaluatedKey": _key(items[1])},
        query(_key(items[1])),
    )
    stub.add_response("query", {"Items": items[2:], "Count": 1}, query(_key(items[1])))
    versions = dal.list_tailored_cvs_for_application("app-x")
    assert versions.success
    assert [v.artifact.application_id for v in versions.data] == ["app-0", "app-1", "app-2"]  # type: ignore[union-attr]


def test_secrets_come_from_the_environment(
    client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "the-current-secret-0123")
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET_PREVIOUS", "the-previous-secret-456")
    dal = DynamoDalHandler(client, TABLE)
    assert dal._signer._secrets == (b"the-current-secret-0123", b"the-previous-secret-456")


def test_a_missing_secret_warns_once_per_process(
    client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    monkeypatch.delenv("TAILORED_CV_PAGINATION_SECRET", raising=False)
    dynamo_dal_handler._process_secret.cache_clear()
    first = DynamoDalHandler(client, TABLE)
    second = DynamoDalHandler(client, TABLE)
    assert log_output.getvalue().count("TAILORED_CV_PAGINATION_SECRET is not set") == 1
    assert first._signer._secrets == second._signer._secrets
    secret = first._signer._secrets[0]
    assert secret.hex() not in log_output.getvalue()
