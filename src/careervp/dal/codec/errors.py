"""What the codec raises; the handler turns each into a ``Result`` code."""

__all__ = ["CodecError", "IntegrityError", "TokenError", "TooLargeError"]


class CodecError(ValueError):
    """A value the wire format cannot carry (the caller's input is at fault)."""


class TooLargeError(CodecError):
    """An item or CV over DynamoDB's item limit or the inflation cap."""


class IntegrityError(Exception):
    """A stored item that cannot be decoded or fails its checksum."""


class TokenError(ValueError):
    """A page token that is malformed, forged, expired or bound to another query."""
