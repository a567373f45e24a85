"""A small published catalogue with the things no interoperability output may show: a dataset never
published, and a newer release still waiting for review."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.catalog.conftest import Catalogue, catalogue  # noqa: F401  (the fixture this one builds on)

SCHOOLS_CSV = b"npsn,nama_sekolah,kecamatan\n30104567,SD Negeri 01 Pontianak Selatan,Pontianak Selatan\n"


@dataclass
class Published:
    catalogue: Catalogue
    puskesmas_release: dict[str, Any]
    penduduk_release: dict[str, Any]
    pending_release: dict[str, Any]


@pytest.fixture
def published(catalogue: Catalogue) -> Published:  # noqa: F811
    client = catalogue.client
    changed = client.patch(
        "/api/v1/datasets/dinkes-puskesmas",
        headers=catalogue.admin.headers,
        json={
            "description": "Lokasi dan layanan puskesmas di Kota Pontianak.",
            "contact_name": "Seksi Data Dinkes",
            "contact_email": "data@dinkes.pontianak.go.id",
            "temporal_start": "2024-01-01",
            "temporal_end": "2024-12-31",
            "spatial_coverage": ["61.71.01", "61.71.02"],
            "extras": {"Cara Pengumpulan Data": "Pendataan langsung"},
        },
    )
    assert changed.status_code == 200, changed.text
    puskesmas = catalogue.publish("dinkes-puskesmas")
    penduduk = catalogue.publish("disdukcapil-penduduk")
    pending = catalogue.upload(catalogue.disdukcapil, "disdukcapil-penduduk", SCHOOLS_CSV, name="rahasia.csv")
    assert catalogue.act(catalogue.disdukcapil, pending["id"], "submit").status_code == 200
    draft = client.post(
        "/api/v1/datasets",
        headers=catalogue.dinkes.headers,
        json={"slug": "dinkes-draf-rahasia", "organization": "dinkes", "title": "Draf yang belum terbit"},
    )
    assert draft.status_code == 201, draft.text
    catalogue.upload(catalogue.dinkes, "dinkes-draf-rahasia", SCHOOLS_CSV)
    return Published(catalogue, puskesmas, penduduk, pending)


@pytest.fixture
def served(published: Published, live_server: str) -> str:
    """The published catalogue on a live server whose download links point at itself, as a real deployment's do."""
    from catalog import settings

    settings.get_settings().base_url = live_server
    return live_server
