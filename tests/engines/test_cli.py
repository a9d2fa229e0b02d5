"""``careervp-dal``'s commands, driven through ``main`` in this process against moto's server.

``test_cli_processes.py`` runs the operator's paths in real processes on both HTTP engines."""

from __future__ import annotations

import http.server
import io
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from careervp.dal.cli import main
from careervp.dal.client import build_client
from careervp.dal.table import table_definition
from support.engines import free_port
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def cli(moto_server_endpoint: str) -> list[str]:
    """Global options naming a fresh table on moto's server."""
    table = f"cli-{uuid.uuid4().hex[:10]}"
    return ["--endpoint-url", moto_server_endpoint, "--region", "us-east-1", "--table", table]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _document(tmp_path: Path, user_id: str = "u-cli") -> Path:
    path = tmp_path / f"cv-{uuid.uuid4().hex[:6]}.json"
    path.write_bytes(msgspec.json.encode(make_data(random.Random(1), user_id=user_id)))
    return path


def test_demo_runs_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "demo")
    assert code == 0
    assert "page 2: 1 version, the last page" in out
    assert "nothing new" in out
    assert "reading it again: NOT_FOUND" in out
    code, out, _ = _run(capsys, "demo", "--json")
    summary = json.loads(out)
    assert code == 0
    assert summary["ok"] is True
    assert summary["after_delete"] == {"left": 1, "read_again": "NOT_FOUND"}


