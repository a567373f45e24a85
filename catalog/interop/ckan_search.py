"""CKAN's package_search over Terbuka: ``q`` through Terbuka's search, ``fq`` in the Solr syntax CKAN clients send.

A query whose filters and sort the search index knows (organization, tags, groups, res_format, license_id and
Terbuka's own facets; relevance, newest, title, downloads) is answered by the index, facets included. Anything
else (id, name, metadata_modified ranges, sorting by name or id — what harvesters send) is answered by the
catalogue database, with the index only narrowing the ids when ``q`` holds words.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, not_
from sqlmodel import Session, col, func, select

from catalog.errors import Conflict
from catalog.interop.published import Published, load, published_query
from catalog.models import Dataset, DatasetTag, DatasetTheme, Organization, Release, Resource, Tag, Theme
from catalog.services.datasets import current_release_numbers
from catalog.services.search_index import search_backend
from search import SearchError
from search.base import Sort

ROWS_MAX = 1000
# CKAN field → the search index's filter and facet name.
INDEXED = {
    "organization": "organization",
    "tags": "tag",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
    "frequency": "frequency",
    "year": "year",
    "kecamatan": "kecamatan",
    "is_priority": "is_priority",
    "validation_status": "validation_status",
}
DATABASE_ONLY = {"id", "name", "metadata_modified", "metadata_created"}
ALWAYS_TRUE = {
    "dataset_type": "dataset",
    "type": "dataset",
    "state": "active",
    "capacity": "public",
    "private": "false",
}
KNOWN = set(INDEXED) | DATABASE_ONLY | set(ALWAYS_TRUE)
INDEX_SORTS: dict[str, Sort] = {
    "score desc": "relevance",
    "score desc, metadata_modified desc": "relevance",
    "metadata_modified desc": "newest",
    "title_string asc": "title",
    "views_recent desc": "downloads",
    "views_total desc": "downloads",
}
DATABASE_SORTS: dict[str, Any] = {
    "id": col(Dataset.id),
    "name": col(Dataset.slug),
    "title_string": col(Dataset.title),
    "metadata_modified": col(Dataset.modified),
    "metadata_created": col(Dataset.created),
}
CLAUSE = re.compile(r'([+-]?)([A-Za-z_.]+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|[^\s"()\[\]]+)')


class SearchQueryError(Conflict):
    """A query CKAN would refuse: answered as CKAN's "Search Query Error"."""


@dataclass
class Clause:
    field: str
    values: list[str]
    negated: bool = False
    low: str | None = None
    high: str | None = None


@dataclass
class Query:
    text: str = ""
    clauses: list[Clause] = field(default_factory=list)

    @property
    def indexed_only(self) -> bool:
        return all(c.field in INDEXED and not c.negated and c.low is None and c.high is None for c in self.clauses)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_clauses(text: str, *, strict: bool) -> tuple[list[Clause], str]:
    """The ``field:value`` clauses of a Solr query and the rest; ``strict`` refuses a rest and unknown fields."""
    clauses: list[Clause] = []
    for sign, name, raw in CLAUSE.findall(text):
        if name in KNOWN:
            clauses.append(_clause(sign, name, raw))
        elif strict:
            raise SearchQueryError(f"cannot filter on {name!r}: known fields are {', '.join(sorted(KNOWN))}")
    rest = CLAUSE.sub(lambda m: "" if m.group(2) in KNOWN else m.group(0), text)
    rest = " ".join(word for word in rest.split() if word.upper() not in ("AND", "+"))
    if strict and rest and rest != "*:*":
        raise SearchQueryError(f"fq must be field:value clauses; cannot read {rest!r}")
    return [c for c in clauses if c.field not in ALWAYS_TRUE or _check_constant(c)], rest


def _check_constant(clause: Clause) -> bool:
    if clause.values != [ALWAYS_TRUE[clause.field]] or clause.negated:
        raise SearchQueryError(
            f"only published, public datasets are searchable: {clause.field} is always {ALWAYS_TRUE[clause.field]}"
        )
    return False


def _clause(sign: str, name: str, raw: str) -> Clause:
    negated = sign == "-"
    if raw[0] in "[{":
        low, _, high = raw[1:-1].partition(" TO ")
        if not _:
            raise SearchQueryError(f"a range is [FROM TO UNTIL], not {raw}")
        return Clause(
            name,
            [],
            negated,
            None if low.strip() == "*" else low.strip(),
            None if high.strip() == "*" else high.strip(),
        )
    if raw[0] == "(":
        values = [_unquote(v) for v in re.findall(r'"(?:[^"\\]|\\.)*"|[^\s()]+', raw[1:-1]) if v.upper() != "OR"]
        return Clause(name, values, negated)
    return Clause(name, [_unquote(raw)], negated)


