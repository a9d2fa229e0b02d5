"""Page tokens only continue the listing that issued them; anything else is refused cleanly."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careervp.models.result import ResultCode
from support.factories import make_data
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def token(store: Store) -> str:
    """A real first-page token of user ``u-1`` (three versions, pages of one)."""
    handler = store.handler()
    rng = random.Random(1)
    for _ in range(3):
        store.clock.advance(timedelta(seconds=1))
        assert handler.save_tailored_cv("app-t", make_data(rng, user_id="u-1")).success
        assert handler.save_tailored_cv("app-o", make_data(rng, user_id="u-2")).success
    page = handler.list_tailored_cvs_for_user("u-1", limit=1)
    assert page.success
    assert page.data["last_evaluated_key"] is not None
    return page.data["last_evaluated_key"]


def _refused(store: Store, user_id: str, start_key: object, **handler_options: object) -> None:
    result = store.handler(**handler_options).list_tailored_cvs_for_user(
        user_id,
        limit=1,
        start_key=start_key,  # type: ignore[arg-type]
    )
    assert result.code is ResultCode.VALIDATION_ERROR, result
    assert result.error


def test_the_token_continues_its_own_listing(store: Store, token: str) -> None:
    page = store.handler().list_tailored_cvs_for_user("u-1", limit=1, start_key=token)
    assert page.success
    assert page.data["count"] == 1
    assert page.data["items"][0].metadata.user_id == "u-1"


def test_another_users_listing_refuses_the_token(store: Store, token: str) -> None:
    _refused(store, "u-2", token)


def test_another_secret_refuses_the_token(store: Store, token: str) -> None:
    _refused(store, "u-1", token, token_secret=b"another-secret-0123456789")


def test_a_rotated_secret_still_verifies_pages_in_flight(store: Store, token: str) -> None:
    rotated = store.handler(
        token_secret=b"the-new-secret-0123456789",
        previous_token_secrets=[b"test-secret-0123456789abcdef"],
    )
    page = rotated.list_tailored_cvs_for_user("u-1", limit=1, start_key=token)
    assert page.success, page.error


def test_tokens_expire(store: Store, token: str) -> None:
    store.clock.advance(timedelta(hours=24, seconds=1))
    _refused(store, "u-1", token)


MALFORMED: dict[str, object] = {
    "empty": "",
    "padding": "=",
    "one char": "a",
    "non-ASCII": "é",
    "four chars": "AAAA",
    "5 KB": "A" * 5000,
    "2 MB": "A" * 2_000_000,
    "space": " ",
    "words": "token with spaces",
    "int": 7,
    "bytes": b"x",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_tokens_are_refused(store: Store, name: str) -> None:
    _refused(store, "u-1", MALFORMED[name])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_mutation_of_a_token_is_refused(store: Store, token: str, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["edit", "truncate", "extend", "random", "text"]))
    if kind == "edit":
        position = data.draw(st.integers(0, len(token) - 1))
        char = data.draw(st.sampled_from(_ALPHABET).filter(lambda c: c != token[position]))
        mutated = token[:position] + char + token[position + 1 :]
    elif kind == "truncate":
        mutated = token[: data.draw(st.integers(0, len(token) - 1))]
    elif kind == "extend":
        mutated = token + data.draw(st.text(_ALPHABET, min_size=1, max_size=8))
    elif kind == "random":
        mutated = data.draw(st.text(_ALPHABET, min_size=1, max_size=200))
    else:
        mutated = data.draw(st.text(max_size=300))
    if mutated == token:
        return
    _refused(store, "u-1", mutated)


def test_application_page_tokens_are_bound_to_their_application_and_listing(
    store: Store,
) -> None:
    handler = store.handler()
    rng = random.Random(2)
    for _ in range(3):
        store.clock.advance(timedelta(seconds=1))
        # One id names both a user and an application: the listings must still not mix.
        assert handler.save_tailored_cv("same-id", make_data(rng, user_id="same-id")).success
        assert handler.save_tailored_cv("app-other", make_data(rng, user_id="u-x")).success
    first = handler.list_tailored_cvs_for_application_page("same-id", limit=1)
    assert first.success
    app_token = first.data["last_evaluated_key"]
    assert app_token is not None
    user_page = handler.list_tailored_cvs_for_user("same-id", limit=1)
    assert user_page.success
    user_token = user_page.data["last_evaluated_key"]
    assert user_token is not None

    assert handler.list_tailored_cvs_for_application_page(
        "same-id", limit=1, start_key=app_token
    ).success
    for refused in (
        handler.list_tailored_cvs_for_application_page("app-other", limit=1, start_key=app_token),
        handler.list_tailored_cvs_for_application_page("same-id", limit=1, start_key=user_token),
        handler.list_tailored_cvs_for_user("same-id", limit=1, start_key=app_token),
        handler.list_tailored_cvs_for_application_page(
            "same-id", limit=1, start_key=app_token[:-2]
        ),
    ):
        assert refused.code is ResultCode.VALIDATION_ERROR, refused


def test_the_longest_valid_ids_page_on_every_listing(store: Store) -> None:
    """An application id of 256 emoji (1,024 UTF-8 bytes, valid) ends a page: its token
    verifies and continues every listing."""
    handler = store.handler()
    long_id = "\U0001f600" * 256
    rng = random.Random(5)
    for _ in range(2):
        store.clock.advance(timedelta(seconds=1))
        assert handler.save_tailored_cv(long_id, make_data(rng, user_id="u-long")).success
    listings: list[Callable[[str | None], Any]] = [
        lambda t: handler.list_tailored_cvs_for_user("u-long", limit=1, start_key=t),
        lambda t: handler.list_tailored_cv_summaries_for_user("u-long", limit=1, start_key=t),
        lambda t: handler.list_tailored_cvs_for_application_page(long_id, limit=1, start_key=t),
    ]
    for listing in listings:
        first = listing(None)
        assert first.success, first
        second = listing(first.data["last_evaluated_key"])
        assert second.success, second
        assert second.data["count"] == 1
        assert second.data["last_evaluated_key"] is None


@pytest.mark.parametrize(
    ("issuer_off", "reader_off", "accepted"),
    [(15, -15, True), (14, -16, True), (10, 0, True), (16, -15, False), (31, 0, False)],
)
def test_a_token_across_two_instances_clocks_each_up_to_15_minutes_off(
    store: Store, token: str, issuer_off: int, reader_off: int, accepted: bool
) -> None:
    """Each instance's clock may be 15 minutes off: a token issued by one 15 minutes fast
    continues on one 15 minutes slow (30 minutes apart); further apart is refused."""
    start = store.clock.now
    store.clock.now = start + timedelta(minutes=issuer_off)
    fast = store.handler().list_tailored_cvs_for_user("u-1", limit=1)
    assert fast.success
    store.clock.now = start + timedelta(minutes=reader_off)
    result = store.handler().list_tailored_cvs_for_user(
        "u-1", limit=1, start_key=fast.data["last_evaluated_key"]
    )
    assert result.success is accepted, result
