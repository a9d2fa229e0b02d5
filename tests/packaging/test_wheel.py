"""The wheel, installed in a fresh environment as a downstream handler would install it.

One virtual environment per session gets the built wheel (with its ``types`` extra) and mypy,
from uv's cache where the project's own install left them. A fake host package with its own
``careervp.handlers`` and ``careervp.models`` modules sits beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import careervp.dal

ROOT = Path(__file__).parents[2]

HOST_HANDLER = '''
"""The host backend's own handler, in its own careervp namespace."""
from careervp.models.job import Job

def describe(job: Job) -> str:
    return f"{job.title} at {job.company}"
'''
HOST_MODEL = """
from dataclasses import dataclass

@dataclass
class Job:
    title: str
    company: str
"""


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    return uv


def _run(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our own tools on our own files
        argv, capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=600
    )
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = _uv()
    work = tmp_path_factory.mktemp("wheel")
    _run(uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT))
    (wheel,) = (work / "dist").glob("careervp_dal-*.whl")
    environment = work / "venv"
    _run(uv, "venv", "--quiet", "--python", sys.executable, str(environment))
    python = environment / "bin" / "python"
    # The versions the project itself runs on, so the install needs no network when cached.
    pins = work / "pins.txt"
    frozen = _run(uv, "pip", "freeze", "--python", sys.executable).splitlines()
    pins.write_text("\n".join(line for line in frozen if "==" in line and "careervp" not in line))
    install = [uv, "pip", "install", "--quiet", "--python", str(python), "-c", str(pins)]
    packages = [f"careervp-dal[types] @ {wheel.as_uri()}", "mypy"]
    offline = subprocess.run([*install, "--offline", *packages], capture_output=True, check=False)  # noqa: S603
    if offline.returncode != 0:
        _run(*install, *packages)
    host = work / "host"
    (host / "careervp" / "handlers").mkdir(parents=True)
    (host / "careervp" / "models").mkdir(parents=True)
    (host / "careervp" / "handlers" / "tailor.py").write_text(HOST_HANDLER)
    (host / "careervp" / "models" / "job.py").write_text(HOST_MODEL)
    return environment


def _python(venv: Path, code: str, **env: str) -> str:
    host = venv.parent / "host"
    variables = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
        "PYTHONPATH": str(host),
        **env,
    }
    return _run(str(venv / "bin" / "python"), "-c", textwrap.dedent(code), env=variables, cwd=host)


def test_the_library_and_the_hosts_careervp_import_side_by_side(venv: Path) -> None:
    out = _python(
        venv,
        """
        import careervp.handlers.tailor as host_handler
        from careervp.models.job import Job
        from careervp.dal import DynamoDalHandler, __version__
        from careervp.models.tailor import TailoredCVData
        from careervp.models.result import ResultCode
        print(host_handler.describe(Job("Engineer", "Acme")), __version__, ResultCode.SUCCESS.value)
        import careervp.dal, careervp.models
        print(sorted(str(p) for p in careervp.models.__path__) != [])
        """,
    )
    assert out.split("\n")[0] == f"Engineer at Acme {careervp.dal.__version__} SUCCESS"


def test_importing_in_lambda_loads_no_xray_and_a_save_logs_through_careervp_dal(
    venv: Path, moto_server_endpoint: str
) -> None:
    out = _python(
        venv,
        """
        import io, logging, sys
        sink = io.StringIO()
        logging.basicConfig(stream=sink, level=logging.DEBUG, format="%(name)s %(message)s")
        from careervp.dal import DynamoDalHandler
        from careervp.dal.client import build_client
        from careervp.dal.table import create_table
        from careervp.models.tailor import TailoredCV, TailoredCVData, TailoringMetadata, TokenUsage
        loaded = [m for m in sys.modules if m.startswith(("aws_xray_sdk", "aws_lambda_powertools"))]
        client = build_client(region_name="us-east-1")
        create_table(client, "wheel-test")
        dal = DynamoDalHandler(client, "wheel-test", token_secret=b"s" * 32)
        data = TailoredCVData(
            tailored_cv=TailoredCV(source_cv_version=1, executive_summary="Builds things."),
            metadata=TailoringMetadata(user_id="u", job_id="j", fvs_validation_passed=True),
            token_usage=TokenUsage(input_tokens=1, output_tokens=2),
        )
        saved = dal.save_tailored_cv("app", data)
        print(loaded, saved.success)
        print([line for line in sink.getvalue().splitlines() if line.startswith("careervp.dal ")])
        """,
        LAMBDA_TASK_ROOT=str(venv.parent),
        AWS_LAMBDA_FUNCTION_NAME="tailor",
        AWS_ENDPOINT_URL_DYNAMODB=moto_server_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto takes any key
    )
    first, second = out.strip().split("\n")
    assert first == "[] True"
    assert "careervp.dal save_tailored_cv succeeded" in second


GOOD = """
from mypy_boto3_dynamodb import DynamoDBClient
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.models.tailor import TailoredCVData

def persist(client: DynamoDBClient, data: TailoredCVData) -> str | None:
    dal = DynamoDalHandler(client, "tailored-cvs")
    saved = dal.save_tailored_cv("app-1", data, idempotency_key="request-1")
    if saved.success:
        return saved.data
    return None
"""
BAD = """
from careervp.dal.dynamo_dal_handler import DynamoDalHandler

dal = DynamoDalHandler("not a client", "tailored-cvs")
"""


@pytest.mark.parametrize(("source", "passes"), [(GOOD, True), (BAD, False)])
def test_a_downstream_handler_type_checks_against_the_installed_wheel(
    venv: Path, source: str, passes: bool
) -> None:
    module = venv.parent / "host" / f"downstream_{passes}.py"
    module.write_text(source)
    done = subprocess.run(  # noqa: S603
        [str(venv / "bin" / "python"), "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True,
        text=True,
        cwd=module.parent,
        check=False,
        timeout=600,
    )
    assert (done.returncode == 0) is passes, done.stdout
    if not passes:
        assert 'Argument 1 to "DynamoDalHandler" has incompatible type "str"' in done.stdout
