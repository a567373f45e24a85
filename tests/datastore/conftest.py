"""A published dengue table of Kota Pontianak (synthetic), loaded into the datastore by the worker."""

import json
from dataclasses import dataclass
from typing import Any

import pytest

from catalog.worker import sync_datastore
from tests.catalog.conftest import Catalogue
from tests.catalog.conftest import catalogue as catalogue  # the fixture, for the tests here

# Written as an OPD exports from Excel: ';' separators, Indonesian numbers and dates, ya/tidak.
DBD_CSV = """kode_kelurahan;kelurahan;kecamatan;tanggal;kasus;insiden;rawat_inap;catatan
61.71.01.1001;Benua Melayu Darat;Pontianak Selatan;31/01/2024;12;1.234,5;ya;laporan puskesmas
61.71.01.1002;Benua Melayu Laut;Pontianak Selatan;29/02/2024;3;87,25;tidak;=HYPERLINK("http://127.0.0.1/x","klik")
61.71.02.1001;Tanjung Hulu;Pontianak Timur;15/03/2024;7;310,0;ya;+62 561 123
61.71.02.1002;Saigon;Pontianak Timur;01/04/2024;0;0,0;tidak;
61.71.03.1001;Sungai Jawi Dalam;Pontianak Barat;10/05/2024;21;2.001,75;ya;-tanpa catatan
61.71.03.1002;Pal Lima;Pontianak Barat;11/05/2024;5;150,5;tidak;@admin
61.71.04.1001;Siantan Hulu;Pontianak Utara;20/06/2024;9;;ya;demam berdarah
61.71.04.1002;Batu Layang;Pontianak Utara;21/06/2024;14;420,25;ya;Demam Berdarah Dengue
61.71.05.1001;Darat Sekip;Pontianak Kota;05/07/2024;2;60,0;tidak;kasus impor
61.71.05.1002;Sungai Bangkong;Pontianak Kota;06/07/2024;18;1.001,0;ya;klaster sekolah
61.71.06.1001;Bansir Laut;Pontianak Tenggara;12/08/2024;4;95,5;tidak;
61.71.06.1002;Kapuas Kecil;Pontianak Tenggara;13/08/2024;6;130,0;ya;fogging
"""
DBD_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "kode_kelurahan", "type": "string", "title": "Kode Kelurahan", "description": "Kode Kemendagri"},
        {"name": "kelurahan", "type": "string", "description": "Nama kelurahan"},
        {"name": "kecamatan", "type": "string", "description": "Nama kecamatan"},
        {"name": "tanggal", "type": "date", "format": "%d/%m/%Y", "description": "Tanggal laporan"},
        {"name": "kasus", "type": "integer", "description": "Jumlah kasus DBD"},
        {
            "name": "insiden",
            "type": "number",
            "groupChar": ".",
            "decimalChar": ",",
            "description": "Angka insiden per 100.000 penduduk",
        },
        {"name": "rawat_inap", "type": "boolean", "trueValues": ["ya"], "falseValues": ["tidak"]},
        {"name": "catatan", "type": "string"},
    ]
}
SLUG = "dinkes-puskesmas"


@dataclass
class Published:
    catalogue: Catalogue
    release: dict[str, Any]

    @property
    def resource_id(self) -> int:
        return int(self.release["resources"][0]["id"])

    def get(self, path: str, **params: Any) -> Any:
        return self.catalogue.client.get(path, params=params)


def publish(catalogue: Catalogue, content: str = DBD_CSV, name: str = "kasus-dbd-2024.csv") -> dict[str, Any]:
    """Upload, submit and approve a release of the Dinkes dataset with the dengue schema."""
    release = catalogue.upload(catalogue.dinkes, SLUG, content.encode(), name=name, schema=json.dumps(DBD_SCHEMA))
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200
    approved = catalogue.act(catalogue.walidata, release["id"], "approve")
    assert approved.status_code == 200, approved.text
    return dict(approved.json())


@pytest.fixture
def published(catalogue: Catalogue) -> Published:
    release = publish(catalogue)
    assert sync_datastore() == 1
    return Published(catalogue, release)
