"""``careervp-dal`` as an operator runs it: separate processes, pipes, no secret configured,
on moto's server and dynalite."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from careervp.dal import __version__
from careervp.dal.encryption import KmsCipher
from support.factories import make_data
from support.raw import tamper

if TYPE_CHECKING:
    from tests.conftest import Store


@dataclass
class Ran:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    store: Store
    env: dict[str, str]

    def __call__(self, *argv: str, stdin: str | None = None, **extra_env: str) -> Ran:
        done = subprocess.run(  # noqa: S603 - this interpreter running the package
            [sys.executable, "-m", "careervp.dal.cli", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **extra_env},
            timeout=120,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli(http_store: Store) -> Cli:
    keep = ("PATH", "HOME", "SYSTEMROOT", "LANG")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - local engines take any key
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL_DYNAMODB=str(http_store.engine.endpoint_url),
        AWS_ENDPOINT_URL_KMS=str(http_store.engine.kms_endpoint_url),
        TAILORED_CV_TABLE_NAME=http_store.table_name,
        PYTHONUNBUFFERED="1",
    )
    return Cli(http_store, env)


def _versions(store: Store, user_id: str, count: int, *, days_ago: int = 0) -> list[str]:
    """Versions saved through the library at the store's clock, ``days_ago`` days back."""
    handler = store.handler()
    rng = random.Random(f"{user_id}{days_ago}")
    store.clock.advance(timedelta(days=-days_ago))
    saved = []
    for index in range(count):
        store.clock.advance(timedelta(seconds=1))
        result = handler.save_tailored_cv(
            f"app-{user_id}-{index % 2}", make_data(rng, user_id=user_id, json_bytes=400)
        )
        assert result.success
        saved.append(result.data)
    store.clock.advance(timedelta(days=days_ago))
    return saved


def test_json_output_is_one_document_even_without_a_secret(cli: Cli) -> None:
    _versions(cli.store, "u-json", 3)
    for argv in (("--json", "list", "--user", "u-json"), ("list", "--user", "u-json", "--json")):
        ran = cli(*argv)
        assert ran.code == 0
        page = json.loads(ran.out)  # the whole of stdout is the document
        assert set(page) == {"items", "last_evaluated_key", "count", "unreadable"}
        assert page["count"] == 3
        assert ran.err == ""  # one page, nothing to page to: no warning about the secret


def test_paging_across_processes_with_the_token_as_printed(cli: Cli) -> None:
    saved = _versions(cli.store, "u-pages", 5)
    seen = _page_through(cli, ["list", "--user", "u-pages", "--limit", "2"], "app-")
    assert seen == saved[::-1]


def _page_through(cli: Cli, argv: list[str], prefix: str, *, each: str | None = None) -> list[str]:
    """The ids ``list`` prints, page by page, each next page asked for with the token as
    printed; ``each`` is a line every page prints."""
    secret = {"TAILORED_CV_PAGINATION_SECRET": "an operator's secret of 32 chars"}
    seen: list[str] = []
    token: str | None = None
    for _ in range(20):
        ran = cli(*argv, *(["--next-token", token] if token else []), **secret)
        assert ran.code == 0, ran.err
        if each is not None:
            assert each in ran.out
        seen += re.findall(rf"^({re.escape(prefix)}\S*#\S+Z)", ran.out, flags=re.MULTILINE)
        found = re.search(r"--next-token (\S+)$", ran.out, flags=re.MULTILINE)
        if found is None:
            return seen
        token = found.group(1)
    raise AssertionError(f"more than 20 pages: {seen}")


def test_a_token_refused_for_want_of_a_secret_says_which_to_set(cli: Cli) -> None:
    _versions(cli.store, "u-nosecret", 3)
    secret = {"TAILORED_CV_PAGINATION_SECRET": "an operator's secret of 32 chars"}
    first = json.loads(cli("--json", "list", "--user", "u-nosecret", "--limit", "1", **secret).out)
    ran = cli("list", "--user", "u-nosecret", "--next-token", first["last_evaluated_key"])
    assert ran.code == 2
    assert "set TAILORED_CV_PAGINATION_SECRET" in ran.err


