"""The wire format: every byte the store sends to or reads from DynamoDB.

* ``attributes``: Python values to AttributeValues and back (floats exact, no ``Decimal``);
* ``canonical``: canonical JSON and the SHA-256 checksum;
* ``envelope``: the gzip envelope and its inflation cap;
* ``size``: item size by DynamoDB's rules;
* ``item``: ``TailoredCVData`` to the table's item and back, verified;
* ``tokens``: signed, bound page tokens.

``docs/codec.md`` describes the format these modules produce.
"""

from careervp.dal.codec.attributes import (
    AttributeValue,
    Item,
    PlainValue,
    check_number,
    marshal,
    marshal_map,
    unmarshal,
    unmarshal_map,
)
from careervp.dal.codec.canonical import (
    canonical_json,
    checksum_of,
    compute_checksum,
    decode_tailored_cv,
)
from careervp.dal.codec.envelope import MAX_INFLATED_BYTES, compress, decompress
from careervp.dal.codec.errors import CodecError, IntegrityError, TokenError, TooLargeError
from careervp.dal.codec.item import (
    FORMAT_VERSION,
    EncodedItem,
    artifact_id,
    decode_item,
    encode_item,
    item_label,
    read_expiration,
    read_table_key,
    rekey_item,
    table_key,
)
from careervp.dal.codec.size import MAX_ITEM_BYTES, attribute_size, item_size
from careervp.dal.codec.tokens import MAX_TOKEN_CHARS, MIN_SECRET_BYTES, PageKey, PageTokenSigner

__all__ = [
    "FORMAT_VERSION",
    "MAX_INFLATED_BYTES",
    "MAX_ITEM_BYTES",
    "MAX_TOKEN_CHARS",
    "MIN_SECRET_BYTES",
    "AttributeValue",
    "CodecError",
    "EncodedItem",
    "IntegrityError",
    "Item",
    "PageKey",
    "PageTokenSigner",
    "PlainValue",
    "TokenError",
    "TooLargeError",
    "artifact_id",
    "attribute_size",
    "canonical_json",
    "check_number",
    "checksum_of",
    "compress",
    "compute_checksum",
    "decode_item",
    "decode_tailored_cv",
    "decompress",
    "encode_item",
    "item_label",
    "item_size",
    "marshal",
    "marshal_map",
    "read_expiration",
    "read_table_key",
    "rekey_item",
    "table_key",
    "unmarshal",
    "unmarshal_map",
]
