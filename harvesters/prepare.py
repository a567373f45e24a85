"""Preparing one harvested item away from the database: fetched, hashed, its files stored and validated.

This runs in the fetch threads of a harvest (and validation, in a large one, in other processes); what
it cannot do becomes the item's outcome, never an exception out of the thread.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.errors import CatalogError
from catalog.models import HarvestSource
from catalog.services.validation import PreparedFile
from harvesters.base import FetchedItem, FetchFailed, Harvester, ImportRefused, ItemOutcome, ItemUnchanged, RemoteItem
from harvesters.http import FetchError

Validate = Callable[[Path, str, str | dict[str, Any] | None], PreparedFile]


def content_sha256(fetched: FetchedItem) -> str:
    """A digest of everything fetched for an item: unchanged digest, nothing to import."""
    digest = hashlib.sha256(repr(sorted(fetched.metadata.items())).encode())
    for name, path in fetched.files:
        digest.update(name.encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    for url in fetched.urls:
        digest.update(url.encode())
    if fetched.schemas:
        digest.update(repr(sorted(fetched.schemas.items())).encode())
    if fetched.links:
        digest.update(repr(sorted(fetched.links.items())).encode())
    return digest.hexdigest()


@dataclass
class PreparedItem:
    """One item made ready away from the database: fetched, hashed, its files stored and validated; or the
    outcome that keeps it from being imported."""

    item: RemoteItem
    fetched: FetchedItem | None = None
    content: str = ""
    files: list[tuple[str, PreparedFile]] = field(default_factory=list)
    outcome: ItemOutcome | None = None


def prepare_item(
    harvester: Harvester, item: RemoteItem, known_content: str | None, source: HarvestSource, validate: Validate
) -> PreparedItem:
    """Fetch an item and, unless its content is the one imported before, store and validate its files."""
    prepared = PreparedItem(item)
    fetched: FetchedItem | None = None
    try:
        try:
            fetched = prepared.fetched = harvester.fetch(item)
        except (FetchError, CatalogError, ValueError) as exc:
            raise FetchFailed(item.remote_id, str(exc)) from exc
        fetched.urls = harvester.client.public_links(fetched.urls, fetched.warnings)
        try:
            prepared.content = content_sha256(fetched)
            if prepared.content == known_content:
                raise ItemUnchanged(item.remote_id)
            prepared.files = [
                (name, validate(path, name, fetched.schemas.get(name) or source.default_schema))
                for name, path in fetched.files
            ]
        except (FetchError, CatalogError, ValueError) as exc:
            raise ImportRefused(item.remote_id, str(exc)) from exc
    except ItemOutcome as outcome:
        prepared.outcome = outcome
    finally:
        for _, path in fetched.files if fetched else []:
            path.unlink(missing_ok=True)
    return prepared