def parse_query(q: str, fq: str) -> Query:
    """``q`` may hold field clauses too (``q=organization:dinkes``), as CKAN's does."""
    in_q, text = parse_clauses(q, strict=False)
    in_fq, _ = parse_clauses(fq, strict=True)
    return Query(text="" if text.strip() in ("*:*", "*") else text.strip(), clauses=in_q + in_fq)


@dataclass
class Found:
    count: int
    records: list[Published]
    facets: dict[str, dict[str, int]]


def search(
    session: Session,
    *,
    q: str,
    fq: str,
    sort: str | None,
    rows: int,
    start: int,
    facet_fields: list[str],
    facet_limit: int,
) -> Found:
    query = parse_query(q, fq)
    unknown = [name for name in facet_fields if name not in INDEXED]
    if unknown:
        raise SearchQueryError(f"cannot facet on {', '.join(unknown)}: known fields are {', '.join(INDEXED)}")
    wanted_sort = " ".join((sort or "").lower().split()) or ("score desc" if query.text else "metadata_modified desc")
    index_sort = INDEX_SORTS.get(wanted_sort)
    if query.indexed_only and index_sort is not None:
        found = _from_index(session, query, index_sort, rows, start)
    else:
        found = _from_database(session, query, wanted_sort, rows, start, facet_fields)
    found.facets = {name: _top(found.facets.get(INDEXED[name], {}), facet_limit) for name in facet_fields}
    return found


