"""The wire format: every byte the store sends to or reads from DynamoDB.

Private modules, one concern each: ``_attributes`` (Python values to AttributeValues and back,
floats exact, no ``Decimal``), ``_numbers`` (what DynamoDB numbers can hold, their size, the walk
over a model's numbers), ``_conform`` (a strict, normalised copy of caller input),
``_canonical`` (canonical JSON and the SHA-256 checksum), ``_envelope`` (gzip and its inflation
cap), ``_size`` (item size by DynamoDB's rules), ``_item`` (versions in format 1 and 2),
``_record`` (idempotency records), ``_summary`` (the keyed value that verifies a summary),
``_tombstone`` (what a removal leaves), ``_tokens`` (signed page tokens) and ``_cipher`` (what
a cipher must do). ``docs/codec.md`` describes the format they produce.
"""

from careervp.dal.codec._attributes import AttributeValue, Item, marshal, unmarshal
from careervp.dal.codec._canonical import canonical_json, compute_checksum
from careervp.dal.codec._cipher import Cipher
from careervp.dal.codec._conform import conform
from careervp.dal.codec._envelope import MAX_INFLATED_BYTES
from careervp.dal.codec._item import (
    FORMAT_ENCRYPTED,
    FORMAT_PLAIN,
    EncodedItem,
    PreparedVersion,
    assemble,
    check_exact_floats,
    decode_item,
    has_content,
    item_label,
    prepare,
    printable,
    read_expiration,
    read_idempotency_key,
    read_key,
    read_write_id,
)
from careervp.dal.codec._record import (
    RecordKeys,
    Reservation,
    decode_record,
    encode_record,
    fingerprint_of,
    record_mac,
    same_content,
)
from careervp.dal.codec._size import MAX_ITEM_BYTES, item_size
from careervp.dal.codec._summary import (
    SUMMARY_MAC_BYTES,
    SummaryHeader,
    SummarySealer,
    read_summary_mac,
)
from careervp.dal.codec._tokens import (
    MIN_SECRET_BYTES,
    PageKey,
    PageTokenSigner,
    key_size_problem,
    read_scan_cursor,
    scan_cursor,
)
from careervp.dal.codec._tombstone import is_tombstone, read_delete_id

__all__ = [
    "FORMAT_ENCRYPTED",
    "FORMAT_PLAIN",
    "MAX_INFLATED_BYTES",
    "MAX_ITEM_BYTES",
    "MIN_SECRET_BYTES",
    "SUMMARY_MAC_BYTES",
    "AttributeValue",
    "Cipher",
    "EncodedItem",
    "Item",
    "PageKey",
    "PageTokenSigner",
    "PreparedVersion",
    "RecordKeys",
    "Reservation",
    "SummaryHeader",
    "SummarySealer",
    "assemble",
    "canonical_json",
    "check_exact_floats",
    "compute_checksum",
    "conform",
    "decode_item",
    "decode_record",
    "encode_record",
    "fingerprint_of",
    "has_content",
    "is_tombstone",
    "item_label",
    "item_size",
    "key_size_problem",
    "marshal",
    "prepare",
    "printable",
    "read_delete_id",
    "read_expiration",
    "read_idempotency_key",
    "read_key",
    "read_scan_cursor",
    "read_summary_mac",
    "read_write_id",
    "record_mac",
    "same_content",
    "scan_cursor",
    "unmarshal",
]
