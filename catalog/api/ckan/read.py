"""CKAN's read actions over the published catalogue (registered on import by ``catalog.api.ckan.actions``)."""

from typing import Any

from catalog import permissions
from catalog.api.ckan.actions import ACTIONS, Call, action
from catalog.api.ckan.params import ParameterError
from catalog.errors import NotFound
from catalog.interop import ckan_dicts, ckan_search, ckan_write, listings, published
from catalog.interop.published import public_base
from catalog.models import Organization, Theme

LIST_MAX = 1000
FULL_LIST_MAX = 1000


@action("package_search")
def package_search(call: Call) -> dict[str, Any]:
    """Search published datasets: q (Terbuka's search), fq (field:value, ranges), facet.field, facet.limit,
    rows (≤ 1000), start, sort, fl."""
    p = call.params
    fq = " ".join([p.text("fq"), *p.strings("fq_list")])
    facet_fields = p.strings("facet.field") if p.flag("facet", True) else []
    found = ckan_search.search(
        call.session,
        q=p.text("q"),
        fq=fq,
        sort=p.text("sort") or None,
        rows=p.integer("rows", 10, maximum=ckan_search.ROWS_MAX),
        start=p.integer("start", 0),
        facet_fields=facet_fields,
        facet_limit=p.integer("facet.limit", 50, minimum=-1),
    )
    licenses = published.licenses(call.session)
    results = [ckan_dicts.package_dict(record, licenses) for record in found.records]
    fields = p.strings("fl")
    if fields and fields != ["*"]:
        results = [{name: result.get(name) for name in fields} for result in results]
    titles = _facet_titles(call, facet_fields)
    return {
        "count": found.count,
        "sort": p.text("sort") or "score desc, metadata_modified desc",
        "results": results,
        "facets": found.facets,
        "search_facets": {
            name: {
                "title": name,
                "items": [
                    {"name": value, "display_name": titles.get(name, {}).get(value, value), "count": count}
                    for value, count in counts.items()
                ],
            }
            for name, counts in found.facets.items()
        },
    }


def _facet_titles(call: Call, facet_fields: list[str]) -> dict[str, dict[str, str]]:
    titles: dict[str, dict[str, str]] = {}
    if "organization" in facet_fields:
        titles["organization"] = {o.slug: o.name for o in listings.organizations(call.session)}
    if "groups" in facet_fields:
        titles["groups"] = {t.slug: t.name for t in listings.themes(call.session)}
    return titles


@action("package_show")
def package_show(call: Call) -> dict[str, Any]:
    """A published dataset by id or name, in CKAN's dataset shape with the Satu Data extras; one never
    published is shown (state "draft") only to those who may see its drafts."""
    key = call.params.required("id", "name_or_id", "name")
    try:
        record = published.find(call.session, key)
        return ckan_dicts.package_dict(record, published.license_of(call.session, record))
    except NotFound:
        dataset = ckan_write.find_dataset(call.session, key)
        if dataset is None or not permissions.may_see_unpublished(call.user, dataset):
            raise
    record, state = ckan_write.staff_view(call.session, dataset)
    return {**ckan_dicts.package_dict(record, published.licenses(call.session)), "state": state}


@action("package_list")
def package_list(call: Call) -> list[str]:
    """Names of all published datasets (limit, offset)."""
    p = call.params
    limit = p.integer("limit", -1, minimum=-1)
    return listings.package_names(call.session, limit=None if limit < 0 else limit, offset=p.integer("offset", 0))


@action("current_package_list_with_resources")
def current_package_list_with_resources(call: Call) -> list[dict[str, Any]]:
    """Published datasets with their resources, most recently modified first (limit ≤ 1000, offset)."""
    p = call.params
    limit = p.integer("limit", FULL_LIST_MAX, maximum=FULL_LIST_MAX)
    records = listings.recently_modified(call.session, limit=limit, offset=p.integer("offset", 0))
    licenses = published.licenses(call.session)
    return [ckan_dicts.package_dict(record, licenses) for record in records]


