"""Number checks and float normalisation walk the models' own fields: a field added to a model
is covered without editing any list."""

from __future__ import annotations

import math

import msgspec
import pytest

from careervp.dal.codec._numbers import normalise
from careervp.dal.errors import InvalidInputError
from careervp.models.tailor import EducationEntry, TailoringMetadata


class Score(msgspec.Struct, kw_only=True):
    name: str
    value: float


class MetadataWithNewFields(TailoringMetadata, kw_only=True):
    """A copy of the metadata model with fields no code in the store names."""

    confidence: float | None = None
    scores: list[Score] = msgspec.field(default_factory=list)
    weights: dict[str, float] = msgspec.field(default_factory=dict)
    attempts: int = 0


def _metadata(**fields: object) -> MetadataWithNewFields:
    plain = {"user_id": "u", "job_id": "j", "fvs_validation_passed": True, **fields}
    return msgspec.convert(plain, MetadataWithNewFields)


def test_new_float_fields_are_normalised_as_a_reader_gets_them_back() -> None:
    value = _metadata(
        confidence=-0.0,
        scores=[{"name": "a", "value": -0.0}, {"name": "b", "value": 2}],
        weights={"x": -0.0},
        relevance_score=-0.0,
    )
    normalise(value, "metadata")
    assert math.copysign(1.0, value.confidence or 1.0) == 1.0
    assert [math.copysign(1.0, s.value) for s in value.scores] == [1.0, 1.0]
    assert isinstance(value.scores[1].value, float)
    assert math.copysign(1.0, value.weights["x"]) == 1.0
    assert math.copysign(1.0, value.relevance_score or 1.0) == 1.0


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"confidence": math.nan}, "metadata.confidence"),
        ({"scores": [{"name": "a", "value": 1e126}]}, "metadata.scores[0].value"),
        ({"weights": {"w": -math.inf}}, "metadata.weights.w"),
        ({"attempts": 10**40 + 1}, "metadata.attempts"),
    ],
)
def test_new_numeric_fields_are_checked_by_path(fields: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidInputError, match=path.replace("[", r"\[").replace("]", r"\]")):
        normalise(_metadata(**fields), "metadata")


def test_an_integer_field_in_a_nested_model_is_checked_and_kept() -> None:
    entry = EducationEntry(institution="ETH", degree="MSc", graduation_year=2014)
    normalise(entry, "education")
    assert entry.graduation_year == 2014