def _top(counts: dict[str, int], limit: int) -> dict[str, int]:
    """The most frequent values first, as Solr orders facets; a negative limit keeps them all."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ranked if limit < 0 else ranked[:limit])


def _index_filters(query: Query) -> dict[str, Any]:
    filters: dict[str, list[str]] = {}
    for clause in query.clauses:
        if clause.field in INDEXED:
            values = [v.upper() if clause.field == "res_format" else v for v in clause.values]
            name = INDEXED[clause.field]
            # Two clauses on one field must both hold; the index takes one list of alternatives per field.
            filters[name] = [v for v in filters[name] if v in values] if name in filters else values
    return {name: values[0] if name == "is_priority" and values else values for name, values in filters.items()}


def _from_index(session: Session, query: Query, sort: Sort, rows: int, start: int) -> Found:
    backend = search_backend()
    filters = _index_filters(query)
    if any(values == [] for values in filters.values()):
        return Found(0, [], {})
    try:
        if rows == 0:
            result = backend.query(query.text, filters=filters, sort=sort, page=1, per_page=1)
            return Found(result.total, [], result.facets)
        first = start // rows + 1
        result = backend.query(query.text, filters=filters, sort=sort, page=first, per_page=rows)
        ids = [int(hit.id) for hit in result.hits]
        if start % rows and ids:
            more = backend.query(query.text, filters=filters, sort=sort, page=first + 1, per_page=rows)
            ids = (ids + [int(hit.id) for hit in more.hits])[start % rows : start % rows + rows]
    except SearchError as exc:
        raise SearchQueryError(str(exc)) from exc
    return Found(result.total, load(session, ids), result.facets)


def _matching_ids(query: Query) -> list[int]:
    """Every dataset the words of ``q`` find, for a query the database finishes."""
    backend, ids, page = search_backend(), [], 1
    filters = {
        k: v
        for k, v in _index_filters(
            Query(clauses=[c for c in query.clauses if not c.negated and c.low is None and c.high is None])
        ).items()
    }
    while True:
        result = backend.query(query.text, filters=filters, sort="newest", page=page, per_page=ROWS_MAX)
        ids += [int(hit.id) for hit in result.hits]
        if len(result.hits) < ROWS_MAX:
            return ids
        page += 1


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchQueryError(f"not a date: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _condition(clause: Clause) -> Any:
    values = clause.values
    if clause.field in ("metadata_modified", "metadata_created"):
        column = Dataset.modified if clause.field == "metadata_modified" else Dataset.created
        bounds = []
        if clause.low:
            bounds.append(col(column) >= _timestamp(clause.low))
        if clause.high:
            bounds.append(col(column) <= _timestamp(clause.high))
        if values:
            raise SearchQueryError(f"{clause.field} takes a range: {clause.field}:[FROM TO UNTIL]")
        condition: Any = and_(*bounds) if bounds else col(Dataset.id).is_not(None)
    elif clause.low is not None or clause.high is not None:
        raise SearchQueryError(f"{clause.field} takes values, not a range")
    elif clause.field == "id":
        condition = col(Dataset.id).in_([int(v) for v in values if v.isdigit() and len(v) < 10])
    elif clause.field == "name":
        condition = col(Dataset.slug).in_(values)
    elif clause.field == "organization":
        condition = col(Dataset.organization_id).in_(select(Organization.id).where(col(Organization.slug).in_(values)))
    elif clause.field == "tags":
        condition = col(Dataset.id).in_(select(DatasetTag.dataset_id).join(Tag).where(col(Tag.name).in_(values)))
    elif clause.field == "groups":
        condition = col(Dataset.id).in_(select(DatasetTheme.dataset_id).join(Theme).where(col(Theme.slug).in_(values)))
    elif clause.field == "license_id":
        condition = col(Dataset.license_id).in_(values)
    elif clause.field == "res_format":
        current = current_release_numbers()
        condition = col(Dataset.id).in_(
            select(Release.dataset_id)
            .join(Resource)
            .join(current, and_(current.c.dataset_id == Release.dataset_id, current.c.number == Release.number))
            .where(func.upper(Resource.format).in_([v.upper() for v in values]))
        )
    else:
        raise SearchQueryError(f"{clause.field} can be filtered together with text search and relevance sorts only")
    return not_(condition) if clause.negated else condition


def _order(sort: str) -> list[Any]:
    order = []
    for part in sort.split(","):
        name, _, direction = part.strip().partition(" ")
        if name == "score":
            continue
        column = DATABASE_SORTS.get(name)
        if column is None or direction not in ("asc", "desc", ""):
            raise SearchQueryError(f"cannot sort by {part.strip()!r}: sort by {', '.join(DATABASE_SORTS)} asc|desc")
        order.append(column.desc() if direction == "desc" else column.asc())
    return [*order, col(Dataset.id).asc()]


def _from_database(session: Session, query: Query, sort: str, rows: int, start: int, facet_fields: list[str]) -> Found:
    ids_query = published_query().where(*[_condition(c) for c in query.clauses])
    if query.text:
        ids_query = ids_query.where(col(Dataset.id).in_(_matching_ids(query)))
    matching = ids_query.subquery()
    total = session.exec(select(func.count()).select_from(matching)).one()
    page = session.exec(
        select(Dataset.id)
        .where(col(Dataset.id).in_(select(matching.c.id)))
        .order_by(*_order(sort))
        .offset(start)
        .limit(rows)
    ).all()
    facets = {INDEXED[name]: _database_facet(session, name, select(matching.c.id)) for name in facet_fields}
    return Found(int(total), load(session, [i for i in page if i is not None]), facets)


def _database_facet(session: Session, name: str, ids: Any) -> dict[str, int]:
    if name == "organization":
        query = (
            select(Organization.slug, func.count())
            .join(Dataset)
            .where(col(Dataset.id).in_(ids))
            .group_by(col(Organization.slug))
        )
    elif name == "tags":
        query = (
            select(Tag.name, func.count())
            .join(DatasetTag)
            .where(col(DatasetTag.dataset_id).in_(ids))
            .group_by(col(Tag.name))
        )
    elif name == "groups":
        query = (
            select(Theme.slug, func.count())
            .join(DatasetTheme)
            .where(col(DatasetTheme.dataset_id).in_(ids))
            .group_by(col(Theme.slug))
        )
    elif name == "license_id":
        query = (
            select(Dataset.license_id, func.count()).where(col(Dataset.id).in_(ids)).group_by(col(Dataset.license_id))
        )
    elif name == "res_format":
        current = current_release_numbers()
        query = (
            select(Resource.format, func.count(func.distinct(Release.dataset_id)))
            .join(Release)
            .join(current, and_(current.c.dataset_id == Release.dataset_id, current.c.number == Release.number))
            .where(col(Release.dataset_id).in_(ids), Resource.format != "")
            .group_by(col(Resource.format))
        )
    else:
        raise SearchQueryError(f"facet {name} is counted for queries the search index answers only")
    return {str(value): int(count) for value, count in session.exec(query).all()}
