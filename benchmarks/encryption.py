"""What client-side encryption costs, and the two ways of doing it that were weighed.

Candidates, each sealing the typical CV's gzip blob with a cached data key:

* ``cryptography`` directly: ``KmsCipher`` (AES-256-GCM, its own 4-field header);
* the AWS Encryption SDK: ``EncryptionSDKClient`` with a caching materials manager (the same
  bounds), its committing suite without signatures (the default adds an ECDSA P-384 signature
  per message, shown too).

KMS is answered from memory (``canned``): these are client CPU and bytes, not KMS latency.
"""

from __future__ import annotations

import base64
import json
import statistics
import subprocess
import sys
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_encryption_sdk
import boto3
from aws_encryption_sdk.caches.local import LocalCryptoMaterialsCache
from aws_encryption_sdk.identifiers import (
    Algorithm,
    CommitmentPolicy,
    EncryptionKeyType,
    WrappingAlgorithm,
)
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey
from aws_encryption_sdk.materials_managers.caching import CachingCryptoMaterialsManager

from benchmarks.canned import LOCAL, NOWHERE, answer
from benchmarks.cpu import APPLICATION, CREATED, FAR_FUTURE, SECRET, TYPICAL, data_of
from benchmarks.report import RATIO_HEADERS, Section, micros, ratio_row
from benchmarks.timing import compare
from careervp.dal.client import build_client
from careervp.dal.codec import conform, item_size, prepare
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.encryption import KmsCipher
from support.factories import encode

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.awsrequest import AWSPreparedRequest

__all__ = ["sections"]

DATA_KEY = bytes(range(32))
WRAPPED_KEY = bytes(range(184))  # the size of a KMS CiphertextBlob for an AES-256 data key
AAD = b"careervp-dal/tailored-cv/v2\x00" + b"x" * 300


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Any:
        yield self._body


def _canned_kms() -> Any:
    kms = boto3.client("kms", endpoint_url=NOWHERE, **LOCAL)
    plain, wrapped = base64.b64encode(DATA_KEY).decode(), base64.b64encode(WRAPPED_KEY).decode()
    documents = {
        "GenerateDataKey": {"Plaintext": plain, "CiphertextBlob": wrapped, "KeyId": "k"},
        "Decrypt": {"Plaintext": plain, "KeyId": "k"},
    }
    for operation, document in documents.items():
        body = json.dumps(document).encode()

        def reply(request: AWSPreparedRequest, body: bytes = body, **_: object) -> Any:
            from botocore.awsrequest import AWSResponse  # noqa: PLC0415

            headers: Any = {"Content-Type": "application/x-amz-json-1.1"}
            return AWSResponse(request.url, 200, headers, _Body(body))

        kms.meta.events.register(f"before-send.kms.{operation}", reply)
    return kms


def _esdk(algorithm: Algorithm) -> tuple[Any, Any]:
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )
    key = RawMasterKey(
        provider_id="careervp",
        key_id=b"content",
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=DATA_KEY,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )
    manager = CachingCryptoMaterialsManager(
        master_key_provider=key,
        cache=LocalCryptoMaterialsCache(capacity=64),
        max_age=300.0,
        max_messages_encrypted=100_000,
    )

    def seal(blob: bytes) -> bytes:
        sealed, _ = client.encrypt(
            source=blob,
            materials_manager=manager,
            algorithm=algorithm,
            encryption_context={"purpose": "careervp-dal/tailored-cv", "item": "binding"},
        )
        return bytes(sealed)

    def unseal(sealed: bytes) -> bytes:
        plain, _ = client.decrypt(source=sealed, materials_manager=manager)
        return bytes(plain)

    return seal, unseal


def _import_ms(statement: str, runs: int = 9) -> float:
    probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(  # noqa: S603 - this interpreter, fixed statements
                [sys.executable, "-c", probe], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times) * 1e3


