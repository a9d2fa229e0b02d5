"""A handler built from a bad environment refuses at start-up with a ``ValueError`` naming what
to fix: the region, the table, or which of the two pagination secrets is short."""

from __future__ import annotations

import pytest

from careervp.dal.dynamo_dal_handler import DynamoDalHandler


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")  # no region from a profile either
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("TAILORED_CV_TABLE_NAME", "tailored")
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "a-secret-of-more-than-16-bytes")
    monkeypatch.delenv("TAILORED_CV_PAGINATION_SECRET_PREVIOUS", raising=False)
    monkeypatch.delenv("TAILORED_CV_KMS_KEY_ID", raising=False)
    return monkeypatch


def test_a_complete_environment_builds_a_handler(environment: pytest.MonkeyPatch) -> None:
    assert DynamoDalHandler().table_name == "tailored"


def test_no_region_is_a_value_error_naming_the_region(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ValueError, match="no AWS region: set AWS_REGION or AWS_DEFAULT_REGION"):
        DynamoDalHandler()


def test_no_table_is_a_value_error_naming_the_variable(environment: pytest.MonkeyPatch) -> None:
    environment.delenv("TAILORED_CV_TABLE_NAME")
    with pytest.raises(ValueError, match="TAILORED_CV_TABLE_NAME"):
        DynamoDalHandler()


@pytest.mark.parametrize(
    "variable", ["TAILORED_CV_PAGINATION_SECRET", "TAILORED_CV_PAGINATION_SECRET_PREVIOUS"]
)
def test_a_short_secret_is_named(environment: pytest.MonkeyPatch, variable: str) -> None:
    environment.setenv(variable, "short")
    with pytest.raises(ValueError, match=f"^{variable} is too short") as raised:
        DynamoDalHandler()
    assert "16 bytes" in str(raised.value)
