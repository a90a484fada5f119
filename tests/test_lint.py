"""Lint and format: ruff, with the rules in pyproject.toml, over the package and the tests."""

from __future__ import annotations

import subprocess
import sys

from manchuria.book import REPO_ROOT

CHECKED = ["src", "tests", "conftest.py"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, *CHECKED], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_ruff_finds_no_fault():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    result = _ruff("format", "--check")
    assert result.returncode == 0, (
        "run `.venv/bin/ruff format src tests conftest.py`:\n" + result.stdout + result.stderr
    )
