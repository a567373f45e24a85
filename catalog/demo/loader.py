"""Loading the demo through the services, so every release is stored, validated and logged.

Each step first looks for what it would create, so a second run creates nothing; a release left
half-way (say, by an interrupted run) is moved on to the state it should end in.
"""

import io
from datetime import date

from rich.console import Console
from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, func, select

from catalog.demo.catalogue import DATASETS, RETURN_NOTE, RETURNED, SUBMITTED, DemoDataset, spatial_coverage
from catalog.demo.files import to_csv, to_xlsx
from catalog.demo.generators import BULAN, semester_of
from catalog.demo.organizations import ADMIN, DEMO_PASSWORD, OPDS, PEOPLE, Opd, producer_username
from catalog.models import (
    Dataset,
    DatasetCreate,
    Organization,
    OrganizationCreate,
    Release,
    ReleaseState,
    UpdateFrequency,
    User,
)
from catalog.services import releases
from catalog.services.datasets import create_dataset
from catalog.services.files import IncomingFile
from catalog.services.organizations import create_organization
from catalog.services.users import create_user
from catalog.workflow import Action

DISCLAIMER = (
    "Data sintetis untuk demonstrasi Terbuka: angka dibangkitkan secara acak dengan benih tetap sehingga "
    "masuk akal, tetapi **bukan data resmi** Pemerintah Kota Pontianak."
)


def _user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def ensure_people(session: Session) -> dict[str, User]:
    """The admin, the OPDs, then everyone else (an organization is created by an admin)."""
    admin = _user(session, ADMIN.username) or create_user(
        session, username=ADMIN.username, role=ADMIN.role, full_name=ADMIN.full_name, password=DEMO_PASSWORD
    )
    for opd in OPDS:
        if session.exec(select(Organization).where(Organization.slug == opd.slug)).first() is None:
            create_organization(
                session,
                actor=admin,
                data=OrganizationCreate(
                    slug=opd.slug,
                    name=opd.name,
                    abbreviation=opd.abbreviation,
                    kind=opd.kind,
                    description=opd.description,
                ),
            )
    people = {}
    for person in PEOPLE:
        people[person.username] = _user(session, person.username) or create_user(
            session,
            username=person.username,
            role=person.role,
            organization_slug=person.organization,
            full_name=person.full_name,
            password=DEMO_PASSWORD,
            actor=admin,
        )
    return people


def period_label(end: date, dataset: DemoDataset) -> str:
    if dataset.frequency == UpdateFrequency.semesteran:
        return f"semester {semester_of(end)} {end.year} (posisi {end.day} {BULAN[end.month - 1]} {end.year})"
    return f"tahun {end.year}"


def _description(dataset: DemoDataset, opd: Opd) -> str:
    header = dataset.generator(dataset.slug, dataset.releases[:1]).header
    columns = ", ".join(f"`{name}`" for name in header)
    codes = (
        "\n\nSetiap baris memuat kode kecamatan dalam dua sistem: Kemendagri (`61.71.01`) dan BPS (`6171010`)."
        if "kode_kecamatan_bps" in header
        else ""
    )
    return (
        f"{dataset.summary}\n\nSumber: {opd.name} ({opd.abbreviation}) Kota Pontianak. "
        f"Cara pengumpulan: {dataset.collection.lower()}.{codes}\n\n**Kolom:** {columns}\n\n> {DISCLAIMER}"
    )


def _temporal_start(dataset: DemoDataset) -> date:
    first = dataset.releases[0]
    if dataset.series_since:
        return date(dataset.series_since, 1, 1)
    return date(first.year, 7 if dataset.frequency == UpdateFrequency.semesteran and first.month == 6 else 1, 1)


def ensure_dataset(session: Session, dataset: DemoDataset, opd: Opd, producer: User) -> Dataset:
    existing = session.exec(select(Dataset).where(Dataset.slug == dataset.slug)).first()
    if existing is not None:
        return existing
    return create_dataset(
        session,
        actor=producer,
        data=DatasetCreate(
            slug=dataset.slug,
            organization=opd.slug,
            title=dataset.title,
            description=_description(dataset, opd),
            license_id=dataset.license_id,
            update_frequency=dataset.frequency,
            temporal_start=_temporal_start(dataset),
            temporal_end=dataset.releases[-1],
            spatial_coverage=spatial_coverage(dataset),
            contact_name=f"Produsen Data {opd.abbreviation}",
            is_priority=dataset.is_priority,
            tags=dataset.tags,
            themes=dataset.themes,
            extras={
                "Cakupan Wilayah": "Kota Pontianak",
                "Kode Wilayah": "61.71",
                "Cara Pengumpulan Data": dataset.collection,
                "Periode Update Data": dataset.frequency.value.capitalize(),
                **dataset.extras,
            },
        ),
    )


