"""Search benchmark: 100,000 synthetic Pontianak datasets; indexing rate, query and suggest latency.

Run: .venv/bin/python benchmarks/search.py [--records N]  (or: python -m benchmarks.search)
Meilisearch is measured too when TERBUKA_MEILI_URL is set (index "bench-…", dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

if not __package__:
    # Run as a file, this script's folder comes first on sys.path and its name would hide the
    # search package; the repository root must come first instead.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from schemas.wilayah import kecamatan_names
from search.base import SearchBackend
from search.embedded import EmbeddedBackend

TARGETS = {"index_rate": 2000.0, "query_p95_ms": 15.0, "suggest_p95_ms": 5.0}
KECAMATAN = kecamatan_names()
KELURAHAN = [
    "Benuamelayu Laut",
    "Benuamelayu Darat",
    "Pallima",
    "Sungai Bangkong",
    "Tanjung Hulu",
    "Siantan Hulu",
    "Batu Layang",
    "Parit Tokaya",
    "Kota Baru",
    "Akcaya",
    "Sungai Jawi",
    "Dalam Bugis",
    "Tambelan Sampit",
]
OPD_NAMES = [
    ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Badan Pendapatan Daerah", "Bapenda"),
    ("Dinas Perhubungan", "Dishub"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR"),
    ("Dinas Perumahan Rakyat dan Kawasan Permukiman", "Disperkim"),
    ("Dinas Lingkungan Hidup", "DLH"),
    ("Dinas Sosial", "Dinsos"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD"),
    ("Satuan Polisi Pamong Praja", "Satpol PP"),
    ("Rumah Sakit Umum Daerah", "RSUD"),
    ("Dinas Tenaga Kerja", "Disnaker"),
    ("Dinas Pariwisata", "Dispar"),
    ("Dinas Pemadam Kebakaran", "Damkar"),
    ("Dinas Ketahanan Pangan dan Pertanian", "DKPP"),
    ("Dinas Perpustakaan dan Kearsipan", "Dispusip"),
]
OPDS = OPD_NAMES + [
    (f"{name} Wilayah {part}", f"{abbr}-{part[0]}")
    for (name, abbr), part in zip(OPD_NAMES, ["Utara", "Selatan"] * 10, strict=True)
]
SUBJECTS = [
    "Penduduk",
    "Kunjungan Pasien Puskesmas",
    "Kasus Demam Berdarah",
    "Imunisasi Dasar",
    "Stunting Balita",
    "Sekolah Dasar",
    "Siswa SMP",
    "Guru PAUD",
    "Realisasi APBD",
    "Pajak Daerah",
    "Kendaraan Bermotor",
    "Panjang Jalan",
    "Volume Sampah",
    "Kualitas Air",
    "Penerima Bantuan Sosial",
    "Kejadian Kebakaran",
    "Titik Banjir",
    "Pencari Kerja",
    "UMKM Binaan",
    "Harga Bahan Pokok",
    "Kunjungan Wisatawan",
    "Izin Usaha",
    "Peserta KB",
    "Produksi Perikanan",
    "Pengunjung Perpustakaan",
    "Aparatur Sipil Negara",
    "Rumah Tidak Layak Huni",
    "Kawasan Kumuh",
    "Posyandu Aktif",
    "Akta Kelahiran",
]
OPENERS = ["Jumlah", "Data", "Rekapitulasi", "Daftar", "Persentase", "Laporan", "Statistik", "Capaian"]
BY = [
    "Menurut Kecamatan",
    "Menurut Kelurahan",
    "Menurut Jenis Kelamin",
    "per Bulan",
    "Menurut Kelompok Umur",
    "Menurut Status",
    "per Triwulan",
]
SENTENCES = [
    "Data dikumpulkan dari laporan rutin perangkat daerah.",
    "Sumber data adalah sistem informasi dinas.",
    "Mencakup seluruh kelurahan di Kota Pontianak.",
    "Angka sementara, dapat berubah setelah verifikasi.",
    "Disusun untuk mendukung perencanaan pembangunan daerah.",
    "Periode pengumpulan data satu tahun anggaran.",
]
THEMES = [
    "kesehatan",
    "kependudukan",
    "pendidikan",
    "keuangan",
    "transportasi",
    "infrastruktur",
    "lingkungan",
    "sosial",
    "kebencanaan",
    "ekonomi",
    "pariwisata",
    "pemerintahan",
    "pertanian",
    "perumahan",
]
TAGS = [
    "puskesmas",
    "penduduk",
    "sekolah",
    "apbd",
    "pajak",
    "jalan",
    "sampah",
    "banjir",
    "bansos",
    "umkm",
    "wisata",
    "kb",
    "ikan",
    "asn",
    "stunting",
    "dbd",
    "imunisasi",
    "kendaraan",
    "parkir",
    "harga",
    "izin",
    "kumuh",
]
FREQUENCIES = ["harian", "mingguan", "bulanan", "triwulanan", "semesteran", "tahunan", "tidak tentu"]
QUERIES = [
    "penduduk",
    "dinkes",
    "apbd 2024",
    "jumlah penduduk pontianak timur",
    "jumlah pendudk pontianak timur",
    "dinkes puskesmas",
    "sampah",
    "kasus dbd",
    "sekolah dasar",
    "pajak daerah 2023",
    "kendaraan bermotor",
    "stunting balita",
    "bantuan sosial",
    "kunjungan wisatawan",
    "benua melayu",
    "banjir",
    "harga bahan pokok",
    "guru paud",
    "imunisasi",
    "izin usaha",
    "kesehatn",
    "realisasi apbd",
    "umkm binaan",
    "pallima",
]
PREFIXES = ["pen", "dink", "jumlah pen", "apb", "sekol", "disduk", "rekap", "kasus d", "sam", "ban", "pu", "harga b"]


def records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        name, abbreviation = OPDS[n % len(OPDS)]
        year = rng.randint(2015, 2025)
        place = rng.choice(KECAMATAN + KELURAHAN)
        title = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(BY)} {place} {year}"
        docs.append(
            {
                "id": str(n),
                "slug": f"dataset-{n}",
                "title": title,
                "description": f"{title}. " + " ".join(rng.sample(SENTENCES, 3)),
                "organization": abbreviation.lower().replace(" ", "-"),
                "organization_name": name,
                "organization_abbreviation": abbreviation,
                "tags": rng.sample(TAGS, 3),
                "themes": rng.sample(THEMES, 1),
                "formats": rng.choice([["CSV"], ["CSV", "XLSX"], ["XLSX"], ["JSON"]]),
                "license": rng.choice(["cc-by", "cc0", "odc-odbl"]),
                "frequency": rng.choice(FREQUENCIES),
                "years": [year],
                "kecamatan": rng.sample(KECAMATAN, rng.randint(1, 3)),
                "is_priority": rng.random() < 0.2,
                "validation_status": rng.choice(["valid", "invalid", "unknown"]),
                "published_at": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00+07:00",
                "modified": f"{year}-12-31T08:00:00+07:00",
                "downloads": rng.randint(0, 5000),
            }
        )
    return docs


def percentile(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def query_mix(backend: SearchBackend, rng: random.Random) -> Callable[[], object]:
    """1–3 word queries, each with facet counts and filters on up to four facets."""

    def one() -> object:
        filters: dict[str, Any] = {}
        choices: list[tuple[str, Any]] = [
            ("year", [str(rng.randint(2015, 2025))]),
            ("kecamatan", [rng.choice(KECAMATAN)]),
            ("format", ["CSV"]),
            ("validation_status", ["valid", "unknown"]),
        ]
        for name, value in rng.sample(choices, rng.randint(0, 4)):
            filters[name] = value
        return backend.query(rng.choice(QUERIES), filters=filters, sort=rng.choice(["relevance", "newest"]))

    return one


def measure(label: str, backend: SearchBackend, docs: list[dict[str, Any]]) -> None:
    start = time.perf_counter()
    backend.reindex(docs)
    rate = len(docs) / (time.perf_counter() - start)
    # The first run of each query after indexing fills the backend's caches; it is measured apart.
    cold = [timed(lambda q=q: backend.query(q), 1)[0] for q in QUERIES]
    rng = random.Random(1)
    mix = query_mix(backend, rng)
    timed(mix, 20)
    queries = timed(mix, 500)
    suggest = timed(lambda: backend.suggest(rng.choice(PREFIXES)), 1000)
    print(f"{label}: {len(docs):,} records")
    print(f"  indexing        {rate:10,.0f} records/s   target ≥ {TARGETS['index_rate']:,.0f}")
    for p in (50, 95, 99):
        print(
            f"  query p{p}       {percentile(queries, p):10.2f} ms"
            + (f"          target ≤ {TARGETS['query_p95_ms']}" if p == 95 else "")
        )
    print(
        f"  first runs      {statistics.median(cold):10.2f} ms median, {max(cold):.2f} ms max"
        f" (each query once after indexing)"
    )
    for p in (50, 95, 99):
        print(
            f"  suggest p{p}     {percentile(suggest, p):10.2f} ms"
            + (f"          target ≤ {TARGETS['suggest_p95_ms']}" if p == 95 else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    docs = records(args.records)
    with tempfile.TemporaryDirectory() as folder:
        measure("embedded (SQLite FTS5)", EmbeddedBackend(Path(folder) / "search.db"), docs)
    url = os.environ.get("TERBUKA_MEILI_URL")
    if url:
        from search.meili import MeiliBackend

        meili = MeiliBackend(url, os.environ.get("TERBUKA_MEILI_KEY"), index_uid=f"bench-{uuid.uuid4().hex[:8]}")
        meili.ensure_settings()
        try:
            measure("meilisearch", meili, docs)
        finally:
            meili.drop()


if __name__ == "__main__":
    main()
