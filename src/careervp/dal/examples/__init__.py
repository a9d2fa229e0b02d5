"""Example tailored CVs bundled for the demo and for trying the CLI."""

from __future__ import annotations

from importlib import resources

import msgspec

from careervp.models.tailor import TailoredCVData

__all__ = ["Example", "load_examples"]


class Example(msgspec.Struct, kw_only=True):
    application_id: str
    data: TailoredCVData


def load_examples() -> list[Example]:
    raw = resources.files(__package__).joinpath("tailored_cvs.json").read_bytes()
    return msgspec.json.decode(raw, type=list[Example])
