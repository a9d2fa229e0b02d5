"""Bad input gets ``VALIDATION_ERROR`` and writes nothing."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careervp.models.result import ResultCode
from support.factories import make_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.tailor import TailoredCVData
    from tests.conftest import Store


class Evasive(str):
    """A str whose strip() hides its white space, as a hostile caller might pass."""

    __slots__ = ()

    def strip(self, chars: str | None = None) -> str:
        return self


bad_ids = st.one_of(
    st.just(Evasive(" padded ")),
    st.just(""),
    st.text(min_size=1, max_size=5).map(lambda s: f" {s}"),
    st.text(min_size=1, max_size=5).map(lambda s: f"{s}\t"),
    st.text(min_size=0, max_size=5).map(lambda s: f"a{s}\x00b"),
    st.sampled_from(["a\nb", "a\x1bb", "a\x7fb", "a\u2028b", "\ud800"]),
    st.integers(1025, 3000).map(lambda n: "x" * n),
    st.integers(342, 1000).map(lambda n: "€" * n),  # 3 bytes each: over 1,024 bytes
    st.one_of(st.none(), st.integers(), st.binary(max_size=5), st.lists(st.text(max_size=2))),
)
bad_created_at = st.one_of(
    st.sampled_from(
        [
            "",
            "2026-11-26T10:30:00Z",
            "2026-11-26T10:30:00.123456",
            "2026-11-26 10:30:00.123456Z",
            "2026-11-26T10:30:00.123456+00:00",
            "2026-13-26T10:30:00.123456Z",
            "2026-02-30T10:30:00.123456Z",
            "2026-11-26T25:30:00.123456Z",
            " 2026-11-26T10:30:00.123456Z",
            "٢٠٢٦-11-26T10:30:00.123456Z",
        ]
    ),
    st.text(max_size=40),
    st.none(),
    st.integers(),
)
bad_limits = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=101),
    st.sampled_from([True, False, 1.5, "10", None]),
)
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _sample(seed: int = 5) -> TailoredCVData:
    return make_data(random.Random(seed), json_bytes=800)


@SETTINGS
@given(bad=bad_ids)
def test_bad_ids_are_refused_everywhere(store: Store, bad: object) -> None:
    handler = store.handler()
    good_time = "2026-11-26T10:30:00.000000Z"
    outcomes = [
        handler.save_tailored_cv(bad, _sample()),  # type: ignore[arg-type]
        handler.get_tailored_cv(bad, good_time),  # type: ignore[arg-type]
        handler.delete_tailored_cv(bad, good_time),  # type: ignore[arg-type]
        handler.list_tailored_cvs_for_application(bad),  # type: ignore[arg-type]
        handler.list_tailored_cvs_for_user(bad),  # type: ignore[arg-type]
    ]
    data = _sample()
    data.metadata.user_id = bad  # type: ignore[assignment]
    outcomes.append(handler.save_tailored_cv("app-1", data))
    data = _sample()
    data.metadata.job_id = bad  # type: ignore[assignment]
    outcomes.append(handler.save_tailored_cv("app-1", data))
    for outcome in outcomes:
        assert outcome.code is ResultCode.VALIDATION_ERROR, outcome
    assert store.count() == 0


@SETTINGS
@given(bad=bad_created_at)
def test_bad_timestamps_are_refused(store: Store, bad: object) -> None:
    handler = store.handler()
    assert handler.get_tailored_cv("app-1", bad).code is ResultCode.VALIDATION_ERROR  # type: ignore[arg-type]
    assert handler.delete_tailored_cv("app-1", bad).code is ResultCode.VALIDATION_ERROR  # type: ignore[arg-type]


@SETTINGS
@given(bad=bad_limits)
def test_bad_limits_are_refused(store: Store, bad: object) -> None:
    result = store.handler().list_tailored_cvs_for_user("u-1", limit=bad)  # type: ignore[arg-type]
    assert result.code is ResultCode.VALIDATION_ERROR


bad_floats = st.sampled_from(
    # 1e126 is the same double as DynamoDB's maximum, 9.99...9E+125, but prints above it.
    [float("nan"), float("inf"), float("-inf"), 1e126, -1e126, 1e127, -1e200, 1e-131, 5e-324]
)
# More than 38 significant digits (a trailing zero is not one), or past DynamoDB's range.
bad_ints = st.one_of(
    st.integers(min_value=10**38, max_value=10**60).filter(lambda n: len(str(n).rstrip("0")) > 38),
    st.integers(min_value=-(10**60), max_value=-(10**38)).filter(
        lambda n: len(str(-n).rstrip("0")) > 38
    ),
    st.integers(min_value=1, max_value=9).map(lambda d: d * 10**126),
)


@SETTINGS
@given(
    case=st.one_of(
        st.tuples(st.sampled_from(["relevance_score", "cost_usd"]), bad_floats),
        st.tuples(st.sampled_from(["input_tokens", "source_cv_version"]), bad_ints),
    )
)
def test_unstorable_numbers_are_refused(store: Store, case: tuple[str, float]) -> None:
    field, number = case
    data = _sample()
    if field == "relevance_score":
        data.metadata.relevance_score = number
    elif field == "cost_usd":
        data.token_usage.cost_usd = number
    elif field == "input_tokens":
        data.token_usage.input_tokens = number  # type: ignore[assignment]
    else:
        data.tailored_cv.source_cv_version = number  # type: ignore[assignment]
    result = store.handler().save_tailored_cv("app-1", data)
    assert result.code is ResultCode.VALIDATION_ERROR, result
    assert field in (result.error or "")
    assert store.count() == 0


def _self_holding(data: TailoredCVData) -> None:
    skills: list[object] = ["Python"]
    skills.append(skills)
    data.tailored_cv.skills = skills  # type: ignore[assignment]


def _deeply_nested(data: TailoredCVData) -> None:
    nested: list[object] = []
    for _ in range(100_000):
        nested = [nested]
    data.tailored_cv.skills = nested  # type: ignore[assignment]


MALFORMED: dict[str, Callable[[TailoredCVData], None]] = {
    "cv version as text": lambda d: setattr(d.tailored_cv, "source_cv_version", "7"),
    "skills as a string": lambda d: setattr(d.tailored_cv, "skills", "Python"),
    "entry as a dict": lambda d: setattr(d.tailored_cv, "experience", [{"company": "x"}]),
    "flag as an int": lambda d: setattr(d.metadata, "fvs_validation_passed", 1),
    "negative tokens": lambda d: setattr(d.token_usage, "input_tokens", -1),
    "tokens as a bool": lambda d: setattr(d.token_usage, "output_tokens", True),
    "negative cost": lambda d: setattr(d.token_usage, "cost_usd", -0.5),
    "surrogate in the CV": lambda d: setattr(d.tailored_cv, "executive_summary", "a \ud800"),
    "surrogate in metadata": lambda d: setattr(d.metadata, "llm_model", "bad \udfff"),
    "metadata missing": lambda d: setattr(d, "metadata", None),
    "an object in a list": lambda d: setattr(d.tailored_cv, "certifications", [object()]),
    "a list that holds itself": _self_holding,
    "nesting thousands deep": _deeply_nested,
    "bytes for text": lambda d: setattr(d.tailored_cv, "executive_summary", b"raw bytes"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_models_are_refused(store: Store, name: str) -> None:
    data = _sample()
    MALFORMED[name](data)
    result = store.handler().save_tailored_cv("app-1", data)
    assert result.code is ResultCode.VALIDATION_ERROR, result
    assert store.count() == 0


def test_a_non_model_is_refused(store: Store) -> None:
    result = store.handler().save_tailored_cv("app-1", {"tailored_cv": {}})  # type: ignore[arg-type]
    assert result.code is ResultCode.VALIDATION_ERROR
    assert "TailoredCVData" in (result.error or "")
    assert store.count() == 0


def test_a_malformed_artifact_on_save_is_ignored(store: Store) -> None:
    data = _sample()
    data.artifact = "not an artifact at all"  # type: ignore[assignment]
    saved = store.handler().save_tailored_cv("app-1", data)
    assert saved.success, saved.error
    assert store.count() == 1


def test_a_text_secret_is_refused_at_construction(store: Store) -> None:
    with pytest.raises(TypeError, match="bytes"):
        store.handler(token_secret="a text secret of 32 characters..")  # noqa: S106
    with pytest.raises(ValueError, match="16 bytes"):
        store.handler(token_secret=b"short")
