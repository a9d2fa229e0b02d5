"""The store beside its peers on canned responses: PynamoDB and boto3's ``Table`` resource.

Each peer stores the same attributes in the same layout (the CV as the store's gzip blob, the
metadata and token usage as maps, the copies, the checksum) and does the same required work:
canonical JSON, the store's compressor and SHA-256 on a save; inflating, re-checking the
checksum and decoding the CV strictly on a get. What differs is how each reaches DynamoDB.
Each figure is a ratio against a raw boto3 call of the same item (boto3's defaults), like the
store's own rows in the CPU section.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
import msgspec
from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from benchmarks.canned import LOCAL, NOWHERE, answer, default_client
from benchmarks.cpu import CREATED, FAR_FUTURE, SECRET, TYPICAL, data_of
from benchmarks.report import RATIO_HEADERS, Section, ratio_row
from benchmarks.timing import compare
from careervp.dal.client import build_client
from careervp.dal.codec import canonical_json
from careervp.dal.codec._canonical import checksum_of, decode_tailored_cv
from careervp.dal.codec._envelope import compress, decompress
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.schema import table_key
from support.factories import encode

if TYPE_CHECKING:
    from careervp.models.tailor import TailoredCVData

__all__ = ["section"]


class _Version(Model):
    class Meta:
        table_name = "t"
        host = NOWHERE
        region = LOCAL["region_name"]
        aws_access_key_id = LOCAL["aws_access_key_id"]
        aws_secret_access_key = LOCAL["aws_secret_access_key"]

    application_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)
    user_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    cv_version = NumberAttribute()
    tailored_cv = BinaryAttribute(legacy_encoding=False)
    # pynamodb leaves MapAttribute's methods unannotated.
    metadata = MapAttribute[str, Any]()  # type: ignore[no-untyped-call]
    token_usage = MapAttribute[str, Any]()  # type: ignore[no-untyped-call]
    fvs_validation_passed = BooleanAttribute()
    expiration_timestamp = NumberAttribute()
    checksum = UnicodeAttribute()
    format_version = NumberAttribute()


def _required_save(data: TailoredCVData) -> tuple[bytes, str]:
    cv_json = canonical_json(data.tailored_cv)
    checksum = checksum_of(cv_json, canonical_json(data.metadata), canonical_json(data.token_usage))
    return compress(cv_json), checksum


def _required_get(blob: bytes, checksum: str, metadata: Any, usage: Any) -> object:
    cv_json = decompress(blob)
    if checksum_of(cv_json, canonical_json(metadata), canonical_json(usage)) != checksum:
        raise ValueError("checksum")
    return decode_tailored_cv(cv_json)


def _pynamodb(data: TailoredCVData, item: dict[str, Any]) -> tuple[Any, Any]:
    connection = _Version._get_connection().connection  # noqa: SLF001 - its client, to can it
    answer(connection.client, {"PutItem": {}, "GetItem": {"Item": item}})

    def save() -> object:
        blob, checksum = _required_save(data)
        metadata = msgspec.to_builtins(data.metadata)
        return _Version(
            "app-0",
            CREATED,
            user_id=data.metadata.user_id,
            job_id=data.metadata.job_id,
            cv_version=data.tailored_cv.source_cv_version,
            tailored_cv=blob,
            metadata=metadata,
            token_usage=msgspec.to_builtins(data.token_usage),
            fvs_validation_passed=data.metadata.fvs_validation_passed,
            expiration_timestamp=FAR_FUTURE,
            checksum=checksum,
            format_version=1,
        ).save()

    def get() -> object:
        found = _Version.get("app-0", CREATED)
        return _required_get(
            found.tailored_cv,
            found.checksum,
            msgspec.convert(found.metadata.as_dict(), type(data.metadata)),  # type: ignore[no-untyped-call]
            msgspec.convert(found.token_usage.as_dict(), type(data.token_usage)),  # type: ignore[no-untyped-call]
        )

    return save, get


def _decimals(value: Any) -> Any:
    """What TypeSerializer takes: floats as Decimal (it refuses floats)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _floats(value: Any) -> Any:
    """What TypeDeserializer gives back, as the models take it: Decimal to int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def _table(data: TailoredCVData, item: dict[str, Any]) -> tuple[Any, Any]:
    table = boto3.resource("dynamodb", endpoint_url=NOWHERE, **LOCAL).Table("t")
    answer(table.meta.client, {"PutItem": {}, "GetItem": {"Item": item}})

    def save() -> object:
        blob, checksum = _required_save(data)
        return table.put_item(
            Item={
                "application_id": "app-0",
                "created_at": CREATED,
                "user_id": data.metadata.user_id,
                "job_id": data.metadata.job_id,
                "cv_version": data.tailored_cv.source_cv_version,
                "tailored_cv": blob,
                "metadata": _decimals(msgspec.to_builtins(data.metadata)),
                "token_usage": _decimals(msgspec.to_builtins(data.token_usage)),
                "fvs_validation_passed": data.metadata.fvs_validation_passed,
                "expiration_timestamp": FAR_FUTURE,
                "checksum": checksum,
                "format_version": 1,
            }
        )

    def get() -> object:
        found: dict[str, Any] = table.get_item(
            Key={"application_id": "app-0", "created_at": CREATED}
        )["Item"]
        return _required_get(
            found["tailored_cv"].value,
            found["checksum"],
            msgspec.convert(_floats(found["metadata"]), type(data.metadata)),
            msgspec.convert(_floats(found["token_usage"]), type(data.token_usage)),
        )

    return save, get


def section(min_time: float) -> Section:
    data = data_of(TYPICAL)
    item = dict(encode("app-0", CREATED, FAR_FUTURE, data).item)
    raw = default_client()
    answer(raw, {"PutItem": {}, "GetItem": {"Item": item}})
    ours = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    answer(ours, {"PutItem": {}, "GetItem": {"Item": item}})
    dal = DynamoDalHandler(ours, "t", token_secret=SECRET)
    key = table_key("app-0", CREATED)

    def raw_put() -> object:
        return raw.put_item(TableName="t", Item=item)

    def raw_get() -> object:
        return raw.get_item(TableName="t", Key=key)

    rows: list[tuple[str, Any, Any]] = [
        ("the store", lambda: dal.save_tailored_cv("app-0", data),
         lambda: dal.get_tailored_cv("app-0", CREATED)),
        ("PynamoDB 6.1, same attributes and work", *_pynamodb(data, item)),
        ("Table resource + TypeSerializer, same blob layout", *_table(data, item)),
    ]  # fmt: skip
    result = Section(
        f"The store and its peers on canned responses, typical {TYPICAL} CV (ratio: the peer's"
        " time / a raw boto3 call of the same item)",
        RATIO_HEADERS,
        notes=[
            (
                "Every row does the required work (canonical JSON, the store's gzip, SHA-256;"
                " inflate, re-check, strict decode); the peers skip the store's validation,"
                " sizing and plan. The raw calls keep boto3's defaults."
            ),
        ],
    )
    for name, save, get in rows:
        ratio_row(
            result,
            f"{name}: save / raw put",
            TYPICAL,
            compare(save, raw_put, min_time=min_time),
            "-",
        )
        ratio_row(
            result, f"{name}: get / raw get", TYPICAL, compare(get, raw_get, min_time=min_time), "-"
        )
    return result