def test_without_a_secret_list_says_how_to_set_it_instead_of_an_unusable_token(cli: Cli) -> None:
    _versions(cli.store, "u-more", 3)
    plain = cli("list", "--user", "u-more", "--limit", "2")
    assert plain.code == 0, plain.err
    assert "--next-token" not in plain.out
    assert "more versions follow; to page through them set TAILORED_CV_PAGINATION_SECRET" in (
        plain.out
    )
    document = json.loads(cli("list", "--user", "u-more", "--limit", "2", "--json").out)
    assert document["count"] == 2
    assert document["last_evaluated_key"] is None  # no token the next process would refuse
    assert document["more"] is True
    assert "TAILORED_CV_PAGINATION_SECRET" in document["next_page"]


def test_get_and_delete_take_the_id_put_prints(cli: Cli, tmp_path: Path) -> None:
    document = tmp_path / "cv.json"
    document.write_bytes(msgspec.json.encode(make_data(random.Random(1), user_id="u-ids")))
    ran = cli("put", str(document), "--application-id", "app#with#hashes")
    assert ran.code == 0, ran.err
    artifact = ran.out.strip()
    assert artifact.startswith("app#with#hashes#")
    got = cli("get", artifact, "--json")
    assert json.loads(got.out)["artifact"]["artifact_id"] == artifact
    assert cli("delete", artifact).code == 0
    assert cli("get", artifact).code == 1


def test_erasure_counts_asks_and_refuses_without_a_terminal(cli: Cli) -> None:
    _versions(cli.store, "u-erase", 30)
    _versions(cli.store, "u-erase", 4, days_ago=120)  # expired, still held
    dry = cli("erase-user", "u-erase", "--dry-run")
    assert dry.code == 0
    assert "would delete 34 versions of u-erase" in dry.out
    refused = cli("erase-user", "u-erase", stdin="u-erase\n")  # stdin is a pipe, not a person
    assert refused.code == 2
    assert "needs --yes" in refused.err
    assert "nothing was deleted" in refused.err
    assert cli.store.count() == 34
    done = cli("erase-user", "u-erase", "--yes")
    assert done.code == 0
    assert done.out.strip() == "deleted 34 versions of u-erase"
    assert done.err.splitlines()[-1] == "erasing u-erase: 34 of 34"  # progress ends on stderr
    assert cli.store.count() == 0


def test_the_export_holds_expired_versions_names_unreadable_ones_and_is_atomic(
    cli: Cli, tmp_path: Path
) -> None:
    live = _versions(cli.store, "u-export", 3)
    expired = _versions(cli.store, "u-export", 2, days_ago=95)
    broken = live[0]
    tamper(
        cli.store.client,
        cli.store.table_name,
        broken,
        lambda raw: raw.update(checksum={"S": "0" * 64}),
    )
    out = tmp_path / "export.jsonl"
    ran = cli("export-user", "u-export", "--out", str(out))
    assert ran.code == 3  # readable versions exported; the unreadable one named
    assert broken in ran.err
    lines = [msgspec.json.decode(line) for line in out.read_bytes().splitlines()]
    exported = [line["artifact"]["artifact_id"] for line in lines]
    assert exported == sorted([*live[1:], *expired], key=lambda a: a.rsplit("#", 1)[1])[::-1]
    now = int(cli.store.clock.now.timestamp())
    assert sum(line["artifact"]["expires_at"] <= now for line in lines) == 2

    before = out.read_bytes()
    failed = cli(
        "export-user", "u-export", "--out", str(out), TAILORED_CV_TABLE_NAME="no-such-table"
    )
    assert failed.code == 4
    assert out.read_bytes() == before  # the earlier export stands; no partial file either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl"]


def test_export_writes_only_a_regular_file(cli: Cli, tmp_path: Path) -> None:
    """A symlink, a pipe or a folder at --out is refused and left as it is; a regular file is
    replaced atomically (the test above)."""
    _versions(cli.store, "u-out", 1)
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours\n")
    link = tmp_path / "export.jsonl"
    link.symlink_to(target)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    folder = tmp_path / "folder"
    folder.mkdir()
    for path, kind in ((link, "symbolic link"), (pipe, "not a regular file"), (folder, "folder")):
        ran = cli("export-user", "u-out", "--out", str(path))
        assert ran.code == 2, ran.err
        assert kind in ran.err
    assert link.is_symlink()
    assert target.read_text() == "not yours\n"
    assert pipe.is_fifo()
    assert folder.is_dir()


