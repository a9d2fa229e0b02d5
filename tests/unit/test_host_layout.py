"""What the README promises a host project: its own ``careervp.*`` modules beside the library's
with the settings it gives, and the exact error when a ``careervp/__init__.py`` breaks the rule."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parents[2] / "README.md").read_text()
HANDLER = """from careervp.dal import DynamoDalHandler
from careervp.models.job import Job


def make() -> tuple[DynamoDalHandler, Job]:
    return DynamoDalHandler(table_name="t"), Job()
"""


def _host(root: Path) -> Path:
    (root / "careervp" / "handlers").mkdir(parents=True)
    (root / "careervp" / "models").mkdir()
    (root / "careervp" / "handlers" / "app.py").write_text(HANDLER)
    (root / "careervp" / "models" / "job.py").write_text("class Job:\n    pass\n")
    return root


def _run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, on a host tree written here
        [sys.executable, *argv], capture_output=True, text=True, cwd=root, timeout=300, check=False
    )


@pytest.mark.parametrize(
    ("package", "missing"),
    [("careervp", "careervp.dal"), ("careervp/models", "careervp.models.result")],
)
def test_an_init_file_in_the_host_hides_the_library_with_the_readme_error(
    tmp_path: Path, package: str, missing: str
) -> None:
    root = _host(tmp_path)
    (root / package / "__init__.py").write_text("")
    done = _run(root, "-c", "import careervp.dal, careervp.models.result")
    assert done.stderr.strip().splitlines()[-1] == (
        f"ModuleNotFoundError: No module named '{missing}'"
    )
    assert f"No module named '{missing}'" in README
    (root / package / "__init__.py").unlink()
    beside = _run(root, "-c", "import careervp.dal, careervp.models.result, careervp.models.job")
    assert beside.returncode == 0, beside.stderr


@pytest.mark.timeout(600)
def test_the_readme_settings_let_mypy_check_a_host_tree(tmp_path: Path) -> None:
    root = _host(tmp_path)
    files = ["careervp/handlers/app.py", "careervp/models/job.py"]
    without = _run(root, "-m", "mypy", "--strict", "--no-incremental", *files)
    assert "Source file found twice under different module names" in without.stdout
    (toml,) = re.findall(r"^```toml\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)
    (root / "pyproject.toml").write_text(toml)
    done = _run(root, "-m", "mypy", "--no-incremental", *files)
    assert done.returncode == 0, done.stdout


def test_the_readme_settings_let_pytest_import_a_host_tree(tmp_path: Path) -> None:
    root = _host(tmp_path)
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text(
        "from careervp.handlers.app import make\n\n\ndef test_make() -> None:\n    assert make\n"
    )
    # The console script, as a host runs it: `python -m pytest` would put the folder on
    # sys.path by itself and hide a missing setting.
    pytest_script = str(Path(sys.executable).with_name("pytest"))

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this environment's pytest on a tree written here
            [pytest_script, "-q", "-p", "no:cacheprovider", "tests"],
            capture_output=True,
            text=True,
            cwd=root,
            timeout=300,
            check=False,
        )

    assert "No module named 'careervp.handlers'" in run().stdout
    (toml,) = re.findall(r"^```toml\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)
    (root / "pyproject.toml").write_text(toml)
    done = run()
    assert done.returncode == 0, done.stdout
