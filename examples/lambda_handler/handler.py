"""A CareerVP Lambda handler using the store, as the README's "Using it in a handler" shows.

API Gateway (HTTP API, payload 2.0) routes, dispatched on ``routeKey``:

* ``POST /applications/{application_id}/tailored-cvs`` with a JSON body
  ``{"request_id": ..., "tailored": <TailoredCVData>}``: saves a version, idempotently per
  ``request_id`` (a client retry or a redelivered event stores nothing new);
* ``GET /applications/{application_id}/tailored-cvs/latest``: the newest live version;
* ``GET /tailored-cvs/{artifact_id}`` and ``DELETE /tailored-cvs/{artifact_id}``: one version,
  by the id the save returned (``#`` travels as ``%23`` in the URL);
* ``GET /users/{user_id}/tailored-cvs?limit=10&next=TOKEN``: a page of the user's versions,
  newest first, with the token for the next page (``null`` on the last) and the ids of versions
  that failed their integrity check (``unreadable``: named, never shown, never a 500);
* ``GET /users/{user_id}/history?limit=10&next=TOKEN``: the same history as summaries (dates,
  job, model, score; no CV text), from the index alone: what a history screen needs;
* ``GET /users/{user_id}/export``: everything held for the user (a data-subject access request).

Configuration comes from the environment: ``TAILORED_CV_TABLE_NAME``,
``TAILORED_CV_PAGINATION_SECRET``, optionally ``TAILORED_CV_KMS_KEY_ID``, and AWS's own.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from careervp.dal import DynamoDalHandler
from careervp.dal.schema import split_artifact_id
from careervp.models.result import ResultCode
from careervp.models.tailor import TailoredCVData

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.result import Result

# One status per result code: what a client can do about each.
STATUS = {
    ResultCode.NOT_FOUND: 404,
    ResultCode.VALIDATION_ERROR: 400,
    ResultCode.ITEM_TOO_LARGE: 413,
    ResultCode.CONFLICT: 409,
    ResultCode.INTEGRITY_ERROR: 500,
    ResultCode.THROTTLED: 503,
    ResultCode.DATABASE_ERROR: 503,
    ResultCode.INTERNAL_ERROR: 500,
}

# What an API's caller learns of a failure on the store's side: what to do, not where.
_SERVER_SIDE = {
    500: "the tailored-CV store failed; the request was logged",
    503: "the tailored-CV store is unavailable; retry later",
}
logger = logging.getLogger(__name__)

Response = dict[str, Any]
Event = dict[str, Any]


class SaveRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    request_id: str
    tailored: TailoredCVData


_SAVE_REQUEST = msgspec.json.Decoder(SaveRequest)
# Results hold msgspec Structs: msgspec encodes them (the json module cannot).
_JSON = msgspec.json.Encoder()


@functools.cache
def store() -> DynamoDalHandler:
    """Built on the first request and kept for the container's life (its client, its keys)."""
    return DynamoDalHandler()


def _response(status: int, body: object) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": _JSON.encode(body).decode(),
    }


def _failed(result: Result[Any]) -> Response:
    status = STATUS[result.code]
    if status < 500:
        # About the caller's own request (its ids, its fields): never stored text, an engine's
        # message, an ARN or an account id.
        return _response(status, {"code": result.code, "error": result.error})
    # The store's side: result.error names the table or the endpoint, for the operator's log
    # (the library has logged it too), not for an API's caller.
    logger.error("tailored-CV store failed: %s: %s", result.code, result.error)
    return _response(status, {"code": result.code, "error": _SERVER_SIDE[status]})


def _path(event: Event, name: str) -> str:
    return str((event.get("pathParameters") or {}).get(name, ""))


def save(event: Event) -> Response:
    try:
        # Strict: a misspelled field in the body is a 400 naming it, never silently dropped.
        request = _SAVE_REQUEST.decode(event.get("body") or "")
    except msgspec.DecodeError as exc:
        return _response(400, {"code": ResultCode.VALIDATION_ERROR, "error": str(exc)})
    saved = store().save_tailored_cv(
        _path(event, "application_id"), request.tailored, idempotency_key=request.request_id
    )
    if not saved.success:
        return _failed(saved)
    return _response(201, {"artifact_id": saved.data})


def latest(event: Event) -> Response:
    found = store().get_latest_tailored_cv(_path(event, "application_id"))
    return _response(200, found.data) if found.success else _failed(found)


def _version_key(event: Event) -> tuple[str, str] | Response:
    key = split_artifact_id(_path(event, "artifact_id"))
    if key is None:
        return _response(
            400,
            {
                "code": ResultCode.VALIDATION_ERROR,
                "error": "artifact_id must be APPLICATION_ID#CREATED_AT, as the save returned it",
            },
        )
    return key


def get_version(event: Event) -> Response:
    key = _version_key(event)
    if isinstance(key, dict):
        return key
    found = store().get_tailored_cv(*key)
    return _response(200, found.data) if found.success else _failed(found)


def delete_version(event: Event) -> Response:
    key = _version_key(event)
    if isinstance(key, dict):
        return key
    deleted = store().delete_tailored_cv(*key)
    return _response(204, None) if deleted.success else _failed(deleted)


def _paging(event: Event) -> tuple[str, int, str | None]:
    query = event.get("queryStringParameters") or {}
    try:
        limit = int(query.get("limit", "10"))
    except ValueError:
        limit = 0  # the store answers VALIDATION_ERROR with the allowed range
    return _path(event, "user_id"), limit, query.get("next")


def user_page(event: Event) -> Response:
    page = store().list_tailored_cvs_for_user(*_paging(event))
    if not page.success:
        return _failed(page)
    return _response(
        200,
        {
            "items": page.data["items"],
            "unreadable": page.data["unreadable"],
            "next": page.data["last_evaluated_key"],  # None: the last page
        },
    )


def history(event: Event) -> Response:
    page = store().list_tailored_cv_summaries_for_user(*_paging(event))
    if not page.success:
        return _failed(page)
    return _response(200, {"items": page.data["items"], "next": page.data["last_evaluated_key"]})


def export(event: Event) -> Response:
    exported = store().export_tailored_cvs_for_user(_path(event, "user_id"))
    return _response(200, exported.data) if exported.success else _failed(exported)


ROUTES: dict[str, Callable[[Event], Response]] = {
    "POST /applications/{application_id}/tailored-cvs": save,
    "GET /applications/{application_id}/tailored-cvs/latest": latest,
    "GET /tailored-cvs/{artifact_id}": get_version,
    "DELETE /tailored-cvs/{artifact_id}": delete_version,
    "GET /users/{user_id}/tailored-cvs": user_page,
    "GET /users/{user_id}/history": history,
    "GET /users/{user_id}/export": export,
}


def handler(event: Event, context: object) -> Response:
    route = ROUTES.get(str(event.get("routeKey", "")))
    if route is None:
        return _response(404, {"code": ResultCode.NOT_FOUND, "error": "no such route"})
    return route(event)
