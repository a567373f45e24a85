"""Harvest sources, their jobs and items, and the errors each job met."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from catalog.models.base import json_field, timestamp_field, utcnow

# --- harvesting ---------------------------------------------------------------------------------


class HarvestSource(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    type: str = Field(max_length=40)
    url: str = Field(max_length=2000)
    publish: str = Field(default="review", max_length=10)
    on_removed: str = Field(default="flag", max_length=10)
    filters: dict[str, Any] = json_field(dict)  # query clauses, and a whole-portal source's "portal" settings
    default_schema: str | None = Field(default=None, max_length=200)
    schedule: str | None = Field(default=None, max_length=100)  # hourly|daily|weekly|monthly or a crontab line
    created: datetime = timestamp_field(default_factory=utcnow)


RUNNING = text("status = 'running'")


class HarvestJob(SQLModel, table=True):
    """One run over one source: queued → running → finished | failed. At most one runs per source."""

    __table_args__ = (
        Index("uq_harvestjob_running_source", "source_id", unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="harvestsource.id", index=True)
    status: str = Field(default="running", max_length=20)
    counts: dict[str, int] = json_field(dict)
    error: str | None = Field(default=None, sa_type=Text)
    started: datetime = timestamp_field(default_factory=utcnow)
    finished: datetime | None = timestamp_field(default=None, nullable=True)
    heartbeat: datetime | None = timestamp_field(default=None, nullable=True)
    attempt: int = Field(default=1)
    owner: str | None = Field(default=None, max_length=200)  # "host pid start-time" of the process running it


class HarvestItem(SQLModel, table=True):
    """One remote dataset as last seen at its source."""

    __table_args__ = (UniqueConstraint("source_id", "remote_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="harvestsource.id", index=True)
    remote_id: str = Field(max_length=300)
    dataset_id: int | None = Field(default=None, foreign_key="dataset.id")
    marker: str | None = Field(default=None, max_length=300)
    content_sha256: str | None = Field(default=None, max_length=64)
    status: str = Field(default="new", max_length=20)
    errors: list[dict[str, str]] = json_field(list)
    last_job_id: int | None = Field(default=None)


class HarvestItemError(SQLModel, table=True):
    """An error or warning of one remote item in one harvest job, kept with the job: a later run replaces the
    item's own ``errors`` but not these. Items that went through cleanly have no row."""

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="harvestjob.id", index=True)
    remote_id: str = Field(max_length=300)
    status: str = Field(max_length=20)  # the item after that job: error (not imported) or ok (imported, warned)
    stage: str = Field(default="", max_length=20)
    message: str = Field(sa_type=Text)
