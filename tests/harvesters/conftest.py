"""Harvest tasks run in the calling thread unless a test starts a real worker."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def immediate_tasks() -> Iterator[None]:
    from harvesters.tasks import huey

    huey.immediate = True
    yield
    huey.immediate = False