def _installed_kb(*distributions: str) -> float:
    total = 0
    for name in distributions:
        for file in metadata.distribution(name).files or []:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1024


def _candidates(min_time: float) -> Section:
    blob = prepare(conform(data_of(TYPICAL))).blob
    ours = KmsCipher(_canned_kms(), "alias/careervp-content")
    sealers: list[tuple[str, Callable[[bytes], bytes], Callable[[bytes], bytes], bool]] = [
        (
            "cryptography (KmsCipher)",
            lambda b: ours.encrypt(b, AAD),
            lambda s: ours.decrypt(s, AAD),
            True,
        )
    ]
    for label, algorithm in (
        ("Encryption SDK, committing, no signature", Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY),
        (
            "Encryption SDK, default suite (ECDSA P-384)",
            Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        ),
    ):
        seal, unseal = _esdk(algorithm)
        sealers.append((label, seal, unseal, False))
    section = Section(
        f"Encryption candidates on the typical {TYPICAL} CV's gzip blob ({len(blob):,} B)",
        ["candidate", "seal", "open", "bytes added", "import", "installed"],
        notes=[
            (
                "Data keys cached by both. Import: median of 9 fresh interpreters, the statement"
                " alone. Installed: the files of the distributions each needs beyond boto3 (the SDK"
                " needs cryptography too)."
            ),
        ],
    )
    imports = {
        True: _import_ms("from cryptography.hazmat.primitives.ciphers.aead import AESGCM"),
        False: _import_ms("import aws_encryption_sdk"),
    }
    sizes = {
        True: _installed_kb("cryptography", "cffi", "pycparser"),
        False: _installed_kb(
            "aws-encryption-sdk", "attrs", "wrapt", "cryptography", "cffi", "pycparser"
        ),
    }
    for label, seal, unseal, direct in sealers:
        sealed = seal(blob)
        timed = compare(partial(seal, blob), partial(unseal, sealed), min_time=min_time)
        section.add(
            label,
            micros(timed.ours),
            micros(timed.baseline),
            f"{len(sealed) - len(blob):,} B",
            f"{imports[direct]:.0f} ms",
            f"{sizes[direct] / 1024:.1f} MB",
        )
    return section


def _cost_in_the_store(min_time: float) -> Section:
    section = Section(
        f"What encryption adds to a save and a read of the typical {TYPICAL} CV"
        " (encrypted / plain)",
        RATIO_HEADERS,
    )
    data = data_of(TYPICAL)
    cipher = KmsCipher(_canned_kms(), "alias/careervp-content")
    plain_item = encode(APPLICATION, CREATED, FAR_FUTURE, data).item
    sealed_item = encode(APPLICATION, CREATED, FAR_FUTURE, data, cipher=cipher).item
    handlers = []
    for item, with_cipher in ((plain_item, None), (sealed_item, cipher)):
        client = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
        answer(client, {"PutItem": {}, "GetItem": {"Item": item}})
        handlers.append(DynamoDalHandler(client, "t", token_secret=SECRET, cipher=with_cipher))
    plain, encrypted = handlers
    saves = compare(
        partial(encrypted.save_tailored_cv, APPLICATION, data),
        partial(plain.save_tailored_cv, APPLICATION, data),
        min_time=min_time,
    )
    gets = compare(
        partial(encrypted.get_tailored_cv, APPLICATION, CREATED),
        partial(plain.get_tailored_cv, APPLICATION, CREATED),
        min_time=min_time,
    )
    ratio_row(section, "save", TYPICAL, saves, "-")
    ratio_row(section, "get", TYPICAL, gets, "-")
    section.notes.append(
        f"Encryption adds {item_size(sealed_item) - item_size(plain_item)} B to the item (the"
        " wrapped data key, nonce, tag and header, less the checksum no longer stored in clear);"
        " the typical item's size is the capacity section's."
    )
    return section


def sections(min_time: float) -> list[Section]:
    return [_cost_in_the_store(min_time), _candidates(min_time)]
