"""Dataset search: one contract, an embedded SQLite FTS5 backend and a Meilisearch backend."""

from __future__ import annotations

from pathlib import Path

from search.base import Hit, SearchBackend, SearchError, SearchResult

__all__ = ["Hit", "SearchBackend", "SearchError", "SearchResult", "get_backend"]


def get_backend(meili_url: str | None, meili_key: str | None, path: Path) -> SearchBackend:
    """Meilisearch when a URL is configured, otherwise the embedded index stored at ``path``."""
    if meili_url:
        from search.meili import MeiliBackend

        backend = MeiliBackend(meili_url, meili_key)
        backend.ensure_settings()
        return backend
    from search.embedded import EmbeddedBackend

    return EmbeddedBackend(path)
