"""Harvest tests: tasks run in the calling thread unless a test starts a real worker."""

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def immediate_tasks() -> Iterator[None]:
    from harvesters.tasks import huey

    huey.immediate = True
    yield
    huey.immediate = False


@pytest.fixture(autouse=True)
def local_roots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Local-path sources may read the test's own folder and the fixtures, as TERBUKA_HARVEST_LOCAL_ROOTS allows."""
    monkeypatch.setenv("TERBUKA_HARVEST_LOCAL_ROOTS", f"{tmp_path},{Path(__file__).parent / 'fixtures'}")
