"""``Result`` and the models' public surface."""

from __future__ import annotations

import importlib
import os

import pytest

from careervp import models
from careervp.models.result import Err, Ok, Result, ResultCode
from careervp.models.tailor import ExperienceEntry, TailoredCV


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


@pytest.mark.parametrize(
    "module",
    [
        "careervp.models",
        "careervp.models.result",
        "careervp.models.tailor",
        "careervp.dal",
        "careervp.dal.codec",
        "careervp.dal.dynamo_dal_handler",
        "careervp.dal.table",
        "careervp.handlers.utils.observability",
    ],
)
def test_every_exported_name_exists(module: str) -> None:
    loaded = importlib.import_module(module)
    exported = loaded.__all__
    for name in exported:
        assert hasattr(loaded, name), f"{module}.{name}"


def test_the_models_package_re_exports_its_modules() -> None:
    assert models.Result is Result
    assert set(models.__all__) >= {"TailoredCVData", "TailoredCVPage", "ResultCode", "Result"}


def test_importing_the_package_outside_lambda_is_quiet() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_LAMBDA", "POWERTOOLS"))}
    done = subprocess.run(
        [sys.executable, "-c", "import careervp.dal, careervp.cli, careervp.models"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == ""
