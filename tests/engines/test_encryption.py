"""Client-side encryption (format_version 2) with KMS data keys, on both HTTP engines; KMS is
moto's server, started by the suite like the engines."""

from __future__ import annotations

import gzip
import logging
import random
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from careervp.dal.codec import compute_checksum
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.encryption import KmsCipher
from careervp.dal.errors import DalError
from careervp.dal.settings import ACCEPT_PLAINTEXT_ENV, KMS_KEY_ENV
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
    assert listed.success
    assert listed.data["unreadable"] == [mallory]
    assert mallory not in [artifact_of(i).artifact_id for i in listed.data["items"]]
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
    # The migration window: plaintext versions are read until encrypt-existing has run.
    encrypted = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
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
    http_store.engine.require_atomic_conditions()
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


def test_a_slow_generate_data_key_never_blocks_a_cached_read(http_store: Store) -> None:
    """A save waiting for KMS to make a new data key holds no lock a cached read needs (0.3.0
    held it: a cached get took as long as the GenerateDataKey beside it)."""
    cipher = http_store.cipher(max_key_uses=1)  # every save makes a new data key
    handler = http_store.handler(cipher=cipher)
    first = handler.save_tailored_cv("app-slow", _data(1))
    assert first.success
    assert handler.get_tailored_cv(*key_of(first.data)).success  # its data key is cached now
    entered, release = threading.Event(), threading.Event()
    held_too_long = threading.Event()

    def hold(**_: object) -> None:
        entered.set()
        if not release.wait(timeout=20):
            held_too_long.set()

    cipher._kms.meta.events.register("before-send.kms.GenerateDataKey", hold)
    http_store.clock.advance(timedelta(seconds=1))
    with ThreadPoolExecutor(max_workers=1) as pool:
        saving = pool.submit(handler.save_tailored_cv, "app-slow", _data(2))
        assert entered.wait(timeout=20)
        got = handler.get_tailored_cv(*key_of(first.data))  # while GenerateDataKey is held
        read_while_held = not release.is_set() and not held_too_long.is_set()
        release.set()
        saved = saving.result()
    assert got.success, got.error
    assert read_while_held
    assert saved.success, saved.error


def test_callers_waiting_behind_a_failed_generate_data_key_share_its_failure(
    http_store: Store,
) -> None:
    """KMS unreachable: the first sealer's GenerateDataKey spends its budget and fails; those
    that waited behind it answer with that failure instead of each spending a budget in turn
    (five saves then took 0.8 to 4 s with a 2 s budget)."""
    # One instant for every caller: each waiter counts as started before the failure, however
    # the threads are scheduled.
    cipher = http_store.cipher(clock=lambda: 0.0)
    entered, release = threading.Event(), threading.Event()
    callers: set[int] = set()

    def unreachable(**_: object) -> None:
        callers.add(threading.get_ident())
        entered.set()
        release.wait(timeout=20)
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")

    cipher._kms.meta.events.register("before-send.kms.GenerateDataKey", unreachable)
    outcomes: list[str] = []

    def seal() -> None:
        try:
            cipher.encrypt(b"cv", b"aad")
        except DalError as exc:
            outcomes.append(exc.code.value)

    first = threading.Thread(target=seal)
    first.start()
    assert entered.wait(timeout=20)
    waiting = [threading.Thread(target=seal) for _ in range(4)]
    for thread in waiting:
        thread.start()
    release.set()
    for thread in [first, *waiting]:
        thread.join(timeout=60)
    assert outcomes == ["DATABASE_ERROR"] * 5
    assert len(callers) == 1  # only the first caller reached KMS


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
        "kms",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )
    cipher = KmsCipher(dead, "alias/careervp-content")
    result = http_store.handler(cipher=cipher).save_tailored_cv("app-kms", _data(3))
    assert result.code is ResultCode.DATABASE_ERROR
    assert "could not connect to KMS at" in (result.error or "")
    assert "alias/careervp-content" in (result.error or "")


