"""The example handler's own tests, as a handler author would write them: the kit's fixture
``tailored_cv_store`` (``careervp.dal.testing``, registered with pytest by the package) is the
store on moto's in-process mock, its table made as ``careervp-dal create-table`` makes it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from careervp.dal import DynamoDalHandler
from examples.lambda_handler import handler as app

TAILORED: dict[str, Any] = {
    "tailored_cv": {
        "source_cv_version": 3,
        "executive_summary": "Platform engineer who ships.",
        "skills": ["Python", "DynamoDB"],
    },
    "metadata": {"user_id": "user-1", "job_id": "job-9", "fvs_validation_passed": True},
    "token_usage": {"input_tokens": 1200, "output_tokens": 800, "cost_usd": 0.02},
}


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tailored_cv_store: DynamoDalHandler) -> None:
    # The handler builds its store from the environment in a Lambda; here it gets the kit's.
    monkeypatch.setattr(app, "store", lambda: tailored_cv_store)


def _call(route: str, body: object = None, **path: str) -> dict[str, Any]:
    event: dict[str, Any] = {"routeKey": route, "pathParameters": path}
    if body is not None:
        event["body"] = json.dumps(body)
    return app.handler(event, None)


def _post(body: object, application_id: str = "app-1") -> dict[str, Any]:
    return _call(
        "POST /applications/{application_id}/tailored-cvs", body, application_id=application_id
    )


def _body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def _tailored(user_id: str = "user-1", summary: str = "Platform engineer who ships.") -> Any:
    return {
        **TAILORED,
        "tailored_cv": {**TAILORED["tailored_cv"], "executive_summary": summary},
        "metadata": {**TAILORED["metadata"], "user_id": user_id},
    }


def test_a_save_and_its_redelivery_store_one_version() -> None:
    first = _post({"request_id": "req-1", "tailored": TAILORED})
    again = _post({"request_id": "req-1", "tailored": TAILORED})
    assert first["statusCode"] == 201
    assert _body(again) == _body(first)
    latest = _call("GET /applications/{application_id}/tailored-cvs/latest", application_id="app-1")
    assert latest["statusCode"] == 200
    assert _body(latest)["artifact"]["artifact_id"] == _body(first)["artifact_id"]
    page = _call("GET /users/{user_id}/tailored-cvs", user_id="user-1")
    assert len(_body(page)["items"]) == 1  # the redelivery stored nothing


def test_a_misspelled_field_is_a_400_naming_it() -> None:
    body = {"request_id": "req-2", "tailored": {**TAILORED, "metdata": {}}}
    response = _post(body)
    assert response["statusCode"] == 400
    assert "metdata" in _body(response)["error"]


def test_the_same_request_id_with_other_content_is_a_409() -> None:
    assert _post({"request_id": "req-3", "tailored": TAILORED})["statusCode"] == 201
    changed = {**TAILORED, "token_usage": {"input_tokens": 1, "output_tokens": 1}}
    refused = _post({"request_id": "req-3", "tailored": changed})
    assert refused["statusCode"] == 409
    assert _body(refused)["code"] == "CONFLICT"


def test_get_and_delete_one_version_by_the_id_the_save_returned() -> None:
    artifact_id = _body(_post({"request_id": "req-4", "tailored": TAILORED}, "app#2"))[
        "artifact_id"
    ]
    assert artifact_id.startswith("app#2#")  # application ids may hold "#"
    got = _call("GET /tailored-cvs/{artifact_id}", artifact_id=artifact_id)
    assert got["statusCode"] == 200
    assert _body(got)["tailored_cv"]["executive_summary"] == "Platform engineer who ships."
    deleted = _call("DELETE /tailored-cvs/{artifact_id}", artifact_id=artifact_id)
    assert deleted["statusCode"] == 204
    gone = _call("GET /tailored-cvs/{artifact_id}", artifact_id=artifact_id)
    assert gone["statusCode"] == 404
    assert _body(gone)["code"] == "NOT_FOUND"
    malformed = _call("GET /tailored-cvs/{artifact_id}", artifact_id="no-separator")
    assert malformed["statusCode"] == 400


def test_a_users_pages_walk_every_version_newest_first() -> None:
    saved = [
        _body(_post({"request_id": f"req-p{n}", "tailored": _tailored("user-p", f"v{n}")}))[
            "artifact_id"
        ]
        for n in range(5)
    ]
    seen: list[str] = []
    token: str | None = None
    while True:
        query = {"limit": "2", **({"next": token} if token else {})}
        page = app.handler(
            {
                "routeKey": "GET /users/{user_id}/tailored-cvs",
                "pathParameters": {"user_id": "user-p"},
                "queryStringParameters": query,
            },
            None,
        )
        assert page["statusCode"] == 200
        seen += [item["artifact"]["artifact_id"] for item in _body(page)["items"]]
        token = _body(page)["next"]
        if token is None:
            break
    assert seen == saved[::-1]


def test_the_history_screen_pages_summaries_without_cv_text() -> None:
    saved = [
        _body(_post({"request_id": f"req-h{n}", "tailored": _tailored("user-h", f"text {n}")}))[
            "artifact_id"
        ]
        for n in range(3)
    ]
    seen: list[str] = []
    token: str | None = None
    while True:
        query = {"limit": "2", **({"next": token} if token else {})}
        page = app.handler(
            {
                "routeKey": "GET /users/{user_id}/history",
                "pathParameters": {"user_id": "user-h"},
                "queryStringParameters": query,
            },
            None,
        )
        assert page["statusCode"] == 200
        assert "text " not in page["body"]  # summaries hold no CV text
        seen += [item["artifact_id"] for item in _body(page)["items"]]
        assert all(item["job_id"] == "job-9" for item in _body(page)["items"])
        token = _body(page)["next"]
        if token is None:
            break
    assert seen == saved[::-1]


def test_a_bad_limit_is_a_400_naming_the_range() -> None:
    page = app.handler(
        {
            "routeKey": "GET /users/{user_id}/tailored-cvs",
            "pathParameters": {"user_id": "user-1"},
            "queryStringParameters": {"limit": "many"},
        },
        None,
    )
    assert page["statusCode"] == 400
    assert "limit" in _body(page)["error"]


def test_the_export_holds_every_version_of_the_user() -> None:
    for n in range(3):
        assert (
            _post({"request_id": f"req-e{n}", "tailored": _tailored("user-e", f"e{n}")})[
                "statusCode"
            ]
            == 201
        )
    _post({"request_id": "req-other", "tailored": _tailored("user-other")})
    exported = _call("GET /users/{user_id}/export", user_id="user-e")
    assert exported["statusCode"] == 200
    document = _body(exported)
    assert document["count"] == 3
    assert document["unreadable"] == []
    assert {item["metadata"]["user_id"] for item in document["items"]} == {"user-e"}


def test_an_unknown_route_is_a_404() -> None:
    assert _call("PATCH /tailored-cvs/{artifact_id}", artifact_id="x")["statusCode"] == 404


def test_a_database_error_is_logged_and_its_body_names_no_table(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A store on a table that does not exist (a typo in the deployment's configuration).
    client = boto3.client("dynamodb", region_name="us-east-1")
    typo = DynamoDalHandler(client, "tailored-cvs-typo", token_secret=b"s" * 32)
    monkeypatch.setattr(app, "store", lambda: typo)
    response = _call(
        "GET /applications/{application_id}/tailored-cvs/latest", application_id="app-1"
    )
    assert response["statusCode"] == 503
    body = _body(response)
    assert body["code"] == "DATABASE_ERROR"
    assert "tailored-cvs-typo" not in response["body"]  # the table is for the operator's log
    assert "retry later" in body["error"]
    assert any("tailored-cvs-typo" in record.getMessage() for record in caplog.records)
