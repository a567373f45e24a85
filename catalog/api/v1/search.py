"""Full-text search over published datasets, with facets."""

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from catalog import permissions
from catalog.api.deps import PageNumber
from catalog.services import public_cache
from catalog.services.search_index import search_backend
from search.base import SearchResult

router = APIRouter(prefix="/search", tags=["search"], dependencies=[permissions.route_rule(permissions.PUBLIC)])

FACETS = (
    "organization",
    "theme",
    "tag",
    "format",
    "license",
    "frequency",
    "year",
    "kecamatan",
    "is_priority",
    "validation_status",
)


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


@router.get("", response_model=SearchResult)
@public_cache.shared
def search(
    q: str = "",
    organization: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    tag: Annotated[list[str] | None, Query()] = None,
    format: Annotated[list[str] | None, Query()] = None,
    license: Annotated[list[str] | None, Query()] = None,
    frequency: Annotated[list[str] | None, Query()] = None,
    year: Annotated[list[str] | None, Query()] = None,
    kecamatan: Annotated[list[str] | None, Query()] = None,
    is_priority: bool | None = None,
    validation_status: Annotated[list[str] | None, Query()] = None,
    sort: Literal["relevance", "newest", "title", "downloads"] = "relevance",
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Search published datasets: hits with highlights, facet counts and the total."""
    given = {
        "organization": organization,
        "theme": theme,
        "tag": tag,
        "format": format,
        "license": license,
        "frequency": frequency,
        "year": year,
        "kecamatan": kecamatan,
        "validation_status": validation_status,
    }
    filters: dict[str, Any] = {name: values for name, values in given.items() if values}
    if is_priority is not None:
        filters["is_priority"] = is_priority
    result = search_backend().query(q, filters=filters, sort=sort, page=page, per_page=per_page)
    return dict(_plain(result))


@router.get("/suggest", response_model=list[dict[str, str]])
@public_cache.shared
def suggest(q: Annotated[str, Query(max_length=100)] = "", limit: Annotated[int, Query(ge=1, le=20)] = 8) -> Any:
    """Type-ahead suggestions: titles, OPD names and tags starting with what was typed."""
    return [_plain(s) for s in search_backend().suggest(q, limit=limit)]