def test_demo_is_self_contained_whatever_the_shell_holds(tmp_path: Path) -> None:
    """The exports docs/operations.md suggests for a local KMS (now stopped), a profile that
    does not exist, no region: the demo brings its own engine and key and reads none of it."""
    dead = f"http://127.0.0.1:{free_port()}"
    hostile = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_PROFILE": "no-such-profile",
        "AWS_ENDPOINT_URL": dead,
        "AWS_ENDPOINT_URL_DYNAMODB": dead,
        "AWS_ENDPOINT_URL_KMS": dead,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "AWS_SESSION_TOKEN": "expired",
        "AWS_CA_BUNDLE": str(tmp_path / "missing.pem"),
        "AWS_CONFIG_FILE": str(tmp_path / "missing-config"),
        "TAILORED_CV_KMS_KEY_ID": "alias/from-the-shell",
        "TAILORED_CV_TABLE_NAME": "the-shells-table",
        "TAILORED_CV_PAGINATION_SECRET": "short",
    }
    done = subprocess.run(
        [sys.executable, "-m", "careervp.dal.cli", "demo"],
        capture_output=True,
        text=True,
        env=hostile,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "reading it again: NOT_FOUND" in done.stdout
    assert "CVs encrypted under its KMS key" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize("option", ["--kms-key-id", "--table", "--endpoint-url", "--region"])
def test_demo_refuses_the_options_it_would_ignore(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    code, out, err = _run(capsys, "demo", option, "x")
    assert code == 2
    assert out == ""
    assert f"{option} would be ignored" in err
    code, out, _ = _run(capsys, "--json", option, "x", "demo")
    assert code == 2
    assert json.loads(out)["code"] == "VALIDATION_ERROR"


def test_create_table_is_idempotent_and_spots_a_different_table(
    cli: list[str], capsys: pytest.CaptureFixture[str], moto_server_endpoint: str
) -> None:
    code, out, err = _run(capsys, *cli, "create-table")
    assert code == 0
    assert f"table {cli[-1]} created and active" in out
    # What create-table left to the deployment, said for a new table as for an old one.
    assert "note: point-in-time recovery is off (deploy/template.yaml turns it on)" in err
    assert "note: deletion protection is off (deploy/template.yaml turns it on)" in err
    code, out, _ = _run(capsys, *cli, "--json", "create-table")
    assert code == 0
    report = json.loads(out)
    assert (report["table"], report["created"], report["serviceable"]) == (cli[-1], False, True)

    other = f"cli-other-{uuid.uuid4().hex[:6]}"
    definition = table_definition(other)
    definition["GlobalSecondaryIndexes"][0]["Projection"] = {"ProjectionType": "KEYS_ONLY"}
    build_client(endpoint_url=moto_server_endpoint, region_name="us-east-1").create_table(
        **definition
    )
    code, _, err = _run(capsys, *cli[:-1], other, "create-table")
    assert code == 4
    assert "projects KEYS_ONLY without expiration_timestamp" in err


def test_put_get_list_delete_and_erase(
    cli: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "an operator's secret of 32 chars")
    assert _run(capsys, *cli, "create-table")[0] == 0
    code, out, _ = _run(
        capsys, *cli, "--json", "put", str(_document(tmp_path)), "--application-id", "app-c"
    )
    assert code == 0
    artifact = json.loads(out)["artifact_id"]
    application_id, created_at = key_of(artifact)
    assert _run(capsys, *cli, "put", str(_document(tmp_path)), "--application-id", "app-c")[0] == 0

    code, out, _ = _run(capsys, *cli, "get", application_id, created_at)
    assert code == 0
    assert artifact in out
    code, out, _ = _run(capsys, *cli, "get", artifact)  # the id put printed, as it is
    assert code == 0
    assert artifact in out
    code, out, _ = _run(capsys, *cli, "--json", "get", application_id, created_at)
    assert json.loads(out)["artifact"]["artifact_id"] == artifact

    code, out, _ = _run(capsys, *cli, "--json", "list", "--user", "u-cli", "--limit", "1")
    page = json.loads(out)
    assert code == 0
    assert page["count"] == 1
    code, out, _ = _run(
        capsys,
        *cli,
        "--json",
        "list",
        "--user",
        "u-cli",
        "--next-token",
        page["last_evaluated_key"],
    )
    assert json.loads(out)["count"] == 1
    code, out, _ = _run(capsys, *cli, "list", "--user", "u-cli", "--limit", "1")
    pasted = out.rsplit("--next-token ", 1)[1].strip()  # the whole token, to paste back
    code, out, _ = _run(capsys, *cli, "list", "--user", "u-cli", "--next-token", pasted)
    assert code == 0
    assert "1 version" in out
    code, out, _ = _run(capsys, *cli, "list", "--application", "app-c")
    assert "2 versions" in out
    code, out, _ = _run(capsys, *cli, "latest", "app-c", "--json")  # options after the command
    assert json.loads(out)["artifact"]["artifact_id"] != artifact

    assert _run(capsys, *cli, "delete", artifact)[0] == 0
    code, _, err = _run(capsys, *cli, "delete", application_id, created_at)
    assert code == 1
    assert "not found" in err
    code, out, _ = _run(capsys, *cli, "erase-user", "u-cli", "--yes")
    assert code == 0
    assert "deleted 1 version of u-cli" in out


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (
            lambda d: d["metadata"].update(fvs_validation_passed="yes"),
            "$.metadata.fvs_validation_passed",
        ),
        (lambda d: d["tailored_cv"].update(certificatons=["AWS"]), "certificatons"),
        (lambda d: d["token_usage"].update(input_tokens=-3), "$.token_usage.input_tokens"),
    ],
)
def test_a_malformed_file_names_the_field_and_writes_nothing(
    cli: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], object],
    complaint: str,
) -> None:
    assert _run(capsys, *cli, "create-table")[0] == 0
    document = json.loads(_document(tmp_path).read_text())
    edit(document)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    code, out, err = _run(capsys, *cli, "put", str(bad), "--application-id", "app-bad")
    assert code == 2
    assert complaint in err
    assert err.count("\n") == 1
    code, out, _ = _run(capsys, *cli, "--json", "list", "--application", "app-bad")
    assert json.loads(out)["count"] == 0


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["get", "app", "not-a-time"], 2),
        (["get", "no-hash-in-this-id"], 2),
        (["get", "a", "b", "c"], 2),
        (["list", "--user", "u", "--limit", "0"], 2),
        (["list", "--user", "u", "--next-token", "forged"], 2),
        (["get", "app", "2026-11-26T10:30:00.000000Z"], 4),  # the table does not exist
        (["put", "/no/such/file.json", "--application-id", "a"], 2),
        (["frobnicate"], 2),
        (["list"], 2),
    ],
)
def test_failures_are_one_line_and_an_exit_code(
    cli: list[str], capsys: pytest.CaptureFixture[str], argv: list[str], code: int
) -> None:
    got, _, err = _run(capsys, *cli, *argv)
    assert got == code
    assert "Traceback" not in err
    assert err.strip()


