"""The catalogue: reference tables, OPDs and their people, datasets."""

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationInfo, field_validator
from sqlalchemy import Text
from sqlmodel import Field, Relationship, SQLModel

from catalog import input_limits
from catalog.models.base import UpdateFrequency, json_field, timestamp_field, utcnow
from catalog.roles import Role

if TYPE_CHECKING:
    from catalog.models.releases import Release

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
    created: datetime = timestamp_field(default_factory=utcnow)
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
    created: datetime = timestamp_field(default_factory=utcnow)
    failed_logins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # since the last success
    locked_until: datetime | None = timestamp_field(default=None, nullable=True)
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
    created: datetime = timestamp_field(default_factory=utcnow)
    last_used: datetime | None = timestamp_field(default=None, nullable=True)
    expires: datetime | None = timestamp_field(default=None, nullable=True)  # None: until revoked
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
    spatial_coverage: list[str] = json_field(list)
    contact_name: str | None = None
    contact_email: str | None = None
    is_priority: bool = False
    extras: dict[str, str] = json_field(dict)

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
    created: datetime = timestamp_field(default_factory=utcnow)
    modified: datetime = timestamp_field(default_factory=utcnow)
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
