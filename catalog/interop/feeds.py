"""Atom feeds (RFC 4287) of published releases, newest first: the whole catalogue, or one OPD."""

from datetime import UTC, datetime
from xml.etree import ElementTree

from sqlmodel import Session, col, select

from catalog.interop.published import dataset_page, public_base
from catalog.models import Dataset, Organization, Release, ReleaseState

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50


def published_releases(session: Session, *, organization_id: int | None, limit: int = ENTRIES) -> list[Release]:
    query = select(Release).join(Dataset).where(Release.state == ReleaseState.published)
    if organization_id is not None:
        query = query.where(Dataset.organization_id == organization_id)
    return list(
        session.exec(query.order_by(col(Release.published_at).desc(), col(Release.id).desc()).limit(limit)).all()
    )


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def stamp(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def feed(releases: list[Release], *, title: str, self_url: str, organization: Organization | None) -> bytes:
    ElementTree.register_namespace("", ATOM)
    root = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "id"})
    _add(root, "id", self_url)
    _add(root, "title", title)
    _add(root, "updated", stamp(releases[0].published_at if releases else None))
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", href=f"{public_base()}/" + (f"opd/{organization.slug}" if organization else ""))
    author = _add(root, "author")
    _add(author, "name", organization.name if organization else "Pemerintah Kota Pontianak")
    for release in releases:
        dataset = release.dataset
        entry = _add(root, "entry")
        _add(entry, "id", f"{dataset_page(dataset.slug)}/rilis/{release.number}")
        kind = "Dataset baru" if release.number == 1 else f"Pembaruan (rilis {release.number})"
        _add(entry, "title", f"{dataset.title} — {kind}")
        _add(entry, "updated", stamp(release.published_at))
        _add(entry, "published", stamp(release.published_at))
        _add(entry, "link", rel="alternate", type="text/html", href=dataset_page(dataset.slug))
        _add(
            entry, "link", rel="related", type="application/json", href=f"{public_base()}/api/v1/releases/{release.id}"
        )
        entry_author = _add(entry, "author")
        _add(entry_author, "name", dataset.organization.name)
        for tag in sorted(t.name for t in dataset.tags):
            _add(entry, "category", term=tag)
        summary = release.notes or dataset.description or dataset.title
        _add(entry, "summary", summary, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="utf-8", xml_declaration=False
    )
