"""A run without ``CAREERVP_TEST_ENDPOINT`` sums up the endpoint engine's tests in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _collect(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "CAREERVP_TEST_ENDPOINT"}
    done = subprocess.run(  # this interpreter's pytest, collecting only
        [sys.executable, "-m", "pytest", "tests/engines/test_ttl.py", "--collect-only", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **env},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_endpoint_tests_are_deselected_and_counted_in_one_line() -> None:
    out = _collect()
    assert "[endpoint]" not in out
    summary = [line for line in out.splitlines() if "CAREERVP_TEST_ENDPOINT" in line]
    expected = (
        "3 tests of the endpoint engine not run: CAREERVP_TEST_ENDPOINT is not set"
        " (set it to a DynamoDB endpoint to run them)"
    )
    assert summary == [expected]


def test_with_an_endpoint_they_are_collected() -> None:
    out = _collect(CAREERVP_TEST_ENDPOINT="http://127.0.0.1:9")
    assert out.count("[endpoint]") == 3
    assert "not run" not in out
