"""The public surface: what the docs name is importable from where they say, and nothing else
public is left unlisted; the namespace packages stay namespaces; importing configures nothing."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import careervp.dal

# Each public module and the names docs/architecture.md says it offers.
PUBLIC = {
    "careervp.models.result": {"Err", "Ok", "Result", "ResultCode"},
    "careervp.models.tailor": {
        "EducationEntry",
        "EncryptionProgress",
        "ExperienceEntry",
        "NonEmptyText",
        "NonNegativeFloat",
        "NonNegativeInt",
        "StoredArtifact",
        "StoredTailoredCV",
        "TailoredCV",
        "TailoredCVData",
        "TailoredCVPage",
        "TailoredCVSummary",
        "TailoredCVSummaryPage",
        "TailoringMetadata",
        "TokenUsage",
        "UserExport",
    },
    "careervp.dal": {"DynamoDalHandler", "__version__", "compute_checksum"},
    "careervp.dal.dynamo_dal_handler": {"DynamoDalHandler", "compute_checksum"},
    "careervp.dal.aio": {"AsyncDynamoDalHandler", "build_async_client", "open_handler"},
    "careervp.dal.testing": {"DEFAULT_TABLE_NAME", "REGION", "local_store"},
    "careervp.dal.testing.plugin": {"tailored_cv_store"},
    "careervp.dal.encryption": {"ENCRYPTION_CONTEXT", "KmsCipher"},
    "careervp.dal.client": {
        "DEFAULT_CALL_TIMEOUT",
        "CallDeadlineError",
        "attempt_timeouts",
        "build_client",
        "client_config",
        "install_deadline",
        "region_from_environment",
    },
    "careervp.dal.settings": {
        "ACCEPT_PLAINTEXT_ENV",
        "INDEX_NAME_ENV",
        "KMS_KEY_ENV",
        "SECRET_ENV",
        "SECRET_PREVIOUS_ENV",
        "TABLE_NAME_ENV",
        "WIRE_ENV",
    },
    "careervp.dal.errors": {
        "ConditionFailedError",
        "ConflictError",
        "DalError",
        "IntegrityError",
        "InvalidInputError",
        "ItemTooLargeError",
        "NotFoundError",
        "PageTokenError",
        "ServiceError",
        "ThrottledError",
        "error_code",
        "escaped",
        "service_error",
        "without_arns",
    },
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_documented_names_are_exactly_the_public_ones(module: str) -> None:
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == PUBLIC[module]
    for name in loaded.__all__:
        assert hasattr(loaded, name), f"{module}.{name}"


@pytest.mark.parametrize(
    "module",
    [
        "careervp.dal.codec",
        "careervp.dal.plans",
        "careervp.dal.schema",
        "careervp.dal.table",
        "careervp.dal.validation",
        "careervp.dal.sender",
        "careervp.dal.cli",
        *PUBLIC,
    ],
)
def test_every_class_and_function_defined_in_a_module_is_listed_or_private(module: str) -> None:
    loaded = importlib.import_module(module)
    defined = {
        name
        for name, value in vars(loaded).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module
    }
    assert defined <= set(loaded.__all__), defined - set(loaded.__all__)


def test_careervp_and_its_models_are_namespace_packages() -> None:
    import careervp  # noqa: PLC0415
    import careervp.models  # noqa: PLC0415

    for package in (careervp, careervp.models):
        assert getattr(package, "__file__", None) is None, package
    source = Path(careervp.dal.__file__).parents[1]
    assert not (source / "__init__.py").exists()
    assert not (source / "models" / "__init__.py").exists()


def test_importing_the_library_configures_nothing_even_in_lambda() -> None:
    probe = """
import logging, sys
before = dict(logging.root.manager.loggerDict)
import careervp.dal, careervp.dal.dynamo_dal_handler, careervp.models.result, careervp.models.tailor
heavy = sorted(m for m in sys.modules if m.split(".")[0] in
               ("aws_xray_sdk", "aws_lambda_powertools", "cryptography", "moto", "requests"))
store = logging.getLogger("careervp.dal")
print(heavy, store.handlers, store.level, logging.root.handlers)
"""
    env = {**os.environ, "LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "tailor"}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] [] 0 []"
    assert done.stderr == ""


def test_the_version_is_the_distributions() -> None:
    from importlib.metadata import version  # noqa: PLC0415

    assert careervp.dal.__version__ == version("careervp-dal")


def test_the_wire_switch_is_named_once() -> None:
    from careervp.dal import sender, settings  # noqa: PLC0415

    assert sender.WIRE_ENV == settings.WIRE_ENV == "TAILORED_CV_WIRE"
