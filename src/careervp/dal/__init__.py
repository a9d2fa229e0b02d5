"""careervp-dal: CareerVP's tailored-CV store on DynamoDB.

``DynamoDalHandler`` is the store; every method returns a ``careervp.models.result.Result``.
``careervp.dal.encryption.KmsCipher`` encrypts CVs client-side, ``careervp.dal.table`` defines
the table and ``careervp.dal.errors`` the failures behind each result code.
"""

from careervp.dal.dynamo_dal_handler import DynamoDalHandler, compute_checksum

__all__ = ["DynamoDalHandler", "__version__", "compute_checksum"]

__version__ = "0.3.0"
