"""The datastore's JSON answers, as /openapi.json describes them."""

from typing import Any

from pydantic import BaseModel, Field


class TableInfo(BaseModel):
    resource_id: str
    release_id: int
    dataset: str = Field(description="the dataset's slug")
    release: int = Field(description="the release number")
    name: str = Field(description="the resource's file name")
    alias: str = Field(description="the readable name SQL may use")
    names: list[str] = Field(description="every name SQL may use for this table")
    rows: int
    current: bool = Field(description="the table of the dataset's newest published release")


class FieldInfo(BaseModel):
    name: str
    type: str = Field(description="the Table Schema type")
    format: str = "default"
    sql_type: str
    title: str = ""
    description: str = ""


class TableAnswer(BaseModel):
    resource_id: str
    table: TableInfo
    fields: list[FieldInfo]
    total: int = Field(description="rows matching, before limit and offset")
    limit: int | None
    offset: int
    original_url: str = Field(description="the original file, as published")
    records: list[dict[str, Any]] | None = Field(None, description="shape=records: one object per row")
    columns: dict[str, list[Any]] | None = Field(None, description="shape=columns: one list per field")


class TableList(BaseModel):
    tables: list[TableInfo]
    total: int


class SqlField(BaseModel):
    name: str
    type: str
    sql_type: str


class SqlAnswer(BaseModel):
    fields: list[SqlField]
    records: list[dict[str, Any]]
    rows: int
    truncated: bool = Field(description="more rows matched than the row cap allows")
    tables: list[TableInfo] = Field(description="the tables the query read")


# The other formats a table query answers in (format=csv|xlsx|parquet).
FILE_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or the rows as a file with format=csv, xlsx or parquet",
        "content": {
            "text/csv": {},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            "application/vnd.apache.parquet": {},
        },
    }
}
