"""Backends under test: the embedded one always, Meilisearch when TERBUKA_MEILI_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.base import SearchBackend
from search.embedded import EmbeddedBackend

MEILI_URL = os.environ.get("TERBUKA_MEILI_URL")


@pytest.fixture(params=["embedded", "meilisearch"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        yield EmbeddedBackend(tmp_path / "search.db")
        return
    if not MEILI_URL:
        pytest.skip("Meilisearch contract run needs TERBUKA_MEILI_URL (see docs/search.md)")
    from search.meili import MeiliBackend

    meili = MeiliBackend(MEILI_URL, os.environ.get("TERBUKA_MEILI_KEY"), index_uid=f"test-{uuid.uuid4().hex[:12]}")
    meili.ensure_settings()
    yield meili
    meili.drop()