def test_an_integrity_failure_exits_3(
    cli: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, moto_server_endpoint: str
) -> None:
    assert _run(capsys, *cli, "create-table")[0] == 0
    _, out, _ = _run(
        capsys, *cli, "--json", "put", str(_document(tmp_path)), "--application-id", "app-i"
    )
    application_id, created_at = key_of(json.loads(out)["artifact_id"])
    build_client(endpoint_url=moto_server_endpoint, region_name="us-east-1").update_item(
        TableName=cli[-1],
        Key={"application_id": {"S": application_id}, "created_at": {"S": created_at}},
        UpdateExpression="SET checksum = :c",
        ExpressionAttributeValues={":c": {"S": "0" * 64}},
    )
    code, _, err = _run(capsys, *cli, "get", application_id, created_at)
    assert code == 3
    assert "checksum" in err


def test_local_server_prints_its_environment_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "careervp.dal.cli", "local-server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # stdout holds the seven exports, nothing else
            lines.append(line.strip())
            if len(lines) == 7:
                break
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines if "=" in line)
        assert exports["AWS_ENDPOINT_URL_DYNAMODB"] == f"http://127.0.0.1:{port}"
        assert exports["AWS_ENDPOINT_URL_KMS"] == exports["AWS_ENDPOINT_URL_DYNAMODB"]
        code = main(
            [
                "--endpoint-url", exports["AWS_ENDPOINT_URL_DYNAMODB"],
                "--region", "us-east-1",
                "--table", exports["TAILORED_CV_TABLE_NAME"],
                "put", str(_document(tmp_path)), "--application-id", "app-local",
            ]
        )  # fmt: skip
        assert code == 0
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0


def test_local_server_on_a_port_in_use_fails_at_once_and_says_so() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # moto's ThreadedMotoServer waited for ever here; the timeout only stops a hung test.
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "careervp.dal.cli", "local-server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"port {port} on 127.0.0.1 is in use" in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_region_moto_does_not_serve_is_named(
    cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, *cli, "create-table")[0] == 0
    wrong = [*cli[:2], "--region", "nowhere-1", *cli[4:]]
    code, _, err = _run(capsys, *wrong, "latest", "app-1")
    assert code == 4
    assert "HTTP 500 with no error code" in err  # moto's own failure page, said plainly
    assert "check the region" in err
    assert "an unnamed error" not in err


class _SlowEngine(http.server.BaseHTTPRequestHandler):
    """Answers every query with an empty page after 5 s: longer than a Lambda's 4 s attempt,
    as moto takes for a page of a few thousand versions."""

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(5)
        body = b'{"Items": [], "Count": 0, "ScannedCount": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_an_engine_on_this_machine_may_take_seconds_for_a_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowEngine)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        argv = ["--endpoint-url", endpoint, "--region", "us-east-1", "--table", "t"]
        code, out, err = _run(capsys, *argv, "list", "--application", "app-slow")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, err  # the default client gave up: "no answer in time" after 4 s attempts
    assert "0 versions" in out


