"""The pytest plugin of ``careervp.dal.testing`` (entry point ``pytest11``: ``careervp-dal``).

pytest loads it in every run of a suite whose environment has ``careervp-dal``; it imports
neither moto nor boto3 until a test asks for ``tailored_cv_store``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from careervp.dal.testing import local_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler

__all__ = ["tailored_cv_store"]


@pytest.fixture
def tailored_cv_store() -> Iterator[DynamoDalHandler]:
    """A ``DynamoDalHandler`` on a fresh table in moto's in-process mock, for one test.

    Build any other AWS client of the test inside it (moto intercepts clients made while its
    mock runs). For a clock, a secret or encryption, use ``careervp.dal.testing.local_store``.
    """
    with local_store() as store:
        yield store
