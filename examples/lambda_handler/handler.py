"""A CareerVP Lambda handler using the store, as the README's "Using it in a handler" shows.

API Gateway (HTTP API) routes:

* ``POST /applications/{application_id}/tailored-cvs`` with a JSON body
  ``{"request_id": ..., "tailored": <TailoredCVData>}``: saves a version, idempotently per
  ``request_id`` (a client retry or a redelivered event stores nothing new);
* ``GET /applications/{application_id}/tailored-cvs/latest``: the newest live version.

Configuration comes from the environment: ``TAILORED_CV_TABLE_NAME``,
``TAILORED_CV_PAGINATION_SECRET``, optionally ``TAILORED_CV_KMS_KEY_ID``, and AWS's own.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec

from careervp.dal import DynamoDalHandler
from careervp.models.result import ResultCode
from careervp.models.tailor import TailoredCVData

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


class SaveRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    request_id: str
    tailored: TailoredCVData


_SAVE_REQUEST = msgspec.json.Decoder(SaveRequest)
_JSON = msgspec.json.Encoder()


@functools.cache
def store() -> DynamoDalHandler:
    """Built on the first request and kept for the container's life (its client, its keys)."""
    return DynamoDalHandler()


def _response(status: int, body: object) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": _JSON.encode(body).decode(),
    }


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    application_id = str(event.get("pathParameters", {}).get("application_id", ""))
    if event.get("requestContext", {}).get("http", {}).get("method") == "GET":
        latest = store().get_latest_tailored_cv(application_id)
        if not latest.success:
            return _response(STATUS[latest.code], {"error": latest.error})
        return _response(200, latest.data)
    try:
        # Strict: a misspelled field in the body is a 400 naming it, never silently dropped.
        request = _SAVE_REQUEST.decode(event.get("body") or "")
    except msgspec.DecodeError as exc:
        return _response(400, {"error": str(exc)})
    saved = store().save_tailored_cv(
        application_id, request.tailored, idempotency_key=request.request_id
    )
    if not saved.success:
        return _response(STATUS[saved.code], {"error": saved.error})
    return _response(201, {"artifact_id": saved.data})
