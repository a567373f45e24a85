"""What a harvester is: a source type lists its items (gather) and turns one into metadata and files (fetch).

A new source type is a subclass of `Harvester` in a small module of its own, registered under the
`terbuka.harvesters` entry point (see docs/writing-a-harvester.md). Everything else — the job and item
records, the comparison that makes an unchanged re-harvest a no-op, validation, the release workflow,
batching and crash recovery — is `harvesters.run`'s. An item that cannot be had raises `FetchError`
(harvesters.http); how each item ended is one of the outcomes below, recorded on its harvest item.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.models import HarvestSource
from catalog.services.links import LinkDescription
from harvesters.http import SafeClient


@dataclass(frozen=True)
class RemoteItem:
    remote_id: str
    marker: str


@dataclass
class FetchedItem:
    """One remote dataset mapped to Terbuka: metadata fields of DatasetCreate and files on disk."""

    metadata: dict[str, Any]
    files: list[tuple[str, Path]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schemas: dict[str, str | dict[str, Any]] = field(default_factory=dict)  # file name → its own Table Schema
    links: dict[str, LinkDescription] = field(default_factory=dict)  # URL → what the source declares about it
    organization: dict[str, Any] | None = None  # the publisher at the source (name, title, id), for portal sources


class Harvester(ABC):
    concurrent_fetch = False  # True when fetch() may run in several threads at once
    reads_local_paths = False  # True when a source may be a folder or file on this server, not only http(s)
    places_organizations = False  # True when fetch() names each item's organization, so a source may cover a portal

    def __init__(self, source: HarvestSource, client: SafeClient, workdir: Path) -> None:
        self.source = source
        self.client = client
        self.workdir = workdir
        self.known: dict[str, str] = {}  # remote id → marker of the items imported before
        self.since: datetime | None = None  # when the last finished job started: for incremental queries

    @abstractmethod
    def gather(self) -> list[RemoteItem]:
        """Every item the source offers now, with a marker that changes when the item changes."""

    @abstractmethod
    def fetch(self, item: RemoteItem) -> FetchedItem:
        """The item's metadata and downloaded files; raise FetchError for what cannot be had."""


class ItemOutcome(Exception):
    """How one item ended when it was not imported as fetched."""


class ItemUnchanged(ItemOutcome):
    """What was fetched is what was imported before: the item is skipped, nothing is written."""


class ItemFailed(ItemOutcome):
    """The item failed at a stage; the message goes on its harvest item for the walidata."""

    stage = ""

    def __init__(self, remote_id: str, message: str) -> None:
        super().__init__(message)
        self.remote_id, self.message = remote_id, message

    def record(self) -> dict[str, str]:
        """The entry in the harvest item's errors."""
        return {"stage": self.stage, "remote_id": self.remote_id, "message": self.message}


class FetchFailed(ItemFailed):
    """The item could not be fetched from its source."""

    stage = "fetch"


class ImportRefused(ItemFailed):
    """The item was fetched but could not be imported: a file could not be stored or validated, or the
    catalogue refused it (a title too short, a slug taken, an unknown schema…)."""

    stage = "import"