def release_files(dataset: DemoDataset, number: int) -> list[IncomingFile]:
    """The files of release `number`: the series up to that release's period."""
    ends = dataset.releases[:number]
    table = dataset.generator(dataset.slug, ends)
    end = ends[-1]
    semester = f"-s{1 if end.month == 6 else 2}" if dataset.frequency == UpdateFrequency.semesteran else ""
    stem = f"{dataset.slug}-{end.year}{semester}"
    contents = {"csv": lambda: to_csv(table), "xlsx": lambda: to_xlsx(table, sheet=dataset.title)}
    return [IncomingFile(f"{stem}.{fmt}", io.BytesIO(contents[fmt]())) for fmt in dataset.formats]


def target_state(slug: str, number: int) -> ReleaseState:
    if (slug, number) == SUBMITTED:
        return ReleaseState.submitted
    if (slug, number) == RETURNED:
        return ReleaseState.returned
    return ReleaseState.published


def advance(
    session: Session, release: Release, target: ReleaseState, people: dict[str, User], producer: User
) -> Release:
    """Take a release through the workflow, one real transition at a time, until it reaches `target`."""
    while release.state != target:
        assert release.id is not None
        if release.state == ReleaseState.draft:
            action, actor, note = Action.submit, producer, None
        elif target == ReleaseState.returned:
            action, actor, note = Action.return_, people["walidata"], RETURN_NOTE
        elif release.dataset.is_priority and release.endorsed_by_id is None:
            action, actor, note = Action.endorse, people["bps"], "Sesuai kaidah statistik; layak diterbitkan."
        else:
            action, actor, note = Action.approve, people["walidata"], None
        release = releases.transition(session, release_id=release.id, action=action, actor=actor, note=note)
    return release


def ensure_releases(
    session: Session, dataset: DemoDataset, record: Dataset, people: dict[str, User], producer: User
) -> int:
    """Create the missing releases in order and bring each to its state; return how many were created."""
    created = 0
    for number in range(1, len(dataset.releases) + 1):
        release = session.exec(select(Release).where(Release.dataset_id == record.id, Release.number == number)).first()
        if release is None:
            end = dataset.releases[number - 1]
            release = releases.create_release(
                session,
                dataset_slug=dataset.slug,
                actor=producer,
                files=release_files(dataset, number),
                notes=f"Data {period_label(end, dataset)}.",
            )
            created += 1
        advance(session, release, target_state(dataset.slug, number), people, producer)
    return created


def summary(session: Session) -> str:
    def count(model: type[SQLModel], *where: ColumnElement[bool]) -> int:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    states = {state: count(Release, col(Release.state) == state) for state in ReleaseState}
    return "\n".join(
        [
            f"Kota Pontianak demo: {count(Organization)} OPDs, {count(Dataset)} datasets, "
            f"{sum(states.values())} releases",
            f"  {states[ReleaseState.published]} published, {states[ReleaseState.submitted]} waiting for review, "
            f"{states[ReleaseState.returned]} returned",
            f"Accounts (password {DEMO_PASSWORD}): admin, walidata (Diskominfo), bps (pembina),",
            "  and a produsen <opd>-data for each OPD, e.g. dinkes-data",
            "API token: terbuka token create walidata",
        ]
    )


def load_demo(session: Session, *, progress: Console | None = None) -> str:
    """Load the Kota Pontianak demo catalogue; running it again changes nothing."""
    people = ensure_people(session)
    for opd in OPDS:
        producer = people[producer_username(opd.slug)]
        mine = [d for d in DATASETS if d.organization == opd.slug]
        created = 0
        for dataset in mine:
            record = ensure_dataset(session, dataset, opd, producer)
            created += ensure_releases(session, dataset, record, people, producer)
        if progress is not None:
            progress.print(f"  {opd.abbreviation:<12} datasets: {len(mine):>2}   new releases: {created:>2}")
    return summary(session)
