"""The catalogue's tables and their API shapes (one family of classes per entity)."""

import enum
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationInfo, field_validator
from sqlalchemy import JSON, Column, DateTime, Index, Integer, Text, TypeDecorator, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlmodel import Field, Relationship, SQLModel

from catalog import input_limits
from catalog.roles import Role as Role  # the tables module still offers it


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite keeps no zone) and always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use catalog.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _timestamp(**kwargs: Any) -> Any:
    nullable = kwargs.pop("nullable", False)
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable), **kwargs)


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class UpdateFrequency(enum.StrEnum):
    harian = "harian"
    mingguan = "mingguan"
    bulanan = "bulanan"
    triwulanan = "triwulanan"
    semesteran = "semesteran"
    tahunan = "tahunan"
    tidak_tentu = "tidak tentu"


class ReleaseState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    published = "published"
    withdrawn = "withdrawn"


# --- reference tables ---------------------------------------------------------------------------


class License(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    title: str
    url: str | None = None
    is_open: bool = True


class Theme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=80)
    name: str


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=100)


class DatasetTag(SQLModel, table=True):
    dataset_id: int = Field(foreign_key="dataset.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True)


class DatasetTheme(SQLModel, table=True):
    dataset_id: int = Field(foreign_key="dataset.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True)


# --- organizations and people -------------------------------------------------------------------

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"  # lower-case letters, digits and hyphens, as in URLs


class OrganizationBase(SQLModel):
    slug: str = Field(unique=True, index=True, min_length=2, max_length=80, schema_extra={"pattern": SLUG_PATTERN})
    name: str = Field(min_length=2, max_length=200)
    abbreviation: str | None = Field(default=None, max_length=40)
    kind: str = Field(default="dinas", max_length=40)
    description: str = Field(default="", sa_type=Text)


class OrganizationCreate(OrganizationBase):
    pass


class OrganizationUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    abbreviation: str | None = None
    kind: str | None = None
    description: str | None = None


class Organization(OrganizationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created: datetime = _timestamp(default_factory=utcnow)
    datasets: list["Dataset"] = Relationship(back_populates="organization")


class OrganizationPublic(OrganizationBase):
    id: int
    created: datetime
    dataset_count: int = 0


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=80)
    full_name: str = ""
    email: str | None = None
    role: Role
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    password_hash: str | None = None
    is_active: bool = True
    created: datetime = _timestamp(default_factory=utcnow)
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # since the last success
    locked_until: datetime | None = _timestamp(default=None, nullable=True)
    organization: Organization | None = Relationship()


class UserPublic(SQLModel):
    id: int
    username: str
    full_name: str
    role: Role
    organization: str | None = None


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    prefix: str = Field(max_length=12)
    name: str = ""
    created: datetime = _timestamp(default_factory=utcnow)
    last_used: datetime | None = _timestamp(default=None, nullable=True)
    expires: datetime | None = _timestamp(default=None, nullable=True)  # None: until revoked
    read_only: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})  # GET and HEAD only
    revoked: bool = False
    user: User = Relationship()


# --- datasets -----------------------------------------------------------------------------------


REGION_CODE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")


def check_region_codes(codes: list[str]) -> list[str]:
    bad = [code for code in codes if not REGION_CODE.fullmatch(code)]
    if bad:
        raise ValueError(f"not Kemendagri region codes (PP.KK.CC.DDDD): {', '.join(bad)}")
    return codes


class DatasetMetadata(SQLModel):
    """The editable metadata of a dataset; also what a release snapshots."""

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", sa_type=Text)
    license_id: str = Field(default="cc-by-4.0", foreign_key="license.id")
    update_frequency: UpdateFrequency = UpdateFrequency.tidak_tentu
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial_coverage: list[str] = _json(list)
    contact_name: str | None = None
    contact_email: str | None = None
    is_priority: bool = False
    extras: dict[str, str] = _json(dict)

    @field_validator("spatial_coverage")
    @classmethod
    def _kemendagri_codes(cls, codes: list[str]) -> list[str]:
        return check_region_codes(codes)

    @field_validator("title")
    @classmethod
    def _visible_title(cls, title: str) -> str:
        return input_limits.check_title(title)

    @field_validator("description")
    @classmethod
    def _bounded_description(cls, description: str) -> str:
        return input_limits.check_description(description)

    @field_validator("extras")
    @classmethod
    def _bounded_extras(cls, extras: dict[str, str]) -> dict[str, str]:
        return input_limits.check_extras(extras)


class DatasetCreate(DatasetMetadata):
    slug: str = Field(min_length=3, max_length=120, schema_extra={"pattern": SLUG_PATTERN})
    organization: str
    tags: list[str] = []
    themes: list[str] = []

    @field_validator("tags")
    @classmethod
    def _bounded_tags(cls, tags: list[str]) -> list[str]:
        return input_limits.check_tags(tags)


