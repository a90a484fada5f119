"""`make test` runs on every core with pytest-xdist's ``--dist loadgroup``; the book's tests rely on it
keeping a group on one worker (nbval's cells of one notebook, one JupyterLab server, one visit per page)."""

from __future__ import annotations

import os
import subprocess
import sys

GROUPED = """
import os
import pytest

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    with open(os.environ["WORKERS_SEEN"], "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
"""


def test_loadgroup_keeps_a_group_on_one_worker(tmp_path):
    """Guards the pin of pytest below 9.2 (pytest-dev/pytest-xdist#1386: with 9.2's node ids the
    group mark is silently ignored and a notebook's cells land on different workers)."""
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    seen = tmp_path / "workers.txt"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path,
        env={**os.environ, "WORKERS_SEEN": str(seen)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    workers = seen.read_text(encoding="utf-8").split()
    assert len(workers) == 6 and len(set(workers)) == 1, f"one group ran on workers {sorted(set(workers))}"
