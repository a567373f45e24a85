"""A small published Pontianak catalogue behind a real server on 127.0.0.1, shared by a module's portal tests."""

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from catalog import db
from catalog.datastore.ingest import load_resource
from catalog.models import DatasetCreate, OrganizationCreate, Role, UpdateFrequency, User
from catalog.services import releases, search_index
from catalog.services.datasets import create_dataset, current_release, get_dataset
from catalog.services.files import IncomingFile
from catalog.services.organizations import create_organization
from catalog.services.reference import ensure_reference_data
from catalog.services.users import create_user
from catalog.workflow import Action
from tests.conftest import free_port, fresh_catalogue

PASSWORD = "kata-sandi-uji-123"
KECAMATAN = [
    ("61.71.01", "Pontianak Selatan"),
    ("61.71.02", "Pontianak Timur"),
    ("61.71.03", "Pontianak Barat"),
    ("61.71.04", "Pontianak Utara"),
    ("61.71.05", "Pontianak Kota"),
    ("61.71.06", "Pontianak Tenggara"),
]


def penduduk_csv(year: int, grow: int = 0) -> bytes:
    lines = ["tahun,kode_kecamatan,kecamatan,laki_laki,perempuan,jumlah"]
    for i, (code, name) in enumerate(KECAMATAN):
        men, women = 40000 + 5000 * i + grow, 41000 + 4000 * i + grow
        lines.append(f"{year},{code},{name},{men},{women},{men + women}")
    return ("\n".join(lines) + "\n").encode()


PROYEKSI_CSV = b"tahun,jumlah_penduduk\n2021,665000\n2022,672500\n2023,680100\n2024,687900\n"
PUSKESMAS_CSV = b"nama,kecamatan,alamat\nPuskesmas Alianyang,Pontianak Barat,Jl. Alianyang\n"
# Cells a spreadsheet would run as formulas: the datastore's CSV and XLSX exports neutralise them.
FORMULA_CSV = b"nama,kecamatan,alamat\nPuskesmas Uji,Pontianak Barat,=1+2\nPuskesmas Dua,Pontianak Kota,@SUM(1)\n"
XSS_TITLE = "Uji <script>alert('judul')</script> keamanan"
XSS_DESCRIPTION = (
    "Deskripsi dengan <script>alert('deskripsi')</script> dan "
    "[tautan jahat](javascript:alert('tautan')) dan <img src=x onerror=\"alert('gambar')\"> "
    "dan <a href=\"javascript:alert('html')\">tautan html</a>."
)
DESCRIPTION = (
    "Jumlah penduduk menurut jenis kelamin per kecamatan, **posisi 31 Desember**.\n\n"
    "Sumber: [SIAK](https://dukcapil.kemendagri.go.id/)."
)


@dataclass
class Site:
    url: str
    data_dir: Path
    files: dict[str, bytes]  # dataset slug → the bytes of its current CSV
    tables: dict[str, int] = field(default_factory=dict)  # dataset slug → its current CSV's resource id, loaded

    def client(self, **options: Any) -> httpx.Client:
        """An HTTP client of the site, patient enough for a busy test machine."""
        return httpx.Client(base_url=self.url, timeout=30, **options)


def _publish(
    session: Session, slug: str, name: str, content: bytes, producer: User, reviewers: list[User], notes: str = ""
) -> None:
    """Upload, submit and publish (the reviewers: the pembina first for Data Prioritas, then the walidata)."""
    release = releases.create_release(
        session, dataset_slug=slug, actor=producer, notes=notes, files=[IncomingFile(name, io.BytesIO(content))]
    )
    session.commit()
    assert release.id is not None
    moves = [(Action.submit, producer)] + [
        (Action.endorse if reviewer.role == Role.pembina else Action.approve, reviewer) for reviewer in reviewers
    ]
    for action, actor in moves:
        releases.transition(session, release_id=release.id, action=action, actor=actor)
        session.commit()


