"""The contract every search backend keeps, run against each backend (see conftest.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from search.base import SearchBackend, SearchError


def doc(id_: str, title: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id_,
        "slug": title.lower().replace(" ", "-"),
        "title": title,
        "description": "",
        "organization": "dinkes",
        "organization_name": "Dinas Kesehatan",
        "organization_abbreviation": "Dinkes",
        "tags": [],
        "themes": ["kesehatan"],
        "formats": ["CSV"],
        "license": "cc-by",
        "frequency": "tahunan",
        "years": [2024],
        "kecamatan": [],
        "is_priority": False,
        "validation_status": "valid",
        "published_at": "2024-01-01T00:00:00+07:00",
        "modified": "2024-01-01T00:00:00+07:00",
        "downloads": 0,
    }
    base.update(fields)
    return base


DOCS = [
    doc(
        "1",
        "Jumlah Penduduk Menurut Kecamatan 2024",
        organization="disdukcapil",
        organization_name="Dinas Kependudukan dan Pencatatan Sipil",
        organization_abbreviation="Disdukcapil",
        themes=["kependudukan"],
        tags=["penduduk"],
        kecamatan=["Pontianak Timur", "Pontianak Barat"],
        formats=["CSV", "XLSX"],
        is_priority=True,
        published_at="2024-07-01T00:00:00+07:00",
        downloads=50,
        description="Data kependudukan semester I menurut kecamatan dan jenis kelamin.",
    ),
    doc(
        "2",
        "Jumlah Penduduk Menurut Kecamatan 2023",
        organization="disdukcapil",
        organization_name="Dinas Kependudukan dan Pencatatan Sipil",
        organization_abbreviation="Disdukcapil",
        themes=["kependudukan"],
        tags=["penduduk"],
        kecamatan=["Pontianak Timur"],
        years=[2023],
        published_at="2023-07-01T00:00:00+07:00",
        downloads=80,
    ),
    doc(
        "3",
        "Kunjungan Pasien Puskesmas 2024",
        tags=["puskesmas"],
        kecamatan=["Pontianak Timur"],
        formats=["XLSX"],
        published_at="2024-03-01T00:00:00+07:00",
        downloads=10,
        validation_status="invalid",
    ),
    doc(
        "4",
        "Cakupan Imunisasi Dasar 2023",
        tags=["imunisasi"],
        years=[2023],
        license="cc0",
        published_at="2023-02-01T00:00:00+07:00",
        downloads=5,
    ),
    doc(
        "5",
        "Realisasi APBD 2024",
        organization="bpkad",
        organization_name="Badan Pengelolaan Keuangan dan Aset Daerah",
        organization_abbreviation="BPKAD",
        themes=["keuangan"],
        tags=["anggaran"],
        is_priority=True,
        published_at="2024-05-01T00:00:00+07:00",
        downloads=200,
    ),
]


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    backend.reindex(DOCS)
    return backend


def ids(backend: SearchBackend, q: str, **kwargs: Any) -> list[str]:
    return [hit.id for hit in backend.query(q, **kwargs).hits]


def test_empty_query_returns_everything_newest_first(loaded: SearchBackend) -> None:
    result = loaded.query("")
    assert result.total == 5
    assert [h.id for h in result.hits] == ["1", "5", "3", "2", "4"]


def test_abbreviation_finds_the_organisation(loaded: SearchBackend) -> None:
    assert set(ids(loaded, "dinkes")) == {"3", "4"}
    assert ids(loaded, "bpkad") == ["5"]


def test_synonym_finds_the_long_form(loaded: SearchBackend) -> None:
    assert ids(loaded, "anggaran pendapatan dan belanja daerah") == ["5"]
    assert ids(loaded, "pusat kesehatan masyarakat") == ["3"]


def test_typo_is_tolerated(loaded: SearchBackend) -> None:
    assert set(ids(loaded, "jumlah pendudk")) == {"1", "2"}


def test_stem_matches_derived_word(loaded: SearchBackend) -> None:
    assert set(ids(loaded, "kependudukan")) == {"1", "2"}


def test_facet_counts_follow_query_and_filters(loaded: SearchBackend) -> None:
    result = loaded.query("penduduk")
    assert result.total == 2
    assert result.facets["year"] == {"2024": 1, "2023": 1}
    assert result.facets["kecamatan"] == {"Pontianak Timur": 2, "Pontianak Barat": 1}
    assert result.facets["format"] == {"CSV": 2, "XLSX": 1}
    assert result.facets["is_priority"] == {"true": 1, "false": 1}
    assert result.facets["organization"] == {"disdukcapil": 2}

    filtered = loaded.query("", filters={"kecamatan": ["Pontianak Timur"], "year": ["2024"]})
    assert filtered.total == 2
    assert filtered.facets["organization"] == {"disdukcapil": 1, "dinkes": 1}
    assert filtered.facets["validation_status"] == {"valid": 1, "invalid": 1}
    assert filtered.facets["kecamatan"] == {"Pontianak Timur": 2, "Pontianak Barat": 1}


def test_values_within_a_filter_are_alternatives(loaded: SearchBackend) -> None:
    result = loaded.query("", filters={"organization": ["bpkad", "disdukcapil"], "is_priority": True})
    assert sorted(h.id for h in result.hits) == ["1", "5"]
    assert loaded.query("", filters={"license": "cc0"}).total == 1
    assert loaded.query("", filters={"theme": ["kesehatan"], "tag": ["imunisasi"]}).total == 1


def test_unknown_filter_or_sort_is_refused(loaded: SearchBackend) -> None:
    with pytest.raises(SearchError):
        loaded.query("", filters={"colour": ["red"]})
    with pytest.raises(SearchError):
        loaded.query("", sort="oldest")  # type: ignore[arg-type]


def test_sorts(loaded: SearchBackend) -> None:
    assert ids(loaded, "", sort="downloads") == ["5", "2", "1", "3", "4"]
    assert ids(loaded, "", sort="title") == ["4", "2", "1", "3", "5"]
    assert ids(loaded, "penduduk", sort="newest") == ["1", "2"]


def test_paging(loaded: SearchBackend) -> None:
    first = loaded.query("", sort="downloads", page=1, per_page=2)
    second = loaded.query("", sort="downloads", page=2, per_page=2)
    last = loaded.query("", sort="downloads", page=3, per_page=2)
    assert [h.id for h in first.hits + second.hits + last.hits] == ["5", "2", "1", "3", "4"]
    assert first.total == second.total == 5


def test_highlights_mark_matched_words(loaded: SearchBackend) -> None:
    hit = loaded.query("penduduk kecamatan", filters={"year": "2024"}).hits[0]
    assert hit.highlights["title"] == "Jumlah <mark>Penduduk</mark> Menurut <mark>Kecamatan</mark> 2024"
    assert "<mark>kecamatan</mark>" in hit.highlights["description"]


def test_highlights_escape_html(backend: SearchBackend) -> None:
    backend.index([doc("9", "Data <script> Sampah")])
    assert backend.query("sampah").hits[0].highlights["title"] == "Data &lt;script&gt; <mark>Sampah</mark>"


def test_index_upserts_and_delete_removes(loaded: SearchBackend) -> None:
    loaded.index([doc("4", "Cakupan Vaksinasi Dasar 2023", tags=["vaksin"], years=[2023])])
    assert ids(loaded, "imunisasi") == []
    assert ids(loaded, "vaksinasi") == ["4"]
    loaded.delete(["4", "404"])
    assert ids(loaded, "vaksinasi") == []
    assert loaded.query("").total == 4
    assert all(s["text"] != "Cakupan Vaksinasi Dasar 2023" for s in loaded.suggest("caku"))


def test_reindex_replaces_everything_and_reports_progress(loaded: SearchBackend) -> None:
    seen: list[tuple[int, int]] = []
    loaded.reindex([doc("7", "Volume Sampah 2024")], progress=lambda done, total: seen.append((done, total)))
    assert loaded.query("").total == 1
    assert seen[-1] == (1, 1)


def test_suggest_offers_titles_organisations_and_tags(loaded: SearchBackend) -> None:
    texts = [s["text"] for s in loaded.suggest("disduk")]
    assert texts[0] == "Disdukcapil"
    assert {"Jumlah Penduduk Menurut Kecamatan 2024", "penduduk"} <= {s["text"] for s in loaded.suggest("pendud")}
    assert any(s["kind"] == "organization" for s in loaded.suggest("dinas kes"))
    assert loaded.suggest("") == []


def test_suggest_is_fast(loaded: SearchBackend) -> None:
    loaded.suggest("pen")
    start = time.perf_counter()
    for _ in range(50):
        loaded.suggest("jumlah pen")
    assert (time.perf_counter() - start) / 50 < 0.010


def test_queries_from_many_threads(loaded: SearchBackend) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                assert loaded.query("penduduk").total == 2
        except BaseException as error:  # collected so the main thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_last_word_is_a_prefix(loaded: SearchBackend) -> None:
    assert ids(loaded, "puskes") == ["3"]
    assert ids(loaded, "kunjungan pasien puskes") == ["3"]