def _listed(call: Call, items: list[Any], counts: dict[int, int], build: Any) -> list[Any]:
    p = call.params
    sort = " ".join(p.text("sort", "name asc").lower().split())
    key_of = {
        "name": lambda item: item.slug,
        "title": lambda item: item.name.lower(),
        "package_count": lambda item: counts.get(item.id, 0),
    }
    name, _, direction = sort.partition(" ")
    if name not in key_of or direction not in ("", "asc", "desc"):
        raise ParameterError("sort", "Sort by name, title or package_count, asc or desc")
    wanted = {w.strip() for w in p.strings("organizations") + p.strings("groups")}
    chosen = [item for item in items if not wanted or item.slug in wanted]
    chosen.sort(key=key_of[name], reverse=direction == "desc")
    offset, limit = p.integer("offset", 0), p.integer("limit", LIST_MAX, maximum=LIST_MAX)
    chosen = chosen[offset : offset + limit]
    if not p.flag("all_fields"):
        return [item.slug for item in chosen]
    return [build(item, package_count=counts.get(item.id, 0)) for item in chosen]


@action("organization_list")
def organization_list(call: Call) -> list[Any]:
    """OPDs: names, or whole dicts with all_fields (sort, limit, offset); package_count counts published data."""
    counts = listings.organization_counts(call.session)
    return _listed(call, listings.organizations(call.session), counts, ckan_dicts.organization_dict)


@action("group_list")
def group_list(call: Call) -> list[Any]:
    """Themes as CKAN groups: names, or whole dicts with all_fields (sort, limit, offset)."""
    counts = listings.theme_counts(call.session)
    return _listed(call, listings.themes(call.session), counts, ckan_dicts.group_dict)


def _with_packages(call: Call, found: dict[str, Any], records: list[published.Published]) -> dict[str, Any]:
    if call.params.flag("include_datasets"):
        licenses = published.licenses(call.session)
        found["packages"] = [ckan_dicts.package_dict(record, licenses) for record in records]
    found.setdefault("users", [])
    found.setdefault("groups", [])
    found.setdefault("tags", [])
    return found


@action("organization_show")
def organization_show(call: Call) -> dict[str, Any]:
    """One OPD by id or name; include_datasets adds its published datasets (up to 1000)."""
    organization: Organization = listings.organization(call.session, call.params.required("id"))
    assert organization.id is not None
    count = listings.organization_counts(call.session).get(organization.id, 0)
    records = listings.datasets_of_organization(call.session, organization.id, LIST_MAX)
    return _with_packages(call, ckan_dicts.organization_dict(organization, package_count=count), records)


@action("group_show")
def group_show(call: Call) -> dict[str, Any]:
    """One theme by id or name; include_datasets adds its published datasets (up to 1000)."""
    theme: Theme = listings.theme(call.session, call.params.required("id"))
    assert theme.id is not None
    count = listings.theme_counts(call.session).get(theme.id, 0)
    records = listings.datasets_of_theme(call.session, theme.id, LIST_MAX)
    return _with_packages(call, ckan_dicts.group_dict(theme, package_count=count), records)


@action("tag_list")
def tag_list(call: Call) -> list[Any]:
    """Tags of published datasets (query: a prefix; all_fields for dicts)."""
    names = listings.tag_names(call.session, prefix=call.params.text("query"))
    if call.params.flag("all_fields"):
        return [{"id": name, "name": name, "display_name": name, "vocabulary_id": None} for name in names]
    return names


@action("resource_show")
def resource_show(call: Call) -> dict[str, Any]:
    """One resource of a published release by id."""
    release, resource = listings.public_resource(call.session, call.params.required("id"))
    return ckan_dicts.resource_dict(release.dataset_id, release, resource)


@action("license_list")
def license_list(call: Call) -> list[dict[str, Any]]:
    """The licenses datasets may carry."""
    return [ckan_dicts.license_dict(license_) for license_ in published.licenses(call.session).values()]


@action("status_show")
def status_show(call: Call) -> dict[str, Any]:
    """What this site is and which CKAN API it speaks."""
    return {
        "site_title": "Terbuka — Satu Data Kota Pontianak",
        "site_description": "Open-data catalogue of Kota Pontianak (Satu Data Indonesia)",
        "site_url": public_base(),
        "ckan_version": "2.10.0",
        "error_emails_to": None,
        "locale_default": "id",
        "extensions": ["terbuka"],
    }


@action("site_read")
def site_read(call: Call) -> bool:
    """Whether the site may be read: always."""
    return True


@action("help_show")
def help_show(call: Call) -> str:
    """The documentation of an action (name)."""
    name = call.params.required("name")
    found = ACTIONS.get(name)
    if found is None:
        raise ParameterError("name", f"Action name not known: {name}")
    return " ".join((found.function.__doc__ or "").split())
