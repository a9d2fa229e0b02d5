"""The environment variables the store reads (``docs/operations.md`` explains each)."""

__all__ = [
    "ACCEPT_PLAINTEXT_ENV",
    "INDEX_NAME_ENV",
    "KMS_KEY_ENV",
    "SECRET_ENV",
    "SECRET_PREVIOUS_ENV",
    "TABLE_NAME_ENV",
    "WIRE_ENV",
]

TABLE_NAME_ENV = "TAILORED_CV_TABLE_NAME"
# Only while migrating to another user index (docs/schema.md); the default is schema.INDEX_NAME.
INDEX_NAME_ENV = "TAILORED_CV_INDEX_NAME"
SECRET_ENV = "TAILORED_CV_PAGINATION_SECRET"  # noqa: S105 - a variable name
SECRET_PREVIOUS_ENV = "TAILORED_CV_PAGINATION_SECRET_PREVIOUS"  # noqa: S105
KMS_KEY_ENV = "TAILORED_CV_KMS_KEY_ID"
# "1" opens the migration window: a handler with a key still reads format-1 (plaintext)
# versions while encrypt-existing upgrades them (docs/security.md, "No downgrade").
ACCEPT_PLAINTEXT_ENV = "TAILORED_CV_ACCEPT_PLAINTEXT"
# "0" (or false, off, no) turns the wire path off (docs/architecture.md); on by default.
WIRE_ENV = "TAILORED_CV_WIRE"
