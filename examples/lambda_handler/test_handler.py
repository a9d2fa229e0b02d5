"""The example handler's own tests, as a handler author would write them: moto's ``mock_aws``
stands in for DynamoDB, the table comes from ``careervp.dal.table``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from careervp.dal.table import create_table
from examples.lambda_handler import handler as app

if TYPE_CHECKING:
    from collections.abc import Iterator

TAILORED = {
    "tailored_cv": {
        "source_cv_version": 3,
        "executive_summary": "Platform engineer who ships.",
        "skills": ["Python", "DynamoDB"],
    },
    "metadata": {"user_id": "user-1", "job_id": "job-9", "fvs_validation_passed": True},
    "token_usage": {"input_tokens": 1200, "output_tokens": 800, "cost_usd": 0.02},
}


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("TAILORED_CV_TABLE_NAME", "tailored-cvs")
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "a-test-secret-of-32-characters!!")
    with mock_aws():  # the mock first, then every client, the handler's included
        create_table(boto3.client("dynamodb"), "tailored-cvs")
        app.store.cache_clear()
        yield
    app.store.cache_clear()


def _post(body: object) -> dict[str, Any]:
    event = {
        "requestContext": {"http": {"method": "POST"}},
        "pathParameters": {"application_id": "app-1"},
        "body": json.dumps(body),
    }
    return app.handler(event, None)


def test_a_save_and_its_redelivery_store_one_version() -> None:
    first = _post({"request_id": "req-1", "tailored": TAILORED})
    again = _post({"request_id": "req-1", "tailored": TAILORED})
    assert first["statusCode"] == 201
    assert json.loads(again["body"]) == json.loads(first["body"])
    latest = app.handler(
        {
            "requestContext": {"http": {"method": "GET"}},
            "pathParameters": {"application_id": "app-1"},
        },
        None,
    )
    assert latest["statusCode"] == 200
    assert (
        json.loads(latest["body"])["artifact"]["artifact_id"]
        == json.loads(first["body"])["artifact_id"]
    )


def test_a_misspelled_field_is_a_400_naming_it() -> None:
    body = {"request_id": "req-2", "tailored": {**TAILORED, "metdata": {}}}
    response = _post(body)
    assert response["statusCode"] == 400
    assert "metdata" in json.loads(response["body"])["error"]


def test_the_same_request_id_with_other_content_is_a_409() -> None:
    assert _post({"request_id": "req-3", "tailored": TAILORED})["statusCode"] == 201
    changed = {**TAILORED, "token_usage": {"input_tokens": 1, "output_tokens": 1}}
    assert _post({"request_id": "req-3", "tailored": changed})["statusCode"] == 409