def build_catalogue(session: Session) -> dict[str, bytes]:
    ensure_reference_data(session)
    admin = create_user(session, username="admin", role=Role.admin, password=PASSWORD)
    for slug, name, abbreviation in [
        ("diskominfo", "Dinas Komunikasi dan Informatika", "Diskominfo"),
        ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
        ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("dinkes", "Dinas Kesehatan", "Dinkes"),
    ]:
        create_organization(
            session, data=OrganizationCreate(slug=slug, name=name, abbreviation=abbreviation), actor=admin
        )
    walidata = create_user(
        session, username="walidata", role=Role.walidata, organization_slug="diskominfo", password=PASSWORD
    )
    pembina = create_user(session, username="bps", role=Role.pembina, password=PASSWORD)
    producers = {
        opd: create_user(session, username=f"{opd}-data", role=Role.produsen, organization_slug=opd, password=PASSWORD)
        for opd in ("disdukcapil", "bappeda", "dinkes")
    }
    specs = [
        (
            "jumlah-penduduk-kecamatan",
            "disdukcapil",
            "Jumlah Penduduk per Kecamatan",
            DESCRIPTION,
            UpdateFrequency.semesteran,
            ["penduduk", "kecamatan"],
            ["kependudukan"],
            True,
        ),
        (
            "proyeksi-penduduk",
            "bappeda",
            "Proyeksi Penduduk Kota Pontianak",
            "Proyeksi jumlah penduduk kota setiap tahun.",
            UpdateFrequency.tahunan,
            ["penduduk", "proyeksi"],
            ["kependudukan"],
            False,
        ),
        (
            "daftar-puskesmas",
            "dinkes",
            "Daftar Puskesmas",
            "Puskesmas di Kota Pontianak dengan alamatnya.",
            UpdateFrequency.tahunan,
            ["kesehatan"],
            ["kesehatan"],
            False,
        ),
        ("uji-keamanan", "dinkes", XSS_TITLE, XSS_DESCRIPTION, UpdateFrequency.tidak_tentu, ["uji"], [], False),
        (
            "rancangan-belum-terbit",
            "dinkes",
            "Rancangan Belum Terbit",
            "Belum diterbitkan.",
            UpdateFrequency.tahunan,
            [],
            [],
            False,
        ),
    ]
    for slug, opd, title, description, frequency, tags, themes, priority in specs:
        create_dataset(
            session,
            actor=admin,
            data=DatasetCreate(
                slug=slug,
                organization=opd,
                title=title,
                description=description,
                update_frequency=frequency,
                tags=tags,
                themes=themes,
                is_priority=priority,
                spatial_coverage=["61.71"],
                temporal_start=date(2023, 1, 1),
                temporal_end=date(2024, 12, 31),
                extras={"Cara Pengumpulan Data": "Rekapitulasi data administrasi"},
                contact_name="Bidang Data",
            ),
        )
    session.commit()
    _publish(
        session,
        "jumlah-penduduk-kecamatan",
        "penduduk-2023.csv",
        penduduk_csv(2023),
        producers["disdukcapil"],
        [pembina, walidata],
        notes="Posisi 31 Desember 2023.",
    )
    _publish(
        session,
        "jumlah-penduduk-kecamatan",
        "penduduk-2024.csv",
        penduduk_csv(2024, 700),
        producers["disdukcapil"],
        [pembina, walidata],
        notes="Posisi 31 Desember 2024.",
    )
    _publish(session, "proyeksi-penduduk", "proyeksi.csv", PROYEKSI_CSV, producers["bappeda"], [walidata])
    _publish(session, "daftar-puskesmas", "puskesmas.csv", PUSKESMAS_CSV, producers["dinkes"], [walidata])
    _publish(session, "uji-keamanan", "uji.csv", FORMULA_CSV, producers["dinkes"], [walidata])
    releases.create_release(
        session,
        dataset_slug="rancangan-belum-terbit",
        actor=producers["dinkes"],
        files=[IncomingFile("rancangan.csv", io.BytesIO(PUSKESMAS_CSV))],
    )
    session.commit()
    search_index.sync_after_commit()
    return {
        "jumlah-penduduk-kecamatan": penduduk_csv(2024, 700),
        "proyeksi-penduduk": PROYEKSI_CSV,
        "uji-keamanan": FORMULA_CSV,
    }


# Loaded into the datastore as the worker would after publication; the others wait (the page reads their file).
LOADED_DATASETS = ["jumlah-penduduk-kecamatan", "uji-keamanan"]


def load_into_datastore(session: Session, slugs: list[str]) -> dict[str, int]:
    loaded = {}
    for slug in slugs:
        release = current_release(session, get_dataset(session, slug=slug))
        assert release is not None and release.resources[0].id is not None
        table = load_resource(release.resources[0].id)
        assert table is not None and table.status == "ready", table
        loaded[slug] = release.resources[0].id
    return loaded


@pytest.fixture(scope="module")
def site(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The catalogue above, served by the real application on a free port of 127.0.0.1."""
    from catalog.app import create_app

    root = tmp_path_factory.mktemp("portal")
    port = free_port()
    with (
        pytest.MonkeyPatch.context() as patch,
        fresh_catalogue(migrated_template, root, patch, base_url=f"http://127.0.0.1:{port}"),
    ):
        with Session(db.get_engine(), expire_on_commit=False) as session:
            files = build_catalogue(session)
            loaded = load_into_datastore(session, LOADED_DATASETS)
        server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("portal test server did not start")
            time.sleep(0.02)
        yield Site(url=f"http://127.0.0.1:{port}", data_dir=root / "var", files=files, tables=loaded)
        server.should_exit = True
        thread.join(timeout=10)
