"""Atom feeds of new and updated releases: the whole catalogue, and per OPD."""

from fastapi import APIRouter, Response

from catalog import permissions
from catalog.api.deps import SessionDep
from catalog.interop import feeds, listings
from catalog.interop.published import public_base

router = APIRouter(tags=["dcat"], dependencies=[permissions.route_rule(permissions.PUBLIC)])
ATOM_TYPE = "application/atom+xml"


@router.get("/feeds/releases.atom", response_class=Response)
def releases_feed(session: SessionDep) -> Response:
    """The newest published releases of the whole catalogue (Atom)."""
    body = feeds.feed(
        feeds.published_releases(session, organization_id=None),
        title="Terbuka — rilis data terbaru Kota Pontianak",
        self_url=f"{public_base()}/feeds/releases.atom",
        organization=None,
    )
    return Response(body, media_type=ATOM_TYPE)


@router.get("/feeds/opd/{slug}.atom", response_class=Response)
def organization_feed(slug: str, session: SessionDep) -> Response:
    """The newest published releases of one OPD (Atom)."""
    organization = listings.organization(session, slug)
    body = feeds.feed(
        feeds.published_releases(session, organization_id=organization.id),
        title=f"{organization.name} — rilis data terbaru",
        self_url=f"{public_base()}/feeds/opd/{organization.slug}.atom",
        organization=organization,
    )
    return Response(body, media_type=ATOM_TYPE)
