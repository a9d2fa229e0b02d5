"""careervp-dal: CareerVP's tailored-CV store on DynamoDB.

``DynamoDalHandler`` is the store; every method returns a ``careervp.models.result.Result``.
``careervp.dal.encryption.KmsCipher`` encrypts CVs client-side, ``careervp.dal.table`` defines
the table and ``careervp.dal.errors`` the failures behind each result code;
``careervp.dal.aio`` is the async handler and ``careervp.dal.testing`` the kit for a host's
tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careervp.dal.dynamo_dal_handler import DynamoDalHandler, compute_checksum

__all__ = ["DynamoDalHandler", "__version__", "compute_checksum"]

__version__ = "0.3.0"


def __getattr__(name: str) -> object:
    # Loaded on first use: the pytest plugin (careervp.dal.testing.plugin) lives under this
    # package, and pytest loads it in every run of the host's suite; botocore must wait until
    # a test asks for the store.
    if name in ("DynamoDalHandler", "compute_checksum"):
        from careervp.dal import dynamo_dal_handler  # noqa: PLC0415

        return getattr(dynamo_dal_handler, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
