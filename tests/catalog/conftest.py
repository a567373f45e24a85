"""A small Pontianak catalogue: three OPDs, their people, one dataset per producer."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from catalog.models import DatasetCreate, OrganizationCreate, Role, UpdateFrequency
from catalog.services.datasets import create_dataset
from catalog.services.organizations import create_organization
from catalog.services.users import create_user
from tests.conftest import Account

PENDUDUK_CSV = (
    b"kode_kecamatan,kecamatan,laki_laki,perempuan\n"
    b"61.71.01,Pontianak Selatan,45210,46102\n"
    b"61.71.02,Pontianak Timur,50320,49875\n"
    b"61.71.03,Pontianak Barat,68011,67340\n"
)


@dataclass
class Catalogue:
    client: TestClient
    admin: Account
    walidata: Account
    pembina: Account
    dinkes: Account
    disdukcapil: Account

    def upload(
        self, account: Account, slug: str, content: bytes = PENDUDUK_CSV, name: str = "data.csv", **form: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/datasets/{slug}/releases",
            headers=account.headers,
            files=[("files", (name, content, "text/csv"))],
            data=form,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def act(self, account: Account, release_id: int, action: str, note: str | None = None) -> Any:
        body = {"note": note} if note is not None else None
        return self.client.post(f"/api/v1/releases/{release_id}/{action}", headers=account.headers, json=body)

    def publish(self, slug: str, content: bytes = PENDUDUK_CSV) -> dict[str, Any]:
        owner = self.dinkes if slug.startswith("dinkes") else self.disdukcapil
        release = self.upload(owner, slug, content)
        assert self.act(owner, release["id"], "submit").status_code == 200
        approved = self.act(self.walidata, release["id"], "approve")
        assert approved.status_code == 200, approved.text
        return dict(approved.json())


@pytest.fixture
def catalogue(session: Session, client: TestClient, make_account: Any) -> Catalogue:
    system = create_user(session, username="root", role=Role.admin)
    for slug, name, abbreviation in [
        ("diskominfo", "Dinas Komunikasi dan Informatika", "Diskominfo"),
        ("dinkes", "Dinas Kesehatan", "Dinkes"),
        ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ]:
        create_organization(
            session, data=OrganizationCreate(slug=slug, name=name, abbreviation=abbreviation), actor=system
        )
    create_dataset(
        session,
        actor=system,
        data=DatasetCreate(
            slug="dinkes-puskesmas",
            organization="dinkes",
            title="Daftar Puskesmas Kota Pontianak",
            tags=["kesehatan", "puskesmas"],
            themes=["kesehatan"],
            update_frequency=UpdateFrequency.tahunan,
        ),
    )
    create_dataset(
        session,
        actor=system,
        data=DatasetCreate(
            slug="disdukcapil-penduduk",
            organization="disdukcapil",
            license_id="cc0-1.0",
            title="Jumlah Penduduk per Kecamatan",
            tags=["penduduk"],
            themes=["kependudukan"],
            update_frequency=UpdateFrequency.semesteran,
            spatial_coverage=["61.71"],
        ),
    )
    session.commit()
    return Catalogue(
        client=client,
        admin=make_account("admin", Role.admin),
        walidata=make_account("walidata", Role.walidata, "diskominfo"),
        pembina=make_account("bps", Role.pembina),
        dinkes=make_account("dinkes-data", Role.produsen, "dinkes"),
        disdukcapil=make_account("dukcapil-data", Role.produsen, "disdukcapil"),
    )