@pytest.mark.parametrize(
    "argv",
    [["list", "--limit", "x", "--user", "u"], ["frobnicate"], ["list"], ["get"]],
)
def test_a_refused_command_line_under_json_is_one_json_document(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = _run(capsys, "--json", *argv)
    assert code == 2
    document = json.loads(out)  # the whole of stdout: a script reads the code there
    assert document["code"] == "VALIDATION_ERROR"
    assert "--help" in document["error"]
    assert err == ""
    code, out, err = _run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "error:" in err


def test_help_lists_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "2 usage/validation/configuration or an item too large" in text


def test_put_reads_standard_input(
    cli: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _run(capsys, *cli, "create-table")[0] == 0
    document = _document(tmp_path).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(document)))
    code, out, _ = _run(capsys, *cli, "--json", "put", "-", "--application-id", "app-stdin")
    assert code == 0
    assert json.loads(out)["artifact_id"].startswith("app-stdin#")


def test_local_server_json_is_one_document_on_stdout() -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "careervp.dal.cli", "local-server", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        document = json.loads(process.stdout.readline())
        assert document["endpoint"] == f"http://127.0.0.1:{port}"
        assert document["environment"]["AWS_ENDPOINT_URL_DYNAMODB"] == document["endpoint"]
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0


def test_the_encryption_runbook_runs_against_local_server(tmp_path: Path) -> None:
    """docs/operations.md's "Encrypting existing versions", as written, on local-server."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            *(sys.executable, "-m", "careervp.dal.cli", "local-server"),
            *("--port", str(port), "--kms-key", "--json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        exported = json.loads(server.stdout.readline())["environment"]
        key_id = exported.pop("TAILORED_CV_KMS_KEY_ID")
        keep = ("PATH", "HOME", "SYSTEMROOT", "LANG")
        env = {**{k: v for k, v in os.environ.items() if k in keep}, **exported}

        def run(*argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(  # noqa: S603
                [sys.executable, "-m", "careervp.dal.cli", *argv],
                capture_output=True,
                text=True,
                env={**env, **extra},
                timeout=120,
                check=False,
            )

        saved = run("put", str(_document(tmp_path)), "--application-id", "app-runbook")
        assert saved.returncode == 0, saved.stderr
        artifact = saved.stdout.strip()
        dry = run("encrypt-existing", "--kms-key-id", key_id, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "would encrypt 1 version of 1 scanned" in dry.stdout
        checkpoint = tmp_path / "upgrade.checkpoint"
        # Step 2 of the runbook: the migration window is declared while the upgrade runs.
        done = run(
            "encrypt-existing",
            "--kms-key-id",
            key_id,
            "--checkpoint",
            str(checkpoint),
            TAILORED_CV_ACCEPT_PLAINTEXT="1",
        )
        assert done.returncode == 0, done.stderr
        assert "encrypted 1 version of 1 scanned" in done.stdout
        assert run("get", artifact, "--kms-key-id", key_id).returncode == 0
        assert run("get", artifact).returncode == 3  # encrypted now: the key is needed
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0


def test_create_table_takes_either_table_class_and_refuses_others(
    cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # moto accepts TableClass and ignores it (DescribeTable reports none), so this shows the
    # option is taken and the table made; test_table_checks.py checks the class on the wire.
    code, _, err = _run(capsys, *cli, "create-table", "--table-class", "GLACIER")
    assert code == 2
    assert "STANDARD_INFREQUENT_ACCESS" in err
    code, out, _ = _run(capsys, *cli, "--json", "create-table", "--table-class", "STANDARD")
    assert code == 0
    assert json.loads(out)["created"] is True


def test_the_example_document_is_saved_and_read_back_as_written(
    cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/operations.md's `put examples/tailored_cv.json`: a document an operator can copy."""
    example = Path(__file__).parents[2] / "examples" / "tailored_cv.json"
    assert _run(capsys, *cli, "create-table")[0] == 0
    code, out, err = _run(capsys, *cli, "--json", "put", str(example), "--application-id", "app-1")
    assert code == 0, err
    code, out, err = _run(capsys, *cli, "--json", "get", json.loads(out)["artifact_id"])
    assert code == 0, err
    written = json.loads(example.read_bytes())
    read = json.loads(out)
    for part in ("tailored_cv", "metadata", "token_usage"):
        assert read[part] == written[part]
