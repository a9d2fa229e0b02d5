"""Client-side envelope encryption of CVs with KMS data keys (format_version 2).

A data key (AES-256) comes from KMS ``GenerateDataKey``; each blob is sealed with AES-256-GCM
(``cryptography``'s ``AESGCM``) under a fresh 96-bit nonce, with the caller's authenticated
data, and carries the data key as KMS encrypted it::

    0x01 | len(encrypted key), 2 bytes | encrypted key | nonce, 12 bytes | ciphertext | tag, 16

Data keys are cached: the key for new blobs is replaced after ``max_key_age`` seconds or
``max_key_uses`` blobs (far below GCM's 2^32 random-nonce limit), and keys met while reading are
kept by their encrypted form (at most ``max_cached_keys``, for ``max_key_age``), so a warm Lambda
makes no KMS call per save or read. KMS binds every data key to the encryption context
``{"purpose": "careervp-dal/tailored-cv"}``, which the IAM policy in ``deploy/template.yaml``
requires. ``docs/security.md`` has the threat model and the measurements behind these choices.
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from careervp.dal.client import (
    DEFAULT_CALL_TIMEOUT,
    attempt_timeouts,
    install_deadline,
    region_from_environment,
)
from careervp.dal.errors import DalError, IntegrityError, error_code, service_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_kms import KMSClient

__all__ = ["ENCRYPTION_CONTEXT", "KmsCipher"]

ENCRYPTION_CONTEXT = {"purpose": "careervp-dal/tailored-cv"}
_VERSION = 1
_HEADER = struct.Struct(">BH")
_NONCE_BYTES = 12
_TAG_BYTES = 16
# KMS's answers for an encrypted data key that is damaged or sealed under another key: faults
# of that one blob (docs: Decrypt, "Errors").
_NOT_OURS = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})
# Answers that may be the blob's (a ciphertext naming a key this role cannot use, which is
# also what moto says for a blob it cannot open; a ciphertext KMS cannot parse) or the call's
# own (the role's policy, a revoked grant): a probe with a data key known to be ours tells which.
_AMBIGUOUS = frozenset({"AccessDeniedException", "ValidationException"})
_DATA_KEY_BYTES = 32  # AES-256
# KMS takes a CiphertextBlob of 1 to 6,144 bytes; outside that, the blob is damaged.
_MAX_WRAPPED_KEY = 6144


@dataclass
class _DataKey:
    sealer: AESGCM
    encrypted: bytes
    born: float
    uses: int = 0


class KmsCipher:
    """Envelope encryption under one KMS key; thread-safe, one instance per process."""

    def __init__(
        self,
        kms_client: KMSClient,
        key_id: str,
        *,
        max_key_age: float = 300.0,
        max_key_uses: int = 100_000,
        max_cached_keys: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(key_id, str) or not key_id:
            raise ValueError("key_id must name a KMS key (id, ARN or alias)")
        if max_key_age <= 0 or max_key_uses < 1 or max_cached_keys < 1:
            raise ValueError("data key cache bounds must be positive")
        self._kms = kms_client
        self._key_id = key_id
        self._max_age = max_key_age
        self._max_uses = max_key_uses
        self._max_cached = max_cached_keys
        self._clock = clock
        # Guards the cache only, never held across a KMS call: a cached read must not wait for
        # a slow GenerateDataKey. ``_refresh`` lets one caller at a time make a new data key.
        self._lock = threading.Lock()
        self._refresh = threading.Lock()
        # The last failure to make a data key, and when: waiters behind it share it.
        self._failure: tuple[float, DalError] | None = None
        self._current: _DataKey | None = None
        self._known: OrderedDict[bytes, _DataKey] = OrderedDict()
        self.endpoint = str(kms_client.meta.endpoint_url)
        self._fault = partial(
            service_error, service="KMS", resource=f"key {self.key_label}", endpoint=self.endpoint
        )

    @classmethod
    def from_environment(
        cls,
        key_id: str,
        *,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        region_name: str | None = None,
        endpoint_url: str | None = None,
    ) -> KmsCipher:
        """A cipher whose KMS client is configured from the environment as boto3 reads it
        (``AWS_ENDPOINT_URL_KMS`` included); ``region_name`` and ``endpoint_url`` override it,
        as the CLI's ``--region`` does."""
        connect_timeout, read_timeout = attempt_timeouts(call_timeout)
        config = Config(
            retries={"mode": "standard", "total_max_attempts": 5},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            parameter_validation=False,
        )
        client = boto3.client(
            "kms",
            config=config,
            region_name=region_from_environment(region_name),
            endpoint_url=endpoint_url,
        )
        install_deadline(
            client,
            call_timeout,
            attempt_seconds=connect_timeout + read_timeout,
            service="kms",
        )
        return cls(client, key_id)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def key_label(self) -> str:
        """The key as errors name it: an ARN's resource part (``key/…`` or ``alias/…``), never
        the account id or Region an ARN carries (errors may reach API clients)."""
        if self._key_id.startswith("arn:"):
            return self._key_id.rsplit(":", 1)[-1]
        return self._key_id

    def _fresh(self, now: float) -> _DataKey:
        try:
            response = self._kms.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=ENCRYPTION_CONTEXT
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fault(exc, action="generating a data key") from exc
        return _DataKey(
            sealer=AESGCM(response["Plaintext"]),
            encrypted=bytes(response["CiphertextBlob"]),
            born=now,
        )

    def _remember(self, key: _DataKey) -> None:
        self._known[key.encrypted] = key
        self._known.move_to_end(key.encrypted)
        while len(self._known) > self._max_cached:
            self._known.popitem(last=False)

    def _sealing_key(self, now: float) -> _DataKey | None:
        """The current data key, counted as used once more, if it may still seal; under _lock."""
        key = self._current
        if key is None or now - key.born >= self._max_age or key.uses >= self._max_uses:
            return None
        key.uses += 1
        return key

    def _key_for_sealing(self) -> _DataKey:
        now = self._clock()
        with self._lock:
            key = self._sealing_key(now)
        if key is not None:
            return key
        with self._refresh:
            with self._lock:
                # Another caller may have made one while this one waited.
                key = self._sealing_key(now)
            if key is not None:
                return key
            failure = self._failure
            if failure is not None and failure[0] >= now:
                # The caller ahead of this one failed after this one started waiting: KMS is
                # down or refusing now, and each waiter must not spend its own budget again.
                raise failure[1]
            try:
                fresh = self._fresh(now)
            except DalError as exc:
                self._failure = (self._clock(), exc)
                raise
            with self._lock:
                self._current = fresh
                self._remember(fresh)
                fresh.uses += 1
            return fresh

    def _key_for_opening(self, encrypted: bytes) -> _DataKey:
        now = self._clock()
        with self._lock:
            key = self._known.get(encrypted)
            if key is not None and now - key.born < self._max_age:
                self._known.move_to_end(encrypted)
                return key
        try:
            response = self._kms.decrypt(
                CiphertextBlob=encrypted, KeyId=self._key_id, EncryptionContext=ENCRYPTION_CONTEXT
            )
        except ClientError as exc:
            code = error_code(exc)
            if code in _NOT_OURS or (code in _AMBIGUOUS and self._role_can_decrypt()):
                raise IntegrityError(
                    f"its data key does not decrypt under KMS key {self.key_label}"
                ) from None
            raise self._fault(exc, action="decrypting a data key") from exc
        except BotoCoreError as exc:
            raise self._fault(exc, action="decrypting a data key") from exc
        plaintext = response["Plaintext"]
        if len(plaintext) != _DATA_KEY_BYTES:
            # KMS opened it, so it is under our key and context: a data key of another size,
            # made by someone with kms:GenerateDataKey, not one this store ever sealed with.
            raise IntegrityError(f"its data key is {len(plaintext)} bytes, not an AES-256 key")
        key = _DataKey(sealer=AESGCM(plaintext), encrypted=encrypted, born=now)
        with self._lock:
            self._remember(key)
        return key

    def _role_can_decrypt(self) -> bool:
        """Whether this role can open a data key known to be ours (one KMS call, only after a
        refusal); a failure of the probe itself is the call's fault and is raised."""
        with self._lock:
            known = next(reversed(self._known), None)
        try:
            if known is None:
                known = bytes(
                    self._kms.generate_data_key(
                        KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=ENCRYPTION_CONTEXT
                    )["CiphertextBlob"]
                )
            self._kms.decrypt(
                CiphertextBlob=known, KeyId=self._key_id, EncryptionContext=ENCRYPTION_CONTEXT
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fault(exc, action="decrypting a data key") from exc
        return True

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        key = self._key_for_sealing()
        nonce = os.urandom(_NONCE_BYTES)
        header = _HEADER.pack(_VERSION, len(key.encrypted))
        return header + key.encrypted + nonce + key.sealer.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < _HEADER.size:
            raise IntegrityError("the encrypted blob is truncated")
        version, key_length = _HEADER.unpack_from(blob)
        if version != _VERSION:
            raise IntegrityError(f"encrypted blob version {version} is not supported")
        body = _HEADER.size + key_length
        if len(blob) < body + _NONCE_BYTES + _TAG_BYTES:
            raise IntegrityError("the encrypted blob is truncated")
        if not 0 < key_length <= _MAX_WRAPPED_KEY:
            raise IntegrityError("its wrapped data key has an impossible length")
        key = self._key_for_opening(blob[_HEADER.size : body])
        nonce = blob[body : body + _NONCE_BYTES]
        try:
            return key.sealer.decrypt(nonce, blob[body + _NONCE_BYTES :], aad)
        except InvalidTag:
            raise IntegrityError(
                "the ciphertext does not authenticate: it was altered, or moved from another item"
            ) from None

    def cached_keys(self) -> int:
        """How many data keys are cached (for tests and metrics; the keys never leave)."""
        with self._lock:
            return len(self._known)

    # For the async handler (careervp.dal.aio): a step of a plan that may call KMS runs in a
    # worker thread, any other on the event loop. Both answer from the cache alone.

    def seals_without_kms(self) -> bool:
        """Whether ``encrypt`` now would use the cached data key, with no KMS call."""
        now = self._clock()
        with self._lock:
            key = self._current
            return key is not None and now - key.born < self._max_age and key.uses < self._max_uses

    def opens_without_kms(self, blob: bytes) -> bool:
        """Whether ``decrypt(blob, ...)`` would make no KMS call: its data key is cached, or the
        blob is refused before any call (not this cipher's format, truncated)."""
        if len(blob) < _HEADER.size:
            return True
        version, key_length = _HEADER.unpack_from(blob)
        body = _HEADER.size + key_length
        if version != _VERSION or len(blob) < body + _NONCE_BYTES + _TAG_BYTES:
            return True
        if not 0 < key_length <= _MAX_WRAPPED_KEY:
            return True
        now = self._clock()
        with self._lock:
            key = self._known.get(blob[_HEADER.size : body])
            return key is not None and now - key.born < self._max_age