def test_an_account_id_in_a_kms_message_reaches_no_log_record(
    http_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    account = "123456789012"
    missing = f"arn:aws:kms:us-east-1:{account}:key/0b8d5a3e-5a4e-4f4e-9a57-3f0c2b1c9d7e"
    cipher = KmsCipher(http_store.engine.kms(), missing)
    with caplog.at_level(logging.DEBUG, logger="careervp.dal"):
        result = http_store.handler(cipher=cipher).save_tailored_cv("app-kms", _data(4))
    assert result.code is ResultCode.DATABASE_ERROR
    assert account not in (result.error or "")
    failures = [r for r in caplog.records if getattr(r, "action", None) == "save_tailored_cv"]
    assert failures
    engine = [str(getattr(r, "engine_message", "")) for r in failures]
    assert any("<account-id>" in message for message in engine), engine  # KMS named the key
    for record in caplog.records:
        if not record.name.startswith("careervp"):
            continue  # botocore's own DEBUG records (another test may turn them on) are not ours
        assert account not in record.getMessage()
        assert not any(account in str(value) for value in vars(record).values()), vars(record)


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

    encrypted = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
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
    upgrader = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
    result = upgrader.encrypt_existing_versions()
    assert result.success
    assert (result.data["encrypted"], result.data["changed"]) == (0, [saved.data])
    assert http_store.count() == 0


def test_encrypting_without_a_key_is_refused(http_store: Store) -> None:
    result = http_store.handler().encrypt_existing_versions()
    assert result.code is ResultCode.VALIDATION_ERROR
    assert "TAILORED_CV_KMS_KEY_ID" in (result.error or "")
    upgrader = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
    bad = upgrader.encrypt_existing_versions("!!garbage")
    assert bad.code is ResultCode.VALIDATION_ERROR


def test_encrypting_outside_the_migration_window_is_refused(http_store: Store) -> None:
    """The upgrade trusts each plaintext version's unkeyed checksum: it runs only in the
    window an operator declares, or it would seal a version planted in clear."""
    plain = http_store.handler()
    assert plain.save_tailored_cv("app-w", _data(8)).success
    refused = http_store.handler(cipher=http_store.cipher()).encrypt_existing_versions()
    assert refused.code is ResultCode.VALIDATION_ERROR
    assert "TAILORED_CV_ACCEPT_PLAINTEXT=1" in (refused.error or "")
    assert raw_item(http_store.client, http_store.table_name, _only(http_store))[
        "format_version"
    ] == {"N": "1"}


def _only(store: Store) -> str:
    (item,) = [i for i in store.scan() if "format_version" in i]
    return f"{item['application_id']['S']}#{item['created_at']['S']}"


@pytest.mark.parametrize("hostile", ["a" * 2049, "é" * 1025])
def test_a_hostile_resume_cursor_is_a_validation_error(http_store: Store, hostile: str) -> None:
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415

    cursor = (
        base64.urlsafe_b64encode(json.dumps([hostile, "2026-11-26T10:30:00.000000Z"]).encode())
        .decode()
        .rstrip("=")
    )
    upgrader = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
    result = upgrader.encrypt_existing_versions(cursor)
    assert result.code is ResultCode.VALIDATION_ERROR, result
    assert "cursor" in (result.error or "")


# -- no downgrade --------------------------------------------------------------------------


def _plant_plaintext(store: Store, over: str | None = None, user_id: str = "u-enc") -> str:
    """A format-1 version written by someone with table access but no kms:Decrypt: its
    checksum is an unkeyed SHA-256 anyone can compute. ``over`` overwrites a genuine version
    in place, under the same artifact id."""
    forger = DynamoDalHandler(
        store.client, store.table_name, clock=store.clock, token_secret=b"x" * 32
    )
    data = _data(40, user_id=user_id)
    data.tailored_cv.executive_summary = "Forged summary"
    if over is None:
        store.clock.advance(timedelta(seconds=5))
        saved = forger.save_tailored_cv("app-plant", data)
        assert saved.success
        return saved.data
    # The same bytes a format-1 save would write, moved onto the genuine version's key.
    application_id, created_at = key_of(over)
    scratch = forger.save_tailored_cv("app-scratch", data)
    assert scratch.success
    raw = raw_item(store.client, store.table_name, scratch.data)
    store.client.delete_item(
        TableName=store.table_name, Key={k: raw[k] for k in ("application_id", "created_at")}
    )
    raw["application_id"] = {"S": application_id}
    raw["created_at"] = {"S": created_at}
    ttl = raw_item(store.client, store.table_name, over)["expiration_timestamp"]
    raw["expiration_timestamp"] = ttl
    store.client.put_item(TableName=store.table_name, Item=raw)
    return over


def test_a_planted_plaintext_version_is_refused_by_a_handler_with_a_key(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    genuine = handler.save_tailored_cv("app-plant", _data(41))
    assert genuine.success
    planted = _plant_plaintext(http_store)
    got = handler.get_tailored_cv(*key_of(planted))
    assert got.code is ResultCode.INTEGRITY_ERROR
    assert "encryption is required" in (got.error or "")
    assert "Forged" not in (got.error or "")
    latest = handler.get_latest_tailored_cv("app-plant")
    assert latest.code is ResultCode.INTEGRITY_ERROR  # the newest is the planted one
    assert handler.list_tailored_cvs_for_application("app-plant").code is (
        ResultCode.INTEGRITY_ERROR
    )
    page = handler.list_tailored_cvs_for_user("u-enc")
    assert page.success
    assert page.data["unreadable"] == [planted]
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [genuine.data]
    exported = handler.export_tailored_cvs_for_user("u-enc")
    assert exported.success
    assert exported.data["unreadable"] == [planted]
    assert all("Forged" not in repr(i) for i in exported.data["items"])


def test_a_genuine_version_overwritten_in_clear_is_refused(http_store: Store) -> None:
    handler = http_store.handler(cipher=http_store.cipher())
    genuine = handler.save_tailored_cv("app-over", _data(42))
    assert genuine.success
    _plant_plaintext(http_store, over=genuine.data)
    got = handler.get_tailored_cv(*key_of(genuine.data))
    assert got.code is ResultCode.INTEGRITY_ERROR
    assert "Forged" not in repr(got)


def test_the_migration_window_is_declared_by_option_or_environment(
    http_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cipher = http_store.cipher()
    planted = _plant_plaintext(http_store)
    assert http_store.handler(cipher=cipher).get_tailored_cv(*key_of(planted)).code is (
        ResultCode.INTEGRITY_ERROR
    )
    assert (
        http_store.handler(cipher=cipher, accept_plaintext=True)
        .get_tailored_cv(*key_of(planted))
        .success
    )
    monkeypatch.setenv(ACCEPT_PLAINTEXT_ENV, "1")
    assert http_store.handler(cipher=cipher).get_tailored_cv(*key_of(planted)).success
    # The option wins over the environment: a handler can close the window explicitly.
    assert (
        http_store.handler(cipher=cipher, accept_plaintext=False)
        .get_tailored_cv(*key_of(planted))
        .code
        is ResultCode.INTEGRITY_ERROR
    )
    monkeypatch.setenv(ACCEPT_PLAINTEXT_ENV, "yes")
    with pytest.raises(ValueError, match=ACCEPT_PLAINTEXT_ENV):
        http_store.handler(cipher=cipher)


# -- faults of one version's data key against faults of KMS itself ---------------------------


def _good_and_bad(store: Store, handler: Any, application_id: str, seed: int) -> tuple[str, str]:
    """Two versions of one application, a second apart: the second is the one to damage."""
    good = handler.save_tailored_cv(application_id, _data(seed))
    store.clock.advance(timedelta(seconds=1))
    bad = handler.save_tailored_cv(application_id, _data(seed + 1))
    assert good.success
    assert bad.success
    return good.data, bad.data


@pytest.mark.parametrize("where", ["early", "middle"])
def test_a_damaged_wrapped_data_key_is_that_versions_integrity_failure(
    http_store: Store, where: str
) -> None:
    """Whatever KMS answers for a blob it cannot open (InvalidCiphertext; moto: AccessDenied
    for a key id it does not know), the page returns the others and names this one."""
    cipher = http_store.cipher()
    handler = http_store.handler(cipher=cipher)
    good, bad = _good_and_bad(http_store, handler, "app-dk", 50)

    def damage(raw: dict[str, Any]) -> None:
        blob = bytearray(raw["tailored_cv"]["B"])
        key_length = int.from_bytes(blob[1:3], "big")
        offset = 3 + (4 if where == "early" else key_length // 2)
        blob[offset] ^= 0xFF
        raw["tailored_cv"]["B"] = bytes(blob)

    tamper(http_store.client, http_store.table_name, bad, damage)
    # A cold reader: the data key is not cached, so KMS is asked to open the damaged one.
    reader = http_store.handler(cipher=KmsCipher(cipher._kms, cipher.key_id))
    got = reader.get_tailored_cv(*key_of(bad))
    assert got.code is ResultCode.INTEGRITY_ERROR, got
    assert bad in (got.error or "")
    page = reader.list_tailored_cvs_for_user("u-enc")
    assert page.success, page
    assert page.data["unreadable"] == [bad]
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [good]
    exported = reader.export_tailored_cvs_for_user("u-enc")
    assert exported.success
    assert exported.data["unreadable"] == [bad]


def test_a_wrapped_key_of_impossible_length_is_the_versions_fault(http_store: Store) -> None:
    """KMS refuses a CiphertextBlob outside 1 to 6,144 bytes with ValidationException; the
    cipher checks the length first, so a damaged length is that version's, not the call's."""
    cipher = http_store.cipher()
    handler = http_store.handler(cipher=cipher)
    good, bad = _good_and_bad(http_store, handler, "app-len", 70)

    def zero_length(raw: dict[str, Any]) -> None:
        blob = bytearray(raw["tailored_cv"]["B"])
        blob[1:3] = b"\x00\x00"
        raw["tailored_cv"]["B"] = bytes(blob)

    tamper(http_store.client, http_store.table_name, bad, zero_length)
    reader = http_store.handler(cipher=KmsCipher(cipher._kms, cipher.key_id))
    calls = KmsCalls(reader._ctx.cipher)  # type: ignore[arg-type]
    page = reader.list_tailored_cvs_for_application_page("app-len")
    assert page.success, page
    assert page.data["unreadable"] == [bad]
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [good]
    assert "Decrypt" in calls.names  # the good one was opened; the bad one never sent
    assert calls.names.count("Decrypt") == 1


def test_a_data_key_of_the_wrong_size_is_the_versions_fault(http_store: Store) -> None:
    """A writer with kms:GenerateDataKey can seal a 7-byte key under the store's key and
    context: KMS opens it, AES refuses it. That version fails its check; the page goes on."""
    from careervp.dal.encryption import ENCRYPTION_CONTEXT  # noqa: PLC0415

    cipher = http_store.cipher()
    handler = http_store.handler(cipher=cipher)
    good, bad = _good_and_bad(http_store, handler, "app-size", 80)
    small = cipher._kms.generate_data_key(
        KeyId=cipher.key_id, NumberOfBytes=7, EncryptionContext=ENCRYPTION_CONTEXT
    )["CiphertextBlob"]

    def swap_key(raw: dict[str, Any]) -> None:
        blob = raw["tailored_cv"]["B"]
        length = int.from_bytes(blob[1:3], "big")
        header = bytes([blob[0]]) + len(small).to_bytes(2, "big")
        raw["tailored_cv"]["B"] = header + small + blob[3 + length :]

    tamper(http_store.client, http_store.table_name, bad, swap_key)
    reader = http_store.handler(cipher=KmsCipher(cipher._kms, cipher.key_id))
    got = reader.get_tailored_cv(*key_of(bad))
    assert got.code is ResultCode.INTEGRITY_ERROR, got
    page = reader.list_tailored_cvs_for_user("u-enc")
    assert page.success, page
    assert page.data["unreadable"] == [bad]
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [good]
    assert reader.export_tailored_cvs_for_user("u-enc").success


DECRYPT_FAULTS = {
    # One blob's faults, as KMS documents them for Decrypt.
    "invalid ciphertext": ("InvalidCiphertextException", 400, ResultCode.SUCCESS),
    "incorrect key": ("IncorrectKeyException", 400, ResultCode.SUCCESS),
    # KMS's own, or the role's: the call fails (the probe meets the same refusal).
    "access denied": ("AccessDeniedException", 400, ResultCode.DATABASE_ERROR),
    "disabled key": ("DisabledException", 400, ResultCode.DATABASE_ERROR),
    "throttling": ("ThrottlingException", 400, ResultCode.THROTTLED),
    "KMS down": ("KMSInternalException", 500, ResultCode.DATABASE_ERROR),
}


@pytest.mark.parametrize("fault", sorted(DECRYPT_FAULTS))
def test_decrypt_faults_fail_the_version_or_the_call(http_store: Store, fault: str) -> None:
    kind, status, code = DECRYPT_FAULTS[fault]
    cipher = http_store.cipher()
    handler = http_store.handler(cipher=cipher)
    saved = handler.save_tailored_cv("app-df", _data(60))
    assert saved.success
    reader = http_store.handler(cipher=KmsCipher(cipher._kms, cipher.key_id))
    Fault(reader._ctx.cipher._kms, "Decrypt", times=100, status=status, body=error_body(kind, "no"))  # type: ignore[union-attr]
    page = reader.list_tailored_cvs_for_user("u-enc")
    assert page.code is code, page
    if code is ResultCode.SUCCESS:
        assert page.data["unreadable"] == [saved.data]  # type: ignore[index]
    else:
        assert "KMS" in (page.error or "")


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
    upgrader = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
    page = upgrader.encrypt_existing_versions(page_size=10)
    assert page.success, page.error
    assert (page.data["encrypted"], page.data["too_large"]) == (1, [big.data])
    assert raw_item(http_store.client, http_store.table_name, big.data)["format_version"] == {
        "N": "1"
    }
