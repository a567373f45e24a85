"""The catalogue the access matrix runs against, the callers of every role, and the releases made on demand.

OPD A (Disdukcapil) has a dataset with a published release (loaded into the datastore, indexed) and a
draft, a dataset that was never published, a dataset whose releases wait in each workflow state, and a
Data Prioritas dataset waiting for the pembina. OPD B (Dinkes) has a producer and nothing else.
"""

import io
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import Session, select

from catalog import db
from catalog.datastore.ingest import ingest_pending
from catalog.models import ApiToken, DatasetCreate, OrganizationCreate, Release, Role, User, utcnow
from catalog.services import releases, search_index
from catalog.services.datasets import create_dataset
from catalog.services.files import IncomingFile
from catalog.services.organizations import create_organization
from catalog.services.reference import ensure_reference_data
from catalog.services.users import create_token, create_user, revoke_token
from catalog.web import auth
from catalog.workflow import Action
from harvesters.portal import PortalSettings
from harvesters.sources import add_source, queue_run
from tests.web.conftest import PASSWORD, Site
from tests.web.test_staff_pages import signed_in

OPD_A, OPD_B = "disdukcapil", "dinkes"
PUBLISHED_DATASET = "penduduk-a"  # release 1 published, release 2 a draft
UNPUBLISHED_DATASET = "rancangan-a"  # release 1 a draft, never published
WORKFLOW_DATASET = "alur-a"  # releases made on demand, in any state
PRIORITY_DATASET = "prioritas-a"  # Data Prioritas: submitted releases wait for the pembina
CSV = b"kode_kecamatan,kecamatan,jumlah\n61.71.01,Pontianak Selatan,91312\n61.71.02,Pontianak Timur,100195\n"
NOTE = "catatan uji matriks akses"
TRANSPORT = httpx.HTTPTransport()  # made once: each transport loads the system's certificates

# The roles of the matrix, in the order of its columns.
ROLES = (
    "anon",  # no credentials at all
    "opd_a",  # produsen of OPD A (token for the APIs, signed-in session for the portal)
    "opd_b",  # produsen of OPD B
    "walidata",  # the reviewer who publishes
    "pembina",  # the reviewer of Data Prioritas
    "admin",
    "revoked",  # OPD A's producer's revoked token
    "expired",  # OPD A's producer's expired token
    "read_only",  # OPD A's producer's read-only token
    "stale_session",  # OPD A's producer's portal session, correctly signed but 13 hours old
    "cookie_only",  # the admin's valid portal session sent to the APIs, with no token
)


