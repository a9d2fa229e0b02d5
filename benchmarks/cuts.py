"""Each CPU cut of the store, measured against what it replaced ("before" is the previous
release's way, reproduced here), in one run."""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from botocore.config import Config

from benchmarks.canned import LOCAL, NOWHERE, answer
from benchmarks.cpu import CREATED, FAR_FUTURE, TYPICAL, data_of
from benchmarks.report import Section, micros
from benchmarks.timing import compare
from careervp.dal.codec import item_size
from careervp.dal.codec._envelope import decompress
from careervp.dal.codec._item import _get
from careervp.dal.codec._numbers import number_size
from careervp.dal.schema import created_at_problem
from support.factories import encode

__all__ = ["section"]

_OLD_CREATED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_NAMES = ("user_id", "job_id", "cv_version", "checksum", "format_version", "expiration_timestamp")
_TAGS = ("S", "S", "N", "S", "N", "N")
CONTENT = ("user_id", "job_id", "cv_version", "metadata", "token_usage", "fvs_validation_passed")


def _old_created_at(value: str) -> None:
    if _OLD_CREATED_AT.fullmatch(value):
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: DTZ007 - as it was


def _old_inflate(blob: bytes) -> bytes:
    unpacker = zlib.decompressobj(31)
    return unpacker.decompress(blob, 8 * 1024 * 1024 + 1)


def _old_get(raw: Mapping[str, object], name: str, tag: str) -> object:
    value = raw.get(name)
    if not isinstance(value, Mapping) or set(value) != {tag}:
        raise ValueError(name)
    return value[tag]


def _old_attribute_size(value: Any) -> int:
    """The size guard as it was: an isinstance chain, every string encoded, numbers parsed."""
    ((tag, inner),) = value.items()
    if tag == "S" and isinstance(inner, str):
        return len(inner.encode("utf-8"))
    if tag == "B" and isinstance(inner, bytes):
        return len(inner)
    if tag == "N" and isinstance(inner, str):
        return number_size(inner)
    if tag == "M" and isinstance(inner, dict):
        return 3 + sum(
            1 + len(k.encode("utf-8")) + _old_attribute_size(v) for k, v in inner.items()
        )
    if tag == "L" and isinstance(inner, list):
        return 3 + sum(1 + _old_attribute_size(v) for v in inner)
    return 1


def _old_item_size(item: Mapping[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + _old_attribute_size(v) for name, v in item.items())


def _client(*, validation: bool) -> Any:
    """Two clients alike but for botocore's parameter validation."""
    config = Config(retries={"mode": "standard"}, parameter_validation=validation)
    client = boto3.client("dynamodb", endpoint_url=NOWHERE, config=config, **LOCAL)
    answer(client, {"PutItem": {}})
    return client


def _quiet_powertools_logger() -> Logger:
    return Logger(service="bench", logger_handler=logging.StreamHandler(io.StringIO()))


def section(min_time: float) -> Section:
    result = Section(
        "Codec and call-path cuts, each against what it replaced (ratio: after / before)",
        ["cut", "after", "before", "ratio", "spread"],
        notes=[f"On the typical {TYPICAL} CV; 'before' reproduces the previous release's code."],
    )
    encoded = encode("app-0", CREATED, FAR_FUTURE, data_of(TYPICAL))
    raw: dict[str, Any] = dict(encoded.item)
    blob = raw["tailored_cv"]["B"]
    placed = {k: raw[k] for k in ("application_id", "created_at", "expiration_timestamp")}
    content = {k: raw[k] for k in CONTENT}
    assert item_size(content) == _old_item_size(content)

    powertools = _quiet_powertools_logger()
    stdlib = logging.getLogger("careervp.dal.bench")
    stdlib.setLevel(logging.WARNING)
    fields = {"artifact_id": "app-0#" + CREATED, "consumed_capacity": 7.0, "action": "save"}

    def plain() -> int:
        return 1

    tracer: Any = Tracer(service="bench", disabled=True)
    wrapped = tracer.capture_method(plain, capture_response=False)

    def log_off() -> None:
        if stdlib.isEnabledFor(logging.DEBUG):
            stdlib.debug("tailored CV saved", extra=fields)

    def log_powertools() -> None:
        powertools.info("tailored CV saved", extra=fields)

    validating, lean = (_client(validation=flag) for flag in (True, False))

    cases = [
        ("created_at check: regex + constructor (was strptime)",
         lambda: created_at_problem(CREATED), lambda: _old_created_at(CREATED)),
        ("inflate: zlib-ng (was stdlib zlib)",
         lambda: decompress(blob), lambda: _old_inflate(blob)),
        ("top-level reads: exact type checks (were Mapping ABCs)",
         lambda: [_get(raw, n, t) for n, t in zip(_NAMES, _TAGS, strict=True)],
         lambda: [_old_get(raw, n, t) for n, t in zip(_NAMES, _TAGS, strict=True)]),
        ("item size per attempt: key part only (was the whole item)",
         lambda: item_size(placed), lambda: item_size(raw)),
        ("size of the content: ASCII and whole-number fast paths (was encode and parse each)",
         lambda: item_size(content), lambda: _old_item_size(content)),
        ("put of the item: parameter validation off (was on)",
         lambda: lean.put_item(TableName="t", Item=encoded.item),
         lambda: validating.put_item(TableName="t", Item=encoded.item)),
        ("success log line: stdlib DEBUG, off (was a Powertools INFO line)",
         log_off, log_powertools),
        ("tracer: none unless given (was capture_method, tracing off)", plain, wrapped),
    ]  # fmt: skip
    for name, after, before in cases:
        measured = compare(after, before, min_time=min_time)
        result.add(
            name,
            micros(measured.ours),
            micros(measured.baseline),
            f"{measured.ratio:.2f}",
            measured.spread,
        )
    return result
