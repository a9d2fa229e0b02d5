"""Client-side encryption (format_version 2) with KMS data keys, on both HTTP engines; KMS is
moto's server, started by the suite like the engines."""

from __future__ import annotations

import gzip
import random
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from careervp.dal.codec import compute_checksum
from careervp.dal.encryption import KmsCipher
from careervp.dal.settings import KMS_KEY_ENV
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, error_body
from support.raw import artifact_of, key_of, raw_item, tamper

if TYPE_CHECKING:
    from tests.conftest import Store

MARKER = "Tlaloc-Distinctive-Phrase"


class KmsCalls:
    """Counts the KMS operations a client makes."""

    def __init__(self, cipher: KmsCipher) -> None:
        self.names: list[str] = []
        cipher._kms.meta.events.register("before-call.kms", self._record)

    def _record(self, model: Any, **_: object) -> None:
        self.names.append(model.name)


def _data(seed: int, user_id: str = "u-enc") -> Any:
    data = make_data(random.Random(seed), user_id=user_id, json_bytes=6_000)
    data.tailored_cv.executive_summary = f"{MARKER} leads data platforms"
    return data


def test_round_trip_and_no_plaintext_at_rest(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    data = _data(1)
    saved = handler.save_tailored_cv("app-enc", data, idempotency_key="req-enc")
    assert saved.success, saved.error
    got = handler.get_tailored_cv(*key_of(saved.data))
    assert got.success, got.error
    assert got.data.tailored_cv == data.tailored_cv
    assert artifact_of(got.data).checksum == compute_checksum(data)
    listed = handler.list_tailored_cvs_for_user("u-enc")
    assert listed.success
    assert listed.data["items"][0].tailored_cv == data.tailored_cv

    raw = raw_item(http_store.client, http_store.table_name, saved.data)
    assert raw["format_version"] == {"N": "2"}
    assert "checksum" not in raw  # no unkeyed hash of the plaintext in clear
    for item in http_store.scan():  # the version and its idempotency record
        assert MARKER not in repr(item)
        assert compute_checksum(data) not in repr(item)
    blob = raw["tailored_cv"]["B"]
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(blob)  # ciphertext, not the gzip envelope of format 1
    # Compressed text would shrink again; ciphertext does not.
    assert len(zlib.compress(blob, 9)) > len(blob) * 0.95


def _two_versions(store: Store, handler: Any) -> tuple[str, str]:
    first = handler.save_tailored_cv("app-a", _data(2, user_id="u-mallory"))
    store.clock.advance(timedelta(seconds=1))
    second = handler.save_tailored_cv("app-b", _data(3, user_id="u-victim"))
    assert first.success
    assert second.success
    return first.data, second.data


def test_a_blob_copied_onto_another_item_fails(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    mallory, victim = _two_versions(http_store, handler)
    blob = raw_item(http_store.client, http_store.table_name, mallory)["tailored_cv"]
    tamper(
        http_store.client, http_store.table_name, victim, lambda raw: raw.update(tailored_cv=blob)
    )
    got = handler.get_tailored_cv(*key_of(victim))
    assert got.code is ResultCode.INTEGRITY_ERROR
    assert victim in (got.error or "")
    assert MARKER not in (got.error or "")


def test_an_item_moved_into_another_users_listing_fails(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    mallory, _ = _two_versions(http_store, handler)

    def move(raw: dict[str, Any]) -> None:
        raw["user_id"] = {"S": "u-victim"}
        raw["metadata"]["M"]["user_id"] = {"S": "u-victim"}

    tamper(http_store.client, http_store.table_name, mallory, move)
    listed = handler.list_tailored_cvs_for_user("u-victim")
    assert listed.code is ResultCode.INTEGRITY_ERROR
    assert mallory in (listed.error or "")
    exported = handler.export_tailored_cvs_for_user("u-victim")
    assert exported.success
    assert exported.data["unreadable"] == [mallory]


def test_a_longer_ttl_written_by_hand_fails(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    saved = handler.save_tailored_cv("app-ttl", _data(4))
    assert saved.success
    tamper(
        http_store.client,
        http_store.table_name,
        saved.data,
        lambda raw: raw.update(expiration_timestamp={"N": "9999999999"}),
    )
    assert handler.get_tailored_cv(*key_of(saved.data)).code is ResultCode.INTEGRITY_ERROR


def test_mixed_history_reads_with_a_key_and_asks_for_one_without(http_store: Store) -> None:
    plain = http_store.handler()
    encrypted = http_store.handler(cipher=http_store.cipher())
    old = plain.save_tailored_cv("app-mix", _data(5))
    http_store.clock.advance(timedelta(seconds=1))
    new = encrypted.save_tailored_cv("app-mix", _data(6))
    assert old.success
    assert new.success
    listed = encrypted.list_tailored_cvs_for_application("app-mix")
    assert listed.success
    assert [artifact_of(v).artifact_id for v in listed.data] == [new.data, old.data]
    assert encrypted.get_tailored_cv(*key_of(old.data)).success
    refused = plain.get_tailored_cv(*key_of(new.data))
    assert refused.code is ResultCode.INTEGRITY_ERROR
    assert "TAILORED_CV_KMS_KEY_ID" in (refused.error or "")
    assert plain.delete_tailored_cv(*key_of(new.data)).success  # still removable


def test_data_keys_are_cached_so_a_warm_handler_makes_no_kms_call_per_operation(
    http_store: Store,
) -> None:
    cipher = http_store.cipher()
    calls = KmsCalls(cipher)
    handler = http_store.handler(cipher=cipher)
    saved = []
    for seed in range(10):
        http_store.clock.advance(timedelta(seconds=1))
        result = handler.save_tailored_cv("app-cache", _data(seed))
        assert result.success
        saved.append(result.data)
    for artifact in saved:
        assert handler.get_tailored_cv(*key_of(artifact)).success
    assert calls.names == ["GenerateDataKey"]

    # Another process (a cold cipher under the same key) decrypts the data key once.
    cold = KmsCipher(cipher._kms, cipher.key_id)
    cold_calls = KmsCalls(cold)
    reader = http_store.handler(cipher=cold)
    listed = reader.list_tailored_cvs_for_application("app-cache")
    assert listed.success
    assert len(listed.data) == 10
    assert cold_calls.names == ["Decrypt"]


def test_the_data_key_cache_is_bounded_in_age_and_uses(http_store: Store) -> None:
    now = [0.0]
    cipher = http_store.cipher(max_key_age=60, max_key_uses=3, clock=lambda: now[0])
    calls = KmsCalls(cipher)
    handler = http_store.handler(cipher=cipher)
    for seed in range(7):  # uses: 3 + 3 + 1
        http_store.clock.advance(timedelta(seconds=1))
        assert handler.save_tailored_cv("app-bound", _data(seed)).success
    assert calls.names == ["GenerateDataKey"] * 3
    now[0] = 61.0  # the current key is too old now, for sealing and for opening
    assert handler.save_tailored_cv("app-bound", _data(9)).success
    assert calls.names == ["GenerateDataKey"] * 4
    assert cipher.cached_keys() <= 64


def test_concurrent_saves_share_one_cipher_safely(http_store: Store) -> None:
    cipher = http_store.cipher()
    handler = http_store.handler(cipher=cipher, clock=None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(lambda s: handler.save_tailored_cv("app-par", _data(s)), range(24))
        )
    assert all(o.success for o in outcomes), [o.error for o in outcomes]
    listed = handler.list_tailored_cvs_for_application("app-par")
    assert listed.success
    assert len(listed.data) == 24


KMS_FAULTS = {
    "access denied": ("AccessDeniedException", 400, ResultCode.DATABASE_ERROR),
    "disabled key": ("DisabledException", 400, ResultCode.DATABASE_ERROR),
    "throttling": ("ThrottlingException", 400, ResultCode.THROTTLED),
    "KMS down": ("KMSInternalException", 500, ResultCode.DATABASE_ERROR),
}


@pytest.mark.parametrize("fault", sorted(KMS_FAULTS))
def test_kms_faults_have_their_codes_and_name_kms_and_the_key(
    http_store: Store, fault: str
) -> None:
    kind, status, code = KMS_FAULTS[fault]
    cipher = http_store.cipher()
    Fault(cipher._kms, "GenerateDataKey", times=100, status=status, body=error_body(kind, "no"))
    result = http_store.handler(cipher=cipher).save_tailored_cv("app-kms", _data(1))
    assert result.code is code, result
    assert "KMS" in (result.error or "")
    assert cipher.key_id in (result.error or "")
    assert MARKER not in (result.error or "")
    assert http_store.count() == 0


def test_an_unreachable_kms_is_a_database_error(http_store: Store) -> None:
    from support.engines import free_port  # noqa: PLC0415

    dead = boto3.client(
        "kms", endpoint_url=f"http://127.0.0.1:{free_port()}", region_name="us-east-1"
    )
    cipher = KmsCipher(dead, "alias/careervp-content")
    result = http_store.handler(cipher=cipher).save_tailored_cv("app-kms", _data(3))
    assert result.code is ResultCode.DATABASE_ERROR
    assert "could not connect to KMS at" in (result.error or "")
    assert "alias/careervp-content" in (result.error or "")


def test_the_default_handler_builds_a_kms_cipher_from_the_environment(
    http_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_id = http_store.engine.kms().create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv(KMS_KEY_ENV, key_id)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", str(http_store.engine.kms_endpoint_url))
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-env", _data(4))
    assert saved.success, saved.error
    raw = raw_item(http_store.client, http_store.table_name, saved.data)
    assert raw["format_version"] == {"N": "2"}
    assert handler.get_tailored_cv(*key_of(saved.data)).success


# -- upgrading format-1 versions -----------------------------------------------------------


def _run_upgrade(handler: Any, *, page_size: int = 2, dry_run: bool = False) -> dict[str, Any]:
    totals: dict[str, Any] = {"encrypted": 0, "unreadable": [], "changed": [], "pages": 0}
    cursor = None
    while True:
        page = handler.encrypt_existing_versions(cursor, page_size=page_size, dry_run=dry_run)
        assert page.success, page.error
        totals["pages"] += 1
        for name in ("encrypted", "unreadable", "changed"):
            totals[name] += page.data[name]
        cursor = page.data["next_cursor"]
        if cursor is None:
            return totals


def test_existing_versions_are_encrypted_in_place_resumably(http_store: Store) -> None:
    plain = http_store.handler()
    saved = []
    for seed in range(5):
        http_store.clock.advance(timedelta(seconds=1))
        result = plain.save_tailored_cv(
            f"app-up-{seed % 2}", _data(seed), idempotency_key=f"k{seed}"
        )
        assert result.success
        saved.append(result.data)
    broken = saved[4]
    tamper(
        http_store.client,
        http_store.table_name,
        broken,
        lambda raw: raw.update(checksum={"S": "0" * 64}),
    )
    before = {a: raw_item(http_store.client, http_store.table_name, a) for a in saved}

    encrypted = http_store.handler(cipher=http_store.cipher())
    dry = _run_upgrade(encrypted, dry_run=True)
    assert (dry["encrypted"], dry["unreadable"]) == (4, [broken])
    assert {a: raw_item(http_store.client, http_store.table_name, a) for a in saved} == before

    # One page, then stop: the cursor resumes where it stopped.
    first = encrypted.encrypt_existing_versions(None, page_size=3)
    assert first.success
    assert first.data["next_cursor"] is not None
    rest = _run_upgrade_from(encrypted, first.data["next_cursor"])
    assert first.data["encrypted"] + rest["encrypted"] == 4
    assert first.data["unreadable"] + rest["unreadable"] == [broken]

    for artifact in saved[:4]:
        raw = raw_item(http_store.client, http_store.table_name, artifact)
        assert raw["format_version"] == {"N": "2"}
        assert raw["expiration_timestamp"] == before[artifact]["expiration_timestamp"]
        assert raw["write_id"] == before[artifact]["write_id"]
        got = encrypted.get_tailored_cv(*key_of(artifact))
        assert got.success, got.error
        assert artifact_of(got.data).checksum == before[artifact]["checksum"]["S"]
    assert raw_item(http_store.client, http_store.table_name, broken) == before[broken]
    again = _run_upgrade(encrypted)  # nothing left: versions already encrypted are not read
    assert (again["encrypted"], again["unreadable"]) == (0, [broken])
    # The repeat of a keyed save still finds its version, now encrypted.
    repeat = encrypted.save_tailored_cv("app-up-0", _data(0), idempotency_key="k0")
    assert repeat.data == saved[0]


def _run_upgrade_from(handler: Any, cursor: str | None) -> dict[str, Any]:
    totals: dict[str, Any] = {"encrypted": 0, "unreadable": []}
    while cursor is not None:
        page = handler.encrypt_existing_versions(cursor, page_size=3)
        assert page.success, page.error
        totals["encrypted"] += page.data["encrypted"]
        totals["unreadable"] += page.data["unreadable"]
        cursor = page.data["next_cursor"]
    return totals


def test_a_version_erased_during_the_upgrade_is_not_brought_back(http_store: Store) -> None:
    plain = http_store.handler()
    saved = plain.save_tailored_cv("app-race", _data(7))
    assert saved.success
    other = http_store.engine.client()

    def erase_first(**_: object) -> None:
        # An erasure request lands between the upgrade's read and its write.
        other.delete_item(
            TableName=http_store.table_name,
            Key={"application_id": {"S": "app-race"}, "created_at": {"S": key_of(saved.data)[1]}},
        )
        http_store.client.meta.events.unregister("before-send.dynamodb.PutItem", erase_first)

    http_store.client.meta.events.register("before-send.dynamodb.PutItem", erase_first)
    result = http_store.handler(cipher=http_store.cipher()).encrypt_existing_versions()
    assert result.success
    assert (result.data["encrypted"], result.data["changed"]) == (0, [saved.data])
    assert http_store.count() == 0


def test_encrypting_without_a_key_is_refused(http_store: Store) -> None:
    result = http_store.handler().encrypt_existing_versions()
    assert result.code is ResultCode.VALIDATION_ERROR
    assert "TAILORED_CV_KMS_KEY_ID" in (result.error or "")
    bad = http_store.handler(cipher=http_store.cipher()).encrypt_existing_versions("!!garbage")
    assert bad.code is ResultCode.VALIDATION_ERROR


def test_a_plain_version_too_large_to_encrypt_is_named_and_the_rest_go_on(
    http_store: Store,
) -> None:
    if http_store.engine.name != "dynalite":
        pytest.skip("only dynalite stores items up to DynamoDB's exact limit")
    import base64  # noqa: PLC0415

    from careervp.dal.codec import MAX_ITEM_BYTES  # noqa: PLC0415
    from support.factories import encode  # noqa: PLC0415

    plain = http_store.handler()
    small = plain.save_tailored_cv("app-big", _data(1))
    noise = base64.b64encode(random.Random(2).randbytes(600_000)).decode()
    low, high = 0, len(noise)
    while low < high:  # the longest summary whose plain item still fits
        middle = (low + high + 1) // 2
        data = _data(3)
        data.tailored_cv.executive_summary = noise[:middle]
        try:
            fits = (
                encode("app-big", "2026-11-26T10:30:05.000000Z", 1, data).size
                <= MAX_ITEM_BYTES - 60
            )
        except Exception:  # noqa: BLE001 - too large for the guard
            fits = False
        low, high = (middle, high) if fits else (low, middle - 1)
    data = _data(3)
    data.tailored_cv.executive_summary = noise[:low]
    http_store.clock.advance(timedelta(seconds=5))
    big = plain.save_tailored_cv("app-big", data)
    assert small.success
    assert big.success, big.error
    page = http_store.handler(cipher=http_store.cipher()).encrypt_existing_versions(page_size=10)
    assert page.success, page.error
    assert (page.data["encrypted"], page.data["too_large"]) == (1, [big.data])
    assert raw_item(http_store.client, http_store.table_name, big.data)["format_version"] == {
        "N": "1"
    }
