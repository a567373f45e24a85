"""What the dataset and release pages show, gathered from the same services the API calls."""

from typing import Any

from sqlmodel import Session

from catalog.interop import published, schemaorg
from catalog.models import Dataset, License, Release
from catalog.services import datasets, quality, releases
from catalog.services.validation import release_validation
from catalog.settings import get_settings
from catalog.web import chart, figures, labels
from catalog.web.diff import diff_releases
from catalog.web.i18n import _
from catalog.web.markdown import plain_text, script_json
from catalog.web.preview import previewable
from catalog.web.table_view import table_view


def download_path(release: Release, resource_id: int | None) -> str:
    return f"/api/v1/releases/{release.id}/resources/{resource_id}/download"


def export_links(resource_id: int) -> list[tuple[str, str]]:
    """The datastore's exports of a loaded table: CSV and XLSX safe for spreadsheets, JSON records."""
    base = f"/api/v1/datastore/{resource_id}"
    return [
        ("CSV", f"{base}?format=csv"),
        ("JSON", f"{base}?format=json&download=true"),
        ("XLSX", f"{base}?format=xlsx"),
    ]


def snippets(dataset: Dataset, release: Release | None) -> dict[str, str]:
    """How to use this dataset through the API: curl, ckanapi and httpx."""
    base = get_settings().base_url.rstrip("/")
    file = previewable(release) or (release.resources[0] if release and release.resources else None)
    download = f"{base}{download_path(release, file.id)}" if release and file else None
    curl = f'curl "{base}/api/v1/datasets/{dataset.slug}"'
    httpx = f'import httpx\n\ndataset = httpx.get("{base}/api/v1/datasets/{dataset.slug}").json()'
    if download and file:
        curl += f'\ncurl -L -o "{file.name}" "{download}"'
        httpx += f'\ndata = httpx.get("{download}", follow_redirects=True).content'
    ckan = (
        "from ckanapi import RemoteCKAN\n\n"
        f'portal = RemoteCKAN("{base}")\n'
        f'dataset = portal.action.package_show(id="{dataset.slug}")\n'
        'for resource in dataset["resources"]:\n'
        '    print(resource["name"], resource["url"])'
    )
    return {"curl": curl, "ckanapi": ckan, "httpx": httpx}


def citation(dataset: Dataset, release: Release | None) -> str:
    base = get_settings().base_url.rstrip("/")
    year = release.published_at.year if release and release.published_at else dataset.created.year
    number = _(", release %(n)s", n=release.number) if release else ""
    return (
        f"{dataset.organization.name} Kota Pontianak ({year}). {dataset.title}{number} [Dataset]. "
        f"Terbuka — Satu Data Kota Pontianak. {base}/dataset/{dataset.slug}"
    )


def structured_data(session: Session, dataset: Dataset) -> str | None:
    """The schema.org Dataset JSON-LD of ``/dataset/{slug}.schema.json``, ready to embed in the page."""
    records = published.load(session, [dataset.id or 0])
    licenses = {dataset.license_id: license_} if (license_ := session.get(License, dataset.license_id)) else {}
    return script_json(schemaorg.dataset_jsonld(records[0], licenses)) if records else None


def dataset_context(
    session: Session,
    dataset: Dataset,
    *,
    sort: str | None,
    descending: bool,
    page: int,
    chart_column: str | None,
) -> dict[str, Any]:
    current = datasets.current_release(session, dataset)
    history = releases.list_releases(session, dataset_slug=dataset.slug, actor=None)
    license_ = session.get(License, dataset.license_id)
    view = table_view(session, current, sort=sort, descending=descending, page=page, chart_column=chart_column)
    return {
        "dataset": dataset,
        "summary": plain_text(dataset.description) or dataset.title,
        "current": current,
        "history": history,
        "license": license_,
        "license_explanation": labels.license_explanation(dataset.license_id),
        "frequency": labels.frequency_names().get(dataset.update_frequency.value, dataset.update_frequency.value),
        "next_due": figures.next_update_due(dataset, current),
        "quality": quality.quality_score(session, dataset=dataset),
        "criteria": labels.criterion_names(),
        "validation": release_validation(current) if current else None,
        "preview": view.preview,
        "descending": descending,
        "chart": view.chart,
        "drawing": chart.draw(view.chart) if view.chart and view.chart.points else None,
        "downloads": {r.id: download_path(current, r.id) for r in current.resources} if current else {},
        "exports": {resource_id: export_links(resource_id) for resource_id in view.tables},
        "snippets": snippets(dataset, current),
        "citation": citation(dataset, current),
        "jsonld": structured_data(session, dataset),
    }


def release_context(release: Release, history: list[Release]) -> dict[str, Any]:
    """A release and the change since the release published before it."""
    older = [r for r in history if r.number < release.number]
    previous = max(older, key=lambda r: r.number) if older else None
    return {
        "dataset": release.dataset,
        "release": release,
        "previous": previous,
        "diff": diff_releases(release, previous),
        "validation": release_validation(release),
        "downloads": {r.id: download_path(release, r.id) for r in release.resources},
    }
