"""Metadata people type is bounded: sizes, counts, and characters that cannot be seen (catalog/input_limits.py)."""

from typing import Any

import pytest

from catalog import input_limits
from tests.catalog.conftest import Catalogue

BASE = {"organization": "dinkes", "title": "Daftar Rumah Sakit", "update_frequency": "tahunan"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "\u200b\u200b\u200b"}, "title"),
        ({"title": "ab\u200b"}, "title"),
        ({"title": "Data\x00Rahasia"}, "title"),
        ({"title": "Data \u202enaidem\u202c"}, "title"),
        ({"title": "   "}, "title"),
        ({"description": "x" * 50_001}, "description"),
        ({"description": "a\u202eb"}, "description"),
        ({"extras": {f"k{i}": "v" for i in range(input_limits.MAX_EXTRAS + 1)}}, "extras"),
        ({"extras": {"k": "v" * (input_limits.MAX_EXTRA_VALUE + 1)}}, "extras"),
        ({"extras": {"k" * (input_limits.MAX_EXTRA_KEY + 1): "v"}}, "extras"),
        ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
        ({"tags": ["t" * 61]}, "tags"),
        ({"tags": ["ok", "zero\u200bwidth"]}, "tags"),
    ],
)
def test_unbounded_or_invisible_metadata_is_refused(catalogue: Catalogue, change: dict[str, Any], field: str) -> None:
    created = catalogue.client.post(
        "/api/v1/datasets", json={**BASE, "slug": "dinkes-rs", **change}, headers=catalogue.dinkes.headers
    )
    assert created.status_code == 422, created.text
    assert field in created.json()["error"]["message"]
    edited = catalogue.client.patch("/api/v1/datasets/dinkes-puskesmas", json=change, headers=catalogue.dinkes.headers)
    assert edited.status_code == 422 and field in edited.json()["error"]["message"]
    assert catalogue.client.get("/api/v1/datasets/dinkes-rs", headers=catalogue.dinkes.headers).status_code == 404


def test_ordinary_metadata_within_the_limits_is_accepted(catalogue: Catalogue) -> None:
    body = {
        **BASE,
        "slug": "dinkes-rs",
        "title": "Rumah Sakit — Kota Pontianak",
        "description": "Baris pertama.\n\n\tBaris kedua.\r\n" + "x" * 40_000,
        "extras": {f"Kunci {i}": "nilai" for i in range(input_limits.MAX_EXTRAS)},
        "tags": [f"tag-{i}" for i in range(50)],
    }
    created = catalogue.client.post("/api/v1/datasets", json=body, headers=catalogue.dinkes.headers)
    assert created.status_code == 201, created.text
