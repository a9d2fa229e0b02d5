"""Page tokens: signed, bound to the listing, versioned, expiring, rotatable."""

from __future__ import annotations

import base64

import pytest

from careervp.dal.codec import PageKey, PageTokenSigner
from careervp.dal.errors import PageTokenError

KEY = PageKey(application_id="app-1", created_at="2026-11-26T10:30:00.000000Z")
NOW = 1_800_000_000
SECRET = b"s" * 32


def _signer(*secrets: bytes, max_age: int = 3600) -> PageTokenSigner:
    return PageTokenSigner(list(secrets or (SECRET,)), max_age_seconds=max_age)


def test_a_token_round_trips_for_its_listing() -> None:
    token = _signer().issue(KEY, index="gsi", user_id="u-1", now=NOW)
    assert _signer().verify(token, index="gsi", user_id="u-1", now=NOW + 10) == KEY
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(("index", "user_id"), [("gsi", "u-2"), ("other", "u-1"), ("gsi", "u-1 ")])
def test_a_token_is_bound_to_its_index_and_user(index: str, user_id: str) -> None:
    token = _signer().issue(KEY, index="gsi", user_id="u-1", now=NOW)
    with pytest.raises(PageTokenError, match="not issued for this listing"):
        _signer().verify(token, index=index, user_id=user_id, now=NOW)


def test_length_prefixes_keep_index_and_user_apart() -> None:
    token = _signer().issue(KEY, index="ab", user_id="c", now=NOW)
    with pytest.raises(PageTokenError):
        _signer().verify(token, index="a", user_id="bc", now=NOW)


def test_rotation_signs_with_the_first_secret_and_verifies_with_all() -> None:
    old = _signer(b"o" * 32).issue(KEY, index="gsi", user_id="u", now=NOW)
    rotated = _signer(b"n" * 32, b"o" * 32)
    assert rotated.verify(old, index="gsi", user_id="u", now=NOW) == KEY
    new = rotated.issue(KEY, index="gsi", user_id="u", now=NOW)
    assert _signer(b"n" * 32).verify(new, index="gsi", user_id="u", now=NOW) == KEY
    with pytest.raises(PageTokenError):
        _signer(b"o" * 32).verify(new, index="gsi", user_id="u", now=NOW)


def test_tokens_expire_and_cannot_come_from_the_future() -> None:
    token = _signer().issue(KEY, index="gsi", user_id="u", now=NOW)
    assert _signer().verify(token, index="gsi", user_id="u", now=NOW + 3600) == KEY
    with pytest.raises(PageTokenError, match="expired"):
        _signer().verify(token, index="gsi", user_id="u", now=NOW + 3601)
    # Issued by an instance 15 minutes fast, read by one 15 minutes slow: 30 minutes apart.
    assert _signer().verify(token, index="gsi", user_id="u", now=NOW - 1800) == KEY
    with pytest.raises(PageTokenError, match="future"):
        _signer().verify(token, index="gsi", user_id="u", now=NOW - 1801)


def test_non_canonical_base64_is_refused() -> None:
    token = _signer().issue(KEY, index="gsi", user_id="u", now=NOW)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    unused_bits = (len(raw) * 8) % 6
    if unused_bits == 0:
        pytest.skip("this token length has no spare bits")
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(token[-1])
    twin = token[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ 1]
    assert base64.urlsafe_b64decode(twin + "=" * (-len(twin) % 4)) == raw
    with pytest.raises(PageTokenError, match="malformed"):
        _signer().verify(twin, index="gsi", user_id="u", now=NOW)


def test_an_unknown_version_is_refused_even_when_signed() -> None:
    signer = _signer()
    token = signer.issue(KEY, index="gsi", user_id="u", now=NOW)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[0] = 2
    body = bytes(raw[:-32])
    forged = body + signer._mac(SECRET, "gsi", "u", body)
    text = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    with pytest.raises(PageTokenError, match="version 2"):
        signer.verify(text, index="gsi", user_id="u", now=NOW)


def test_weak_or_missing_secrets_are_configuration_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        PageTokenSigner([], max_age_seconds=60)
    with pytest.raises(ValueError, match="16 bytes"):
        PageTokenSigner([b"short"], max_age_seconds=60)
    with pytest.raises(TypeError, match="bytes"):
        PageTokenSigner(["a text secret of 32 characters."], max_age_seconds=60)  # type: ignore[list-item]