@dataclass
class Caller:
    """What a role sends: a token in the Authorization header, cookies (session and CSRF)."""

    token: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def client(self, url: str) -> httpx.Client:
        """A client of its own (cookies a response sets stay in it), over the one transport of the run."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(base_url=url, timeout=30, headers=headers, cookies=self.cookies, transport=TRANSPORT)


@dataclass
class World:
    url: str
    data_dir: Path
    callers: dict[str, Caller]
    users: dict[str, User]
    ids: dict[str, int]  # named objects of the catalogue: releases, resources, a harvest source and job
    counter: int = 0

    def unique(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    def release(self, state: str, dataset: str = WORKFLOW_DATASET) -> int:
        """A new release of OPD A, created and moved by the people whose job it is, in the given state."""
        with Session(db.get_engine(), expire_on_commit=False) as session:
            producer, walidata = session.get(User, self.users["opd_a"].id), session.get(User, self.users["walidata"].id)
            release = releases.create_release(
                session, dataset_slug=dataset, actor=producer, files=[IncomingFile("data.csv", io.BytesIO(CSV))]
            )
            session.commit()
            assert release.id is not None
            moves = {
                "draft": [],
                "submitted": [(Action.submit, producer)],
                "returned": [(Action.submit, producer), (Action.return_, walidata)],
                "published": [(Action.submit, producer), (Action.approve, walidata)],
            }[state]
            for action, actor in moves:
                releases.transition(session, release_id=release.id, action=action, actor=actor, note=NOTE)
                session.commit()
            return release.id

    def portal_source(self) -> int:
        """A new harvest source of OPD A that covers a whole CKAN portal."""
        with Session(db.get_engine()) as session:
            source = add_source(
                session,
                organization=OPD_A,
                type="ckan",
                url=f"https://{self.unique('portal')}.example.go.id/",
                portal=PortalSettings(),
            )
            session.commit()
            return source.id or 0

    def resource_of(self, release_id: int) -> int:
        with Session(db.get_engine()) as session:
            release = session.get(Release, release_id)
            assert release is not None and release.resources
            return release.resources[0].id or 0


def _dataset(session: Session, admin: User, slug: str, organization: str, priority: bool = False) -> None:
    data = DatasetCreate(slug=slug, organization=organization, title=f"Data {slug}", is_priority=priority)
    create_dataset(session, actor=admin, data=data)


def build(url: str, data_dir: Path) -> World:
    """The catalogue in the database of the current settings; the server at ``url`` must serve it."""
    with Session(db.get_engine(), expire_on_commit=False) as session:
        ensure_reference_data(session)
        admin = create_user(session, username="admin", role=Role.admin, password=PASSWORD)
        for slug, name in [(OPD_A, "Dinas Kependudukan"), ("dinkes", "Dinas Kesehatan"), ("diskominfo", "Kominfo")]:
            create_organization(session, data=OrganizationCreate(slug=slug, name=name), actor=admin)
        users = {
            "admin": admin,
            "walidata": create_user(
                session, username="walidata", role=Role.walidata, organization_slug="diskominfo", password=PASSWORD
            ),
            "pembina": create_user(session, username="bps", role=Role.pembina, password=PASSWORD),
            "opd_a": create_user(
                session, username="a-data", role=Role.produsen, organization_slug=OPD_A, password=PASSWORD
            ),
            "opd_b": create_user(
                session, username="b-data", role=Role.produsen, organization_slug=OPD_B, password=PASSWORD
            ),
            "spare": create_user(session, username="cadangan", role=Role.produsen, organization_slug=OPD_B),
        }
        tokens = {role: create_token(session, user=user) for role, user in users.items() if role != "spare"}
        tokens["read_only"] = create_token(session, user=users["opd_a"], read_only=True)
        tokens["revoked"] = create_token(session, user=users["opd_a"])
        revoke_token(session, prefix=tokens["revoked"][:10])
        tokens["expired"] = create_token(session, user=users["opd_a"], expires_in_days=1)
        expiring = session.exec(select(ApiToken).where(ApiToken.prefix == tokens["expired"][:10])).one()
        expiring.expires = utcnow() - timedelta(minutes=1)
        session.add(expiring)
        for slug in (PUBLISHED_DATASET, UNPUBLISHED_DATASET, WORKFLOW_DATASET):
            _dataset(session, admin, slug, OPD_A)
        _dataset(session, admin, PRIORITY_DATASET, OPD_A, priority=True)
        source = add_source(session, organization=OPD_A, type="ckan", url="https://data.disdukcapil.example.go.id/")
        session.commit()
        source_id = source.id or 0
        job_id = queue_run(session, source_id=source_id).id or 0
    world = World(url=url, data_dir=data_dir, callers={}, users=users, ids={"source": source_id, "job": job_id})
    world.ids["portal_source"] = world.portal_source()
    world.ids["published"] = world.release("published", PUBLISHED_DATASET)
    world.ids["draft"] = world.release("draft", PUBLISHED_DATASET)
    world.ids["unpublished_draft"] = world.release("draft", UNPUBLISHED_DATASET)
    for state in ("published", "submitted", "returned"):  # published first: the dataset is public
        world.ids[f"workflow_{state}"] = world.release(state)
    world.ids["priority_submitted"] = world.release("submitted", PRIORITY_DATASET)  # waits for the pembina
    for name in ("published", "draft", "unpublished_draft"):
        world.ids[f"{name}_resource"] = world.resource_of(world.ids[name])
    ingest_pending()
    search_index.sync_after_commit()
    world.callers = callers(url, data_dir, tokens)
    return world


def callers(url: str, data_dir: Path, tokens: dict[str, str]) -> dict[str, Caller]:
    """Each role's credentials: a token, and the cookies of a portal session signed in through the form."""
    site = Site(url=url, data_dir=data_dir, files={})
    with site.client() as anonymous:
        anonymous.get("/masuk")
        csrf_only = dict(anonymous.cookies)
    sessions = {}
    for role, username in [
        ("opd_a", "a-data"),
        ("opd_b", "b-data"),
        ("walidata", "walidata"),
        ("pembina", "bps"),
        ("admin", "admin"),
    ]:
        client = signed_in(site, username)
        sessions[role] = dict(client.cookies)
        client.close()
    with Session(db.get_engine()) as session:
        producer = session.exec(select(User).where(User.username == "a-data")).one()
        stale = auth.session_value(producer, issued=int(time.time()) - auth.SESSION_SECONDS - 3600)
    found = {"anon": Caller(cookies=csrf_only)}
    for role in ("opd_a", "opd_b", "walidata", "pembina", "admin"):
        found[role] = Caller(token=tokens[role], cookies=sessions[role])
    for role in ("revoked", "expired", "read_only"):
        found[role] = Caller(token=tokens[role], cookies=csrf_only)
    found["stale_session"] = Caller(cookies={**csrf_only, auth.SESSION_COOKIE: stale})
    found["cookie_only"] = Caller(cookies=sessions["admin"])
    return found
