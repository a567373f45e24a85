"""A deterministic corpus of realistic Kota Pontianak dataset records for the relevance tests.

Each OPD has a few title templates; each template yields one dataset per year (or per
kecamatan), as Pontianak's portal does. Slugs are the slugified titles, so judgements can name
them.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.wilayah import kecamatan_names

KECAMATAN = kecamatan_names()
YEARS = [2020, 2021, 2022, 2023, 2024]

# slug, name, abbreviation, themes, [(title template, description, tags, frequency)]
OPDS: list[tuple[str, str, str, list[str], list[tuple[str, str, list[str], str]]]] = [
    (
        "disdukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Disdukcapil",
        ["kependudukan"],
        [
            (
                "Jumlah Penduduk Menurut Kecamatan dan Jenis Kelamin Semester I {year}",
                "Jumlah penduduk Kota Pontianak per kecamatan menurut jenis kelamin, keadaan 30 Juni.",
                ["penduduk", "jenis kelamin"],
                "semesteran",
            ),
            (
                "Jumlah Penduduk Kecamatan {kecamatan}",
                "Jumlah penduduk di kecamatan {kecamatan} per kelurahan dari data administrasi kependudukan.",
                ["penduduk", "kelurahan"],
                "semesteran",
            ),
            (
                "Kepemilikan Akta Kelahiran Anak {year}",
                "Persentase anak usia 0-18 tahun yang memiliki akta kelahiran.",
                ["akta kelahiran", "anak"],
                "tahunan",
            ),
            (
                "Perekaman KTP Elektronik {year}",
                "Jumlah perekaman dan pencetakan KTP-el per kecamatan.",
                ["ktp", "e-ktp"],
                "bulanan",
            ),
        ],
    ),
    (
        "dinkes",
        "Dinas Kesehatan",
        "Dinkes",
        ["kesehatan"],
        [
            (
                "Jumlah Kunjungan Pasien Puskesmas {year}",
                "Kunjungan rawat jalan dan rawat inap di 23 puskesmas.",
                ["puskesmas", "pasien"],
                "bulanan",
            ),
            (
                "Kasus Demam Berdarah Dengue per Kecamatan {year}",
                "Jumlah kasus DBD dan kematian akibat DBD.",
                ["dbd", "penyakit menular"],
                "bulanan",
            ),
            (
                "Cakupan Imunisasi Dasar Lengkap {year}",
                "Persentase bayi yang mendapat imunisasi dasar lengkap.",
                ["imunisasi", "bayi"],
                "tahunan",
            ),
            (
                "Prevalensi Stunting Balita {year}",
                "Balita stunting hasil penimbangan di posyandu.",
                ["stunting", "gizi", "balita"],
                "semesteran",
            ),
            (
                "Daftar Puskesmas dan Jam Layanan Kecamatan {kecamatan}",
                "Alamat, jam pelayanan dan kontak puskesmas di kecamatan {kecamatan}.",
                ["puskesmas"],
                "tidak tentu",
            ),
            ("Daftar Posyandu Aktif {year}", "Nama dan alamat posyandu aktif per kelurahan.", ["posyandu"], "tahunan"),
        ],
    ),
    (
        "rsud",
        "Rumah Sakit Umum Daerah Sultan Syarif Mohamad Alkadrie",
        "RSUD",
        ["kesehatan"],
        [
            (
                "Tingkat Hunian Tempat Tidur Rumah Sakit {year}",
                "Bed occupancy rate (BOR) rawat inap.",
                ["bor", "rawat inap"],
                "bulanan",
            ),
            (
                "Sepuluh Penyakit Terbanyak Rawat Jalan {year}",
                "Diagnosis terbanyak pasien rawat jalan RSUD.",
                ["penyakit"],
                "tahunan",
            ),
        ],
    ),
    (
        "disdikbud",
        "Dinas Pendidikan dan Kebudayaan",
        "Disdikbud",
        ["pendidikan"],
        [
            (
                "Jumlah Sekolah Dasar Negeri dan Swasta {year}",
                "Jumlah SD per kecamatan menurut status sekolah.",
                ["sd", "sekolah"],
                "tahunan",
            ),
            (
                "Jumlah Siswa SMP Menurut Kelas {year}",
                "Peserta didik sekolah menengah pertama per kelas.",
                ["smp", "siswa"],
                "tahunan",
            ),
            (
                "Angka Partisipasi Sekolah {year}",
                "APS, APK dan APM jenjang pendidikan dasar.",
                ["partisipasi sekolah"],
                "tahunan",
            ),
            (
                "Jumlah Guru PAUD {year}",
                "Guru dan tenaga kependidikan pendidikan anak usia dini.",
                ["paud", "guru"],
                "tahunan",
            ),
            (
                "Daftar Cagar Budaya {year}",
                "Bangunan dan situs cagar budaya yang ditetapkan.",
                ["cagar budaya"],
                "tidak tentu",
            ),
        ],
    ),
    (
        "bappeda",
        "Badan Perencanaan Pembangunan Daerah",
        "Bappeda",
        ["perencanaan"],
        [
            ("Indeks Pembangunan Manusia {year}", "IPM Kota Pontianak dan komponennya.", ["ipm"], "tahunan"),
            (
                "Capaian Indikator Kinerja RPJMD {year}",
                "Realisasi indikator kinerja utama RPJMD.",
                ["rpjmd", "kinerja"],
                "tahunan",
            ),
        ],
    ),
    (
        "bpkad",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "BPKAD",
        ["keuangan"],
        [
            (
                "Realisasi APBD Kota Pontianak {year}",
                "Realisasi pendapatan, belanja dan pembiayaan daerah.",
                ["apbd", "anggaran"],
                "tahunan",
            ),
            (
                "Daftar Aset Tanah Pemerintah Kota {year}",
                "Barang milik daerah berupa tanah.",
                ["aset", "bmd"],
                "tahunan",
            ),
        ],
    ),
    (
        "bapenda",
        "Badan Pendapatan Daerah",
        "Bapenda",
        ["keuangan"],
        [
            (
                "Realisasi Pajak Daerah {year}",
                "Penerimaan pajak hotel, restoran, reklame dan PBB.",
                ["pajak", "pad"],
                "bulanan",
            ),
            (
                "Jumlah Wajib Pajak PBB {year}",
                "Objek dan wajib pajak bumi dan bangunan per kecamatan.",
                ["pbb"],
                "tahunan",
            ),
        ],
    ),
    (
        "dishub",
        "Dinas Perhubungan",
        "Dishub",
        ["transportasi"],
        [
            (
                "Jumlah Kendaraan Bermotor {year}",
                "Kendaraan bermotor terdaftar menurut jenis.",
                ["kendaraan"],
                "tahunan",
            ),
            (
                "Titik Parkir Tepi Jalan Umum {year}",
                "Lokasi dan retribusi parkir tepi jalan.",
                ["parkir", "retribusi"],
                "tahunan",
            ),
            (
                "Penumpang Kapal Penyeberangan Sungai Kapuas {year}",
                "Penumpang feri dan sampan di Sungai Kapuas.",
                ["penyeberangan", "sungai kapuas"],
                "bulanan",
            ),
        ],
    ),
    (
        "pupr",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "PUPR",
        ["infrastruktur"],
        [
            (
                "Panjang Jalan Menurut Kondisi {year}",
                "Panjang jalan kota dalam kondisi baik, sedang dan rusak.",
                ["jalan", "infrastruktur"],
                "tahunan",
            ),
            (
                "Daftar Parit dan Saluran Drainase {year}",
                "Parit primer dan sekunder yang dipelihara.",
                ["drainase", "parit"],
                "tahunan",
            ),
        ],
    ),
    (
        "disperkim",
        "Dinas Perumahan Rakyat dan Kawasan Permukiman",
        "Disperkim",
        ["perumahan"],
        [
            (
                "Luas Kawasan Kumuh per Kelurahan {year}",
                "Kawasan permukiman kumuh dan penanganannya.",
                ["kumuh"],
                "tahunan",
            ),
            ("Rumah Tidak Layak Huni {year}", "Jumlah rumah tidak layak huni yang diperbaiki.", ["rtlh"], "tahunan"),
        ],
    ),
    (
        "dlh",
        "Dinas Lingkungan Hidup",
        "DLH",
        ["lingkungan"],
        [
            (
                "Volume Sampah Terangkut ke TPA {year}",
                "Timbulan dan sampah terangkut ke TPA Batu Layang.",
                ["sampah", "tpa"],
                "bulanan",
            ),
            (
                "Kualitas Air Sungai Kapuas {year}",
                "Hasil uji kualitas air sungai di titik pantau.",
                ["kualitas air"],
                "semesteran",
            ),
            ("Ruang Terbuka Hijau {year}", "Luas taman dan ruang terbuka hijau publik.", ["rth", "taman"], "tahunan"),
        ],
    ),
    (
        "dinsos",
        "Dinas Sosial",
        "Dinsos",
        ["sosial"],
        [
            (
                "Penerima Bantuan Sosial Program Keluarga Harapan {year}",
                "Keluarga penerima PKH per kecamatan.",
                ["pkh", "bansos"],
                "triwulanan",
            ),
            (
                "Data Terpadu Kesejahteraan Sosial {year}",
                "Rumah tangga miskin dalam DTKS.",
                ["dtks", "kemiskinan"],
                "semesteran",
            ),
        ],
    ),
    (
        "bpbd",
        "Badan Penanggulangan Bencana Daerah",
        "BPBD",
        ["kebencanaan"],
        [
            (
                "Kejadian Bencana Kebakaran {year}",
                "Kejadian kebakaran permukiman dan lahan.",
                ["kebakaran", "bencana"],
                "bulanan",
            ),
            (
                "Titik Rawan Banjir dan Genangan {year}",
                "Lokasi genangan saat pasang dan hujan lebat.",
                ["banjir", "genangan"],
                "tahunan",
            ),
        ],
    ),
    (
        "satpolpp",
        "Satuan Polisi Pamong Praja",
        "Satpol PP",
        ["ketertiban"],
        [
            (
                "Penertiban Pedagang Kaki Lima {year}",
                "Penertiban PKL dan reklame liar.",
                ["pkl", "penertiban"],
                "bulanan",
            ),
        ],
    ),
    (
        "diskominfo",
        "Dinas Komunikasi dan Informatika",
        "Diskominfo",
        ["teknologi informasi"],
        [
            (
                "Titik Akses Wifi Publik {year}",
                "Lokasi hotspot internet gratis Pemerintah Kota.",
                ["wifi", "internet"],
                "tahunan",
            ),
            (
                "Daftar Aplikasi Perangkat Daerah {year}",
                "Aplikasi dan layanan digital milik OPD.",
                ["aplikasi", "smart city"],
                "tahunan",
            ),
        ],
    ),
    (
        "disnaker",
        "Dinas Tenaga Kerja",
        "Disnaker",
        ["ketenagakerjaan"],
        [
            (
                "Pencari Kerja Terdaftar {year}",
                "Pencari kerja menurut pendidikan dan jenis kelamin.",
                ["pencari kerja", "kartu kuning"],
                "bulanan",
            ),
            ("Upah Minimum Kota {year}", "Besaran UMK Pontianak.", ["upah", "umk"], "tahunan"),
        ],
    ),
    (
        "dkumkm",
        "Dinas Koperasi, Usaha Mikro dan Perdagangan",
        "DKUMP",
        ["ekonomi"],
        [
            (
                "Jumlah UMKM Binaan {year}",
                "Usaha mikro kecil dan menengah binaan per sektor.",
                ["umkm", "koperasi"],
                "tahunan",
            ),
            (
                "Harga Bahan Pokok di Pasar Tradisional {year}",
                "Harga beras, gula, minyak goreng di pasar.",
                ["harga", "pasar", "sembako"],
                "mingguan",
            ),
        ],
    ),
    (
        "disporapar",
        "Dinas Kepemudaan, Olahraga dan Pariwisata",
        "Disporapar",
        ["pariwisata"],
        [
            (
                "Kunjungan Wisatawan ke Tugu Khatulistiwa {year}",
                "Wisatawan nusantara dan mancanegara.",
                ["wisata", "tugu khatulistiwa"],
                "bulanan",
            ),
            ("Daftar Hotel dan Penginapan {year}", "Hotel berbintang dan non bintang.", ["hotel"], "tahunan"),
        ],
    ),
    (
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "DPMPTSP",
        ["perizinan"],
        [
            ("Izin Usaha yang Diterbitkan {year}", "Perizinan berusaha melalui OSS.", ["izin", "oss"], "bulanan"),
            (
                "Persetujuan Bangunan Gedung {year}",
                "PBG yang diterbitkan menurut fungsi bangunan.",
                ["pbg", "imb"],
                "bulanan",
            ),
        ],
    ),
    (
        "dp3akb",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",
        "DP3AKB",
        ["sosial"],
        [
            (
                "Kasus Kekerasan terhadap Perempuan dan Anak {year}",
                "Kasus yang ditangani UPTD PPA.",
                ["kekerasan", "perempuan", "anak"],
                "triwulanan",
            ),
            ("Peserta KB Aktif {year}", "Peserta keluarga berencana menurut metode kontrasepsi.", ["kb"], "tahunan"),
        ],
    ),
    (
        "dkpp",
        "Dinas Ketahanan Pangan, Pertanian dan Perikanan",
        "DKPP",
        ["pertanian"],
        [
            (
                "Produksi Sayuran dan Buah {year}",
                "Produksi hortikultura Kota Pontianak.",
                ["pertanian", "lidah buaya"],
                "tahunan",
            ),
            (
                "Produksi Perikanan Budidaya {year}",
                "Produksi ikan keramba dan kolam.",
                ["perikanan", "ikan"],
                "tahunan",
            ),
        ],
    ),
    (
        "dispusip",
        "Dinas Perpustakaan dan Kearsipan",
        "Dispusip",
        ["pendidikan"],
        [
            (
                "Jumlah Pengunjung Perpustakaan {year}",
                "Pengunjung perpustakaan kota per bulan.",
                ["perpustakaan"],
                "bulanan",
            ),
        ],
    ),
    (
        "bkpsdm",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "BKPSDM",
        ["pemerintahan"],
        [
            (
                "Jumlah Aparatur Sipil Negara per OPD {year}",
                "ASN menurut perangkat daerah, golongan dan pendidikan.",
                ["asn", "pegawai"],
                "semesteran",
            ),
        ],
    ),
    (
        "damkar",
        "Dinas Pemadam Kebakaran dan Penyelamatan",
        "Damkar",
        ["kebencanaan"],
        [
            (
                "Respon Time Pemadam Kebakaran {year}",
                "Waktu tanggap pemadam kebakaran.",
                ["damkar", "kebakaran"],
                "bulanan",
            ),
        ],
    ),
    (
        "bps",
        "Badan Pusat Statistik Kota Pontianak",
        "BPS",
        ["statistik"],
        [
            (
                "Population by District and Sex {year}",
                "Population of Pontianak City by district and sex, mid-year.",
                ["population", "census"],
                "tahunan",
            ),
            (
                "Poverty Rate and Poor Population {year}",
                "Number of poor people and poverty line.",
                ["poverty"],
                "tahunan",
            ),
            (
                "Number of Schools, Teachers and Students {year}",
                "Schools by level in Pontianak.",
                ["schools", "education"],
                "tahunan",
            ),
        ],
    ),
    (
        "kecamatan-timur",
        "Kecamatan Pontianak Timur",
        "Kec. Pontianak Timur",
        ["pemerintahan"],
        [
            (
                "Monografi Kelurahan Benuamelayu Laut {year}",
                "Profil kelurahan Benuamelayu Laut.",
                ["monografi", "kelurahan"],
                "tahunan",
            ),
        ],
    ),
    (
        "kecamatan-selatan",
        "Kecamatan Pontianak Selatan",
        "Kec. Pontianak Selatan",
        ["pemerintahan"],
        [
            (
                "Monografi Kelurahan Benuamelayu Darat {year}",
                "Profil kelurahan Benuamelayu Darat.",
                ["monografi", "kelurahan"],
                "tahunan",
            ),
        ],
    ),
    (
        "kecamatan-barat",
        "Kecamatan Pontianak Barat",
        "Kec. Pontianak Barat",
        ["pemerintahan"],
        [
            ("Monografi Kelurahan Pallima {year}", "Profil kelurahan Pallima.", ["monografi", "kelurahan"], "tahunan"),
        ],
    ),
    (
        "setda",
        "Sekretariat Daerah",
        "Setda",
        ["pemerintahan"],
        [
            (
                "Produk Hukum Daerah {year}",
                "Peraturan daerah dan peraturan wali kota.",
                ["perda", "perwal"],
                "tidak tentu",
            ),
        ],
    ),
    (
        "inspektorat",
        "Inspektorat Daerah",
        "Inspektorat",
        ["pemerintahan"],
        [
            (
                "Tindak Lanjut Hasil Pemeriksaan {year}",
                "Rekomendasi pemeriksaan dan tindak lanjut OPD.",
                ["pengawasan", "audit"],
                "semesteran",
            ),
        ],
    ),
]
FORMATS = [["CSV"], ["CSV", "XLSX"], ["XLSX"], ["CSV", "JSON"]]
LICENSES = ["cc-by", "cc-by", "cc-by", "odc-odbl", "cc0"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_corpus() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for org_index, (org, name, abbreviation, themes, templates) in enumerate(OPDS):
        for template_index, (title, description, tags, frequency) in enumerate(templates):
            variants: list[tuple[int, str | None]] = (
                [(2024, k) for k in KECAMATAN] if "{kecamatan}" in title else [(y, None) for y in YEARS]
            )
            for variant_index, (year, kecamatan) in enumerate(variants):
                fill = {"year": year, "kecamatan": kecamatan}
                text = title.format(**fill)
                seed = org_index * 31 + template_index * 7 + variant_index
                docs.append(
                    {
                        "id": f"d{len(docs) + 1:04d}",
                        "slug": slugify(text),
                        "title": text,
                        "description": description.format(**fill),
                        "organization": org,
                        "organization_name": name,
                        "organization_abbreviation": abbreviation,
                        "tags": tags,
                        "themes": themes,
                        "formats": FORMATS[seed % len(FORMATS)],
                        "license": LICENSES[seed % len(LICENSES)],
                        "frequency": frequency,
                        "years": [year],
                        "kecamatan": [kecamatan] if kecamatan else list(KECAMATAN[: 1 + seed % 6]),
                        "is_priority": seed % 3 == 0,
                        "validation_status": ["valid", "invalid", "unknown"][seed % 3 if seed % 5 else 0],
                        "published_at": f"{year}-{1 + seed % 12:02d}-{1 + seed % 28:02d}T08:00:00+07:00",
                        "modified": f"{year}-12-31T08:00:00+07:00",
                        "downloads": (seed * 37) % 500,
                    }
                )
    return docs