def test_a_closed_pipe_ends_the_command_quietly(cli: Cli) -> None:
    pipeline = f'"{sys.executable}" -m careervp.dal.cli demo | head -1'
    done = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", f'{pipeline}; echo "exit=${{PIPESTATUS[0]}}"'],
        capture_output=True,
        text=True,
        env=cli.env,
        timeout=120,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("Embedded DynamoDB and KMS engine")
    assert lines[-1] in ("exit=0", "exit=141")
    assert "error" not in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_version_and_help_say_what_the_arguments_mean(cli: Cli) -> None:
    assert cli("--version").out.strip() == f"careervp-dal {__version__}"
    get = cli("get", "--help").out
    assert "APPLICATION_ID#CREATED_AT" in get
    assert "2026-11-26T10:30:00.123456Z" in get
    assert "1 to 100 (default 10 with --user" in cli("list", "--help").out
    assert "(default 8000)" in cli("local-server", "--help").out
    assert "--dry-run" in cli("erase-user", "--help").out


def test_create_table_repairs_a_table_whose_ttl_is_off(cli: Cli) -> None:
    client = cli.store.client
    if cli.store.engine.name == "dynalite":
        ran = cli("create-table")
        assert ran.code == 0
        assert "no TTL API" in ran.err
        return
    client.update_time_to_live(
        TableName=cli.store.table_name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expiration_timestamp"},
    )
    ran = cli("--json", "create-table")
    assert ran.code == 0, ran.err
    report = json.loads(ran.out)
    assert report["serviceable"] is True
    assert report["repaired"] == ["TTL was DISABLED; enabled it on expiration_timestamp"]
    ttl = client.describe_time_to_live(TableName=cli.store.table_name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
    assert any("point-in-time recovery" in note for note in report["advisories"])


def test_encrypt_existing_upgrades_the_table_and_resumes_from_its_checkpoint(
    cli: Cli, tmp_path: Path
) -> None:
    saved = _versions(cli.store, "u-upgrade", 5)
    key_id = cli.store.engine.kms().create_key()["KeyMetadata"]["KeyId"]
    dry = cli("encrypt-existing", "--kms-key-id", key_id, "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert json.loads(dry.out)["encrypted"] == 5
    # A run that stopped after two versions left this checkpoint behind.
    cipher = KmsCipher(cli.store.engine.kms(), key_id)
    upgrader = cli.store.handler(cipher=cipher, accept_plaintext=True)
    first = upgrader.encrypt_existing_versions(None, page_size=2)
    assert first.success
    checkpoint = tmp_path / "upgrade.checkpoint"
    checkpoint.write_text(str(first.data["next_cursor"]))
    # Outside the migration window the upgrade refuses: it would seal a planted plaintext.
    closed = cli("encrypt-existing", "--checkpoint", str(checkpoint), TAILORED_CV_KMS_KEY_ID=key_id)
    assert closed.code == 2
    assert "TAILORED_CV_ACCEPT_PLAINTEXT=1" in closed.err
    ran = cli(
        "encrypt-existing",
        "--checkpoint",
        str(checkpoint),
        TAILORED_CV_KMS_KEY_ID=key_id,
        TAILORED_CV_ACCEPT_PLAINTEXT="1",
    )
    assert ran.code == 0, ran.err
    assert "encrypted 3 versions" in ran.out
    assert not checkpoint.exists()  # finished: the next run starts over
    raw = cli.store.scan()
    assert {item["format_version"]["N"] for item in raw if "format_version" in item} == {"2"}
    listed = cli("list", "--user", "u-upgrade", "--json", TAILORED_CV_KMS_KEY_ID=key_id)
    assert [item["artifact"]["artifact_id"] for item in json.loads(listed.out)["items"]] == (
        saved[::-1]
    )
    without_key = cli("get", saved[0])
    assert without_key.code == 3
    assert "TAILORED_CV_KMS_KEY_ID" in without_key.err


def test_create_table_changes_nothing_on_a_table_it_refuses(cli: Cli) -> None:
    # Another team's table, keyed on pk, with TTL off: a typo in --table must not touch it.
    client = cli.store.client
    other = f"{cli.store.table_name}-other"
    client.create_table(
        TableName=other,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        ttl_api = cli.store.engine.name != "dynalite"
        before = client.describe_time_to_live(TableName=other) if ttl_api else None
        ran = cli("--json", "create-table", "--table", other)
        assert ran.code == 4, ran.err
        report = json.loads(ran.out)
        assert report["serviceable"] is False
        assert report["repaired"] == []
        assert any("key schema" in problem for problem in report["problems"])
        if before is not None:
            after = client.describe_time_to_live(TableName=other)
            assert after["TimeToLiveDescription"] == before["TimeToLiveDescription"]
            assert after["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
        plain = cli("create-table", "--table", other)
        assert plain.code == 4
        assert "nothing was changed" in plain.out
    finally:
        client.delete_table(TableName=other)


def test_with_json_a_failure_is_one_document_on_stdout_with_the_exit_code(cli: Cli) -> None:
    missing = cli("--json", "latest", "app-never-saved")
    assert missing.code == 1
    assert json.loads(missing.out) == {
        "code": "NOT_FOUND",
        "error": json.loads(missing.out)["error"],
    }
    assert "app-never-saved" in json.loads(missing.out)["error"]
    no_table = cli("latest", "app-1", "--json", TAILORED_CV_TABLE_NAME="no-such-table")
    assert no_table.code == 4
    document = json.loads(no_table.out)  # the whole of stdout
    assert document["code"] == "DATABASE_ERROR"
    assert "no-such-table" in document["error"]
    assert "DATABASE_ERROR" not in no_table.err  # reported once, where the script reads


def test_in_plain_mode_each_failure_is_printed_once_on_stderr(cli: Cli) -> None:
    ran = cli("latest", "app-1", TAILORED_CV_TABLE_NAME="no-such-table")
    assert ran.code == 4
    assert ran.out == ""
    failures = [line for line in ran.err.splitlines() if "no-such-table" in line]
    assert len(failures) == 1, ran.err
    assert failures[0].startswith("error (DATABASE_ERROR): ")
    verbose = cli("latest", "app-1", "--verbose", TAILORED_CV_TABLE_NAME="no-such-table")
    assert len([line for line in verbose.err.splitlines() if "no-such-table" in line]) == 2


def test_a_refused_connection_is_reported_as_one(cli: Cli) -> None:
    from support.engines import free_port  # noqa: PLC0415

    dead = f"http://127.0.0.1:{free_port()}"
    ran = cli("latest", "app-1", AWS_ENDPOINT_URL_DYNAMODB=dead)
    assert ran.code == 4
    assert f"could not connect to DynamoDB at {dead}" in ran.err
    assert "budget" not in ran.err


def test_region_flag_and_kms_endpoint_reach_the_kms_client(cli: Cli) -> None:
    saved = _versions(cli.store, "u-region", 2)
    key_id = cli.store.engine.kms().create_key()["KeyMetadata"]["KeyId"]
    without_region = {k: v for k, v in cli.env.items() if k != "AWS_DEFAULT_REGION"}
    run = Cli(cli.store, {**without_region, "TAILORED_CV_ACCEPT_PLAINTEXT": "1"})
    ran = run("encrypt-existing", "--kms-key-id", key_id, "--region", "us-east-1")
    assert ran.code == 0, ran.err  # it said NoRegionError, blamed on DynamoDB
    assert "encrypted 2 versions" in ran.out
    got = run("get", saved[0], "--region", "us-east-1", "--kms-key-id", key_id, "--json")
    assert got.code == 0, got.err
    assert json.loads(got.out)["artifact"]["artifact_id"] == saved[0]
    no_region = run("latest", "app-1")
    assert no_region.code == 2  # configuration, as docs/operations.md says
    assert "no AWS region: pass --region or set AWS_REGION" in no_region.err


def test_a_dry_run_needs_no_kms_and_messages_name_the_flags(cli: Cli) -> None:
    from support.engines import free_port  # noqa: PLC0415

    saved = _versions(cli.store, "u-dry", 3)
    dead_kms = {"AWS_ENDPOINT_URL_KMS": f"http://127.0.0.1:{free_port()}"}
    dry = cli("encrypt-existing", "--dry-run", "--json", **dead_kms)  # no key, no KMS
    assert dry.code == 0, dry.err
    assert json.loads(dry.out)["encrypted"] == 3
    assert {item["format_version"]["N"] for item in cli.store.scan()} == {"1"}
    no_key = cli("encrypt-existing")
    assert no_key.code == 2
    assert "pass --kms-key-id or set TAILORED_CV_KMS_KEY_ID" in no_key.err
    key_id = cli.store.engine.kms().create_key()["KeyMetadata"]["KeyId"]
    assert (
        cli("encrypt-existing", "--kms-key-id", key_id, TAILORED_CV_ACCEPT_PLAINTEXT="1").code == 0
    )
    refused = cli("get", saved[0])
    assert refused.code == 3
    assert "--kms-key-id" in refused.err
    assert "cipher=" not in refused.err


def _interruptible() -> None:
    """In the CLI's process, before it starts: Ctrl-C as at a terminal. A shell starts a
    background job (``cmd &``, a CI runner's step) with SIGINT ignored, every child inherits
    that, and Python then installs no KeyboardInterrupt: the command would not stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_without_a_traceback_and_says_how_to_resume(
    cli: Cli, tmp_path: Path
) -> None:
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(60)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        checkpoint = tmp_path / "upgrade.checkpoint"
        process = subprocess.Popen(  # noqa: S603 - this interpreter running the package
            [
                *(sys.executable, "-m", "careervp.dal.cli", "encrypt-existing"),
                *("--kms-key-id", "alias/local", "--checkpoint", str(checkpoint)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={
                **cli.env,
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
                "TAILORED_CV_ACCEPT_PLAINTEXT": "1",
            },
            preexec_fn=_interruptible,  # noqa: PLW1509 - one call, a signal disposition
        )
        connection, _ = listener.accept()  # the command is inside main, waiting on its scan
        with connection:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert out == ""
    assert err.strip() == (
        "error (INTERRUPTED): interrupted: versions encrypted so far stay encrypted; run again"
        f" to resume from the position in {checkpoint}"
    )


# What a CV (or a raw writer) can hold to take over a terminal: a window title, a screen clear,
# a carriage return and a forged failure line, a right-to-left override.
HOSTILE = "\x1b]0;title\x07\x1b[2J\rdone\nerror (INTEGRITY_ERROR): forged line\u202eabc"
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\u202e")


def _assert_escaped(ran: Ran) -> None:
    for raw in RAW_CONTROLS:
        assert raw not in ran.out, (raw, ran.out)
        assert raw not in ran.err, (raw, ran.err)
    lines = ran.out.splitlines() + ran.err.splitlines()
    assert not any(line.startswith("error (INTEGRITY_ERROR): forged") for line in lines)


def test_stored_text_reaches_the_terminal_escaped(cli: Cli) -> None:
    data = make_data(random.Random(21), user_id="u-hostile", job_id="job-hostile")
    cv = msgspec.structs.replace(data.tailored_cv, executive_summary=HOSTILE)
    saved = cli.store.handler().save_tailored_cv(
        "app-hostile", msgspec.structs.replace(data, tailored_cv=cv)
    )
    assert saved.success
    reads: list[tuple[str, ...]] = [("get", saved.data), ("latest", "app-hostile")]
    for argv in reads:
        ran = cli(*argv)
        assert ran.code == 0, ran.err
        assert "\\x1b]0;title\\x07\\x1b[2J\\rdone\\nerror (INTEGRITY_ERROR)" in ran.out
        assert "\\u202eabc" in ran.out
        _assert_escaped(ran)
    # A raw writer puts it in the summary's job id: listed, or named as unreadable, never raw.
    tamper(
        cli.store.client,
        cli.store.table_name,
        saved.data,
        lambda raw: (
            raw["job_id"].update(S=HOSTILE),
            raw["metadata"]["M"]["job_id"].update(S=HOSTILE),
        ),
    )
    listings: list[tuple[str, ...]] = [
        ("list", "--user", "u-hostile"),
        ("list", "--application", "app-hostile"),
        ("get", saved.data),
        ("--verbose", "list", "--user", "u-hostile"),
    ]
    for argv in listings:
        ran = cli(*argv)
        assert "Traceback" not in ran.err
        _assert_escaped(ran)


def test_an_unknown_field_name_in_put_is_echoed_escaped(cli: Cli, tmp_path: Path) -> None:
    document = msgspec.to_builtins(make_data(random.Random(22), user_id="u-field"))
    document["tailored_cv"][HOSTILE] = "x"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document))
    ran = cli("put", str(path), "--application-id", "app-field")
    assert ran.code == 2
    assert "unknown field" in ran.err
    assert ran.err.count("\n") == 1  # one line: msgspec's message cannot add another
    _assert_escaped(ran)


def test_an_id_with_a_format_character_is_refused_and_echoed_escaped(cli: Cli) -> None:
    refused: list[tuple[str, ...]] = [
        ("latest", "app-\u202eevil"),
        ("list", "--user", "u-\u202eevil"),
        ("get", "app-\u2066x", "2026-11-26T10:30:00.000000Z"),
    ]
    for argv in refused:
        ran = cli(*argv)
        assert ran.code == 2, ran
        assert "must not contain control or format characters" in ran.err
        _assert_escaped(ran)
        assert "\u2066" not in ran.err


def test_export_to_standard_output_writes_no_file_named_dash(cli: Cli, tmp_path: Path) -> None:
    saved = _versions(cli.store, "u-stdout", 3)
    before = set(Path.cwd().iterdir())
    ran = cli("export-user", "u-stdout", "--out", "-")
    assert ran.code == 0, ran.err
    lines = [json.loads(line) for line in ran.out.splitlines()]
    assert [line["artifact"]["artifact_id"] for line in lines] == saved[::-1]
    assert "exported 3 versions of u-stdout to standard output" in ran.err
    assert set(Path.cwd().iterdir()) == before  # no file "-" holding personal data


def test_an_applications_versions_page_with_limit_and_token(cli: Cli) -> None:
    handler = cli.store.handler()
    saved = []
    for seed in range(3):
        result = handler.save_tailored_cv("app-paged", make_data(random.Random(seed)))
        assert result.success
        saved.append(result.data)
    argv = ["list", "--application", "app-paged", "--limit", "1"]
    seen = _page_through(cli, argv, "app-paged", each="1 version")
    assert seen == saved[::-1]


def test_erasing_a_user_without_versions_asks_nothing(cli: Cli) -> None:
    ran = cli("erase-user", "u-nobody", stdin="")  # no terminal, no --yes: nothing to confirm
    assert ran.code == 0, ran.err
    assert ran.out.strip() == "u-nobody has no versions; nothing to delete"
    assert "Type the user id" not in ran.err


def test_why_a_version_is_unreadable_is_said_without_verbose(cli: Cli) -> None:
    (artifact,) = _versions(cli.store, "u-plain", 1)  # format 1: no key when it was saved
    key_id = cli.store.engine.kms().create_key()["KeyMetadata"]["KeyId"]
    ran = cli("list", "--user", "u-plain", "--kms-key-id", key_id)
    assert ran.code == 0, ran.err
    assert f"unreadable: {artifact}" in ran.out
    assert "encryption is required" in ran.err  # the reason, on stderr, without --verbose
    assert ran.err.count(artifact) == 1


def test_verbose_prints_the_engines_message(cli: Cli) -> None:
    ran = cli("--verbose", "latest", "app-1", TAILORED_CV_TABLE_NAME="no-such-table")
    assert ran.code == 4
    assert "engine_code=ResourceNotFoundException" in ran.err
    assert "engine_message=" in ran.err
    quiet = cli("latest", "app-1", TAILORED_CV_TABLE_NAME="no-such-table")
    assert quiet.err.count("\n") == 1  # without --verbose: the one error line


def test_an_interrupted_export_says_it_starts_over(cli: Cli, tmp_path: Path) -> None:
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(60)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        process = subprocess.Popen(  # noqa: S603 - this interpreter running the package
            [
                *(sys.executable, "-m", "careervp.dal.cli", "export-user", "u-stop"),
                *("--out", str(tmp_path / "u-stop.jsonl")),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**cli.env, "AWS_ENDPOINT_URL_DYNAMODB": endpoint},
            preexec_fn=_interruptible,  # noqa: PLW1509 - one call, a signal disposition
        )
        connection, _ = listener.accept()
        with connection:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
    assert out == ""
    assert process.returncode == 130
    assert "resume" not in err  # an export keeps no position: it never resumed
    assert "run it again to start over" in err
    assert not (tmp_path / "u-stop.jsonl").exists()


def test_an_interrupted_erasure_says_how_many_it_removed(cli: Cli) -> None:
    _versions(cli.store, "u-halt", 300)
    process = subprocess.Popen(
        [sys.executable, "-m", "careervp.dal.cli", "erase-user", "u-halt", "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        preexec_fn=_interruptible,  # noqa: PLW1509 - one call, a signal disposition
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first progress line: removals under way
    assert first.startswith("erasing u-halt: "), first
    process.send_signal(signal.SIGINT)
    out, rest = process.communicate(timeout=60)
    assert process.returncode == 130, (out, rest)
    found = re.search(r"at least (\d+) versions? of u-halt were deleted", rest)
    assert found is not None, rest
    assert "run again to finish the erasure" in rest
    # "At least": the count last reported; a batch cut short may have removed a few more.
    assert int(found.group(1)) <= 300 - cli.store.count()
