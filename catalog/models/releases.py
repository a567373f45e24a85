"""Releases and their resources, the audit log, the search outbox, the datastore's tables."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from catalog.models.base import ReleaseState, json_field, timestamp_field, utcnow
from catalog.models.catalogue import Dataset

# --- releases and resources ---------------------------------------------------------------------


# Every change of a release row checks and bumps this: of two requests moving the same release at once
# (two walidata approving, on two servers), the second finds the row changed and is refused (409).
RELEASE_VERSION = Column("version", Integer, nullable=False, server_default="1")


class Release(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)
    __mapper_args__ = {"version_id_col": RELEASE_VERSION}

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    number: int
    state: ReleaseState = Field(default=ReleaseState.draft, index=True)
    version: int = Field(default=1, sa_column=RELEASE_VERSION)
    notes: str = Field(default="", sa_type=Text)
    metadata_snapshot: dict[str, Any] = json_field(dict)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    endorsed_by_id: int | None = Field(default=None, foreign_key="user.id")
    review_note: str | None = Field(default=None, sa_type=Text)
    approval_justification: str | None = Field(default=None, sa_type=Text)
    withdrawn_reason: str | None = Field(default=None, sa_type=Text)
    created: datetime = timestamp_field(default_factory=utcnow)
    submitted_at: datetime | None = timestamp_field(default=None, nullable=True)
    reviewed_at: datetime | None = timestamp_field(default=None, nullable=True)
    published_at: datetime | None = timestamp_field(default=None, nullable=True)
    withdrawn_at: datetime | None = timestamp_field(default=None, nullable=True)
    dataset: Dataset = Relationship(back_populates="releases")
    resources: list["Resource"] = Relationship(
        back_populates="release", sa_relationship_kwargs={"order_by": "Resource.position"}
    )


class Resource(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    position: int = 0
    name: str = Field(max_length=255)
    format: str = Field(default="", max_length=20, index=True)
    media_type: str = Field(default="application/octet-stream", max_length=120)
    byte_size: int | None = None
    sha256: str | None = Field(default=None, max_length=64, index=True)
    url: str | None = Field(default=None, max_length=2000)
    schema_ref: str | None = Field(default=None, max_length=200)
    table_schema: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    validation_valid: bool | None = None
    validation_summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    report_sha256: str | None = Field(default=None, max_length=64)
    downloads: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    release: Release = Relationship(back_populates="resources")


class ResourcePublic(SQLModel):
    id: int
    name: str
    format: str
    media_type: str
    byte_size: int | None
    sha256: str | None
    url: str | None
    schema_ref: str | None
    validation_valid: bool | None
    downloads: int
    download_url: str


class ReleasePublic(SQLModel):
    id: int
    dataset: str
    number: int
    state: ReleaseState
    notes: str
    metadata_snapshot: dict[str, Any]
    created_by: str | None
    submitted_by: str | None
    reviewed_by: str | None
    endorsed_by: str | None
    review_note: str | None
    approval_justification: str | None
    withdrawn_reason: str | None
    created: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    resources: list[ResourcePublic]


# --- audit --------------------------------------------------------------------------------------


class Activity(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted (see catalog.services.activity)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="system", max_length=80)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    dataset_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = json_field(dict)


class ActivityPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: int | None
    dataset_id: int | None
    detail: dict[str, Any]


class SearchOutbox(SQLModel, table=True):
    """Index changes written in the same transaction as the catalogue change, applied later."""

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(index=True)
    created: datetime = timestamp_field(default_factory=utcnow)
    processed: datetime | None = timestamp_field(default=None, nullable=True)


# --- datastore ----------------------------------------------------------------------------------


class DatastoreTable(SQLModel, table=True):
    """A tabular resource loaded into the datastore: pending → loading → ready | failed | skipped."""

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resource.id", unique=True, index=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    status: str = Field(default="loading", max_length=20)
    source_sha256: str | None = Field(default=None, max_length=64)
    rows: int | None = None
    fields: list[dict[str, Any]] = json_field(list)
    progress: float = 0.0
    error: str | None = Field(default=None, sa_type=Text)
    started: datetime = timestamp_field(default_factory=utcnow)
    finished: datetime | None = timestamp_field(default=None, nullable=True)