NOT_EMPTY_ON_UPDATE = (
    "title",
    "description",
    "license_id",
    "update_frequency",
    "spatial_coverage",
    "is_priority",
    "extras",
)


class DatasetUpdate(SQLModel):
    """A partial edit: a field left out stays as it is; a field that cannot be empty may not be sent as null."""

    title: str | None = Field(default=None, min_length=3, max_length=300)
    description: str | None = None
    license_id: str | None = Field(default=None, min_length=1)
    update_frequency: UpdateFrequency | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial_coverage: list[str] | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    is_priority: bool | None = None
    extras: dict[str, str] | None = None
    tags: list[str] | None = None
    themes: list[str] | None = None

    @field_validator("spatial_coverage")
    @classmethod
    def _kemendagri_codes(cls, codes: list[str] | None) -> list[str] | None:
        return None if codes is None else check_region_codes(codes)

    @field_validator(*NOT_EMPTY_ON_UPDATE)
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        # Called only for values actually sent: a null here would break the dataset for everyone.
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null: leave it out to keep it as it is")
        return value

    @field_validator("title", "description", "extras", "tags")
    @classmethod
    def _within_limits(cls, value: Any, info: ValidationInfo) -> Any:
        checks: dict[str, Callable[[Any], Any]] = {
            "title": input_limits.check_title,
            "description": input_limits.check_description,
            "extras": input_limits.check_extras,
            "tags": input_limits.check_tags,
        }
        return value if value is None else checks[info.field_name or ""](value)


class Dataset(DatasetMetadata, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=120)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    removed_at_source: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created: datetime = _timestamp(default_factory=utcnow)
    modified: datetime = _timestamp(default_factory=utcnow)
    organization: Organization = Relationship(back_populates="datasets")
    tags: list[Tag] = Relationship(link_model=DatasetTag)
    themes: list[Theme] = Relationship(link_model=DatasetTheme)
    releases: list["Release"] = Relationship(back_populates="dataset")


class DatasetPublic(DatasetMetadata):
    id: int
    slug: str
    organization: str
    organization_name: str
    tags: list[str]
    themes: list[str]
    created: datetime
    modified: datetime
    current_release: int | None = None
    url: str


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
    metadata_snapshot: dict[str, Any] = _json(dict)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id")
    endorsed_by_id: int | None = Field(default=None, foreign_key="user.id")
    review_note: str | None = Field(default=None, sa_type=Text)
    approval_justification: str | None = Field(default=None, sa_type=Text)
    withdrawn_reason: str | None = Field(default=None, sa_type=Text)
    created: datetime = _timestamp(default_factory=utcnow)
    submitted_at: datetime | None = _timestamp(default=None, nullable=True)
    reviewed_at: datetime | None = _timestamp(default=None, nullable=True)
    published_at: datetime | None = _timestamp(default=None, nullable=True)
    withdrawn_at: datetime | None = _timestamp(default=None, nullable=True)
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
    at: datetime = _timestamp(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="system", max_length=80)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    dataset_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = _json(dict)


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
    created: datetime = _timestamp(default_factory=utcnow)
    processed: datetime | None = _timestamp(default=None, nullable=True)


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
    fields: list[dict[str, Any]] = _json(list)
    progress: float = 0.0
    error: str | None = Field(default=None, sa_type=Text)
    started: datetime = _timestamp(default_factory=utcnow)
    finished: datetime | None = _timestamp(default=None, nullable=True)


# --- harvesting ---------------------------------------------------------------------------------


class HarvestSource(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    type: str = Field(max_length=40)
    url: str = Field(max_length=2000)
    publish: str = Field(default="review", max_length=10)
    on_removed: str = Field(default="flag", max_length=10)
    filters: dict[str, Any] = _json(dict)  # query clauses, and a whole-portal source's "portal" settings
    default_schema: str | None = Field(default=None, max_length=200)
    schedule: str | None = Field(default=None, max_length=100)  # hourly|daily|weekly|monthly or a crontab line
    created: datetime = _timestamp(default_factory=utcnow)


RUNNING = text("status = 'running'")


class HarvestJob(SQLModel, table=True):
    """One run over one source: queued → running → finished | failed. At most one runs per source."""

    __table_args__ = (
        Index("uq_harvestjob_running_source", "source_id", unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="harvestsource.id", index=True)
    status: str = Field(default="running", max_length=20)
    counts: dict[str, int] = _json(dict)
    error: str | None = Field(default=None, sa_type=Text)
    started: datetime = _timestamp(default_factory=utcnow)
    finished: datetime | None = _timestamp(default=None, nullable=True)
    heartbeat: datetime | None = _timestamp(default=None, nullable=True)
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
    errors: list[dict[str, str]] = _json(list)
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


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
