"""The DynamoDB side of the store: the handler, its codec and the table definition."""

from careervp.dal.dynamo_dal_handler import DynamoDalHandler, compute_checksum

__all__ = ["DynamoDalHandler", "compute_checksum"]
