"""``Result`` and the models' public surface."""

from __future__ import annotations

import msgspec
import pytest

from careervp.models.result import Err, Ok, Result, ResultCode
from careervp.models.tailor import (
    ExperienceEntry,
    TailoredCV,
    TailoredCVData,
    TailoringMetadata,
    TokenUsage,
)


def _lookup(found: bool) -> Result[int]:
    return Ok(3) if found else Err("no such thing", ResultCode.NOT_FOUND)


def test_ok_and_err_carry_the_contract_fields() -> None:
    ok, err = _lookup(True), _lookup(False)
    assert (ok.success, ok.data, ok.error, ok.code) == (True, 3, None, ResultCode.SUCCESS)
    assert (err.success, err.data, err.error, err.code) == (
        False,
        None,
        "no such thing",
        ResultCode.NOT_FOUND,
    )


def test_an_err_cannot_claim_success() -> None:
    with pytest.raises(ValueError, match="SUCCESS"):
        Err("oops", ResultCode.SUCCESS)


def test_result_codes_include_the_contract_members() -> None:
    names = {code.name for code in ResultCode}
    assert names >= {
        "SUCCESS",
        "NOT_FOUND",
        "VALIDATION_ERROR",
        "CONFLICT",
        "ITEM_TOO_LARGE",
        "INTEGRITY_ERROR",
        "THROTTLED",
        "DATABASE_ERROR",
    }


def test_list_defaults_are_not_shared() -> None:
    a = ExperienceEntry(company="a", title="t", start_date="2020")
    b = ExperienceEntry(company="b", title="t", start_date="2020")
    a.highlights.append("x")
    assert b.highlights == []
    assert TailoredCV(source_cv_version=1, executive_summary="s").skills == []


def test_a_misspelled_field_is_refused_not_dropped() -> None:
    document = (
        b'{"tailored_cv": {"source_cv_version": 1, "executive_summary": "s",'
        b' "certificatons": ["AWS"]},'
        b' "metadata": {"user_id": "u", "job_id": "j", "fvs_validation_passed": true},'
        b' "token_usage": {"input_tokens": 1, "output_tokens": 2}}'
    )
    with pytest.raises(msgspec.ValidationError, match="certificatons"):
        msgspec.json.decode(document, type=TailoredCVData)


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [("input_tokens", -1, ">= 0"), ("output_tokens", -5, ">= 0"), ("cost_usd", -0.01, ">= 0")],
)
def test_domain_constraints_live_on_the_models(field: str, value: float, complaint: str) -> None:
    plain = {"input_tokens": 1, "output_tokens": 1, field: value}
    with pytest.raises(msgspec.ValidationError, match=complaint):
        msgspec.convert(plain, TokenUsage)


def test_ids_in_metadata_must_not_be_empty() -> None:
    plain = {"user_id": "", "job_id": "j", "fvs_validation_passed": True}
    with pytest.raises(msgspec.ValidationError, match="length >= 1"):
        msgspec.convert(plain, TailoringMetadata)
