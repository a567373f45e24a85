"""The demo's datasets: metadata in Indonesian, the generator of their data and their releases."""

from dataclasses import dataclass, field
from datetime import date

from catalog.demo.generators import Generator, city, society
from catalog.demo.regions import KECAMATAN_CODES, KOTA_KEMENDAGRI
from catalog.models import UpdateFrequency

F = UpdateFrequency
YEARS = [date(year, 12, 31) for year in (2022, 2023, 2024)]
RECENT_YEARS = YEARS[1:]
SEMESTERS = [date(year, month, 30 if month == 6 else 31) for year in (2022, 2023, 2024) for month in (6, 12)]


@dataclass(frozen=True)
class DemoDataset:
    slug: str
    organization: str
    title: str
    summary: str
    generator: Generator
    releases: list[date]
    frequency: UpdateFrequency
    themes: list[str]
    tags: list[str]
    collection: str
    formats: tuple[str, ...] = ("csv",)
    license_id: str = "cc-by-4.0"
    is_priority: bool = False
    per_kecamatan: bool = True
    series_since: int | None = None  # when each release repeats the whole series from that year
    extras: dict[str, str] = field(default_factory=dict)


ADMINISTRASI = "Rekapitulasi data administrasi"
SURVEI = "Survei lapangan"

DATASETS = [
    DemoDataset("jumlah-penduduk-kecamatan", "disdukcapil", "Jumlah Penduduk per Kecamatan",
       "Jumlah penduduk menurut jenis kelamin dan jumlah kepala keluarga per kecamatan, posisi 30 Juni dan "
       "31 Desember setiap tahun.", society.penduduk_kecamatan, SEMESTERS, F.semesteran, ["kependudukan"],
       ["penduduk", "kependudukan", "kecamatan"], "Konsolidasi data SIAK (Sistem Informasi Administrasi Kependudukan)",
       formats=("csv", "xlsx"), is_priority=True),
    DemoDataset("jumlah-penduduk-kelurahan", "disdukcapil", "Jumlah Penduduk per Kelurahan",
       "Jumlah penduduk laki-laki dan perempuan di 29 kelurahan Kota Pontianak.", society.penduduk_kelurahan,
       SEMESTERS[2:], F.semesteran, ["kependudukan"], ["penduduk", "kelurahan"],
       "Konsolidasi data SIAK (Sistem Informasi Administrasi Kependudukan)"),
    DemoDataset("penduduk-kelompok-umur", "disdukcapil", "Penduduk menurut Kelompok Umur dan Jenis Kelamin",
       "Piramida penduduk per kecamatan dalam kelompok umur lima tahunan.", society.penduduk_kelompok_umur,
       SEMESTERS[4:], F.semesteran, ["kependudukan"], ["penduduk", "umur", "piramida penduduk"],
       "Konsolidasi data SIAK (Sistem Informasi Administrasi Kependudukan)"),
    DemoDataset("kepemilikan-dokumen-kependudukan", "disdukcapil", "Kepemilikan KTP-el dan Akta Kelahiran",
       "Cakupan perekaman KTP elektronik dan kepemilikan akta kelahiran anak per kecamatan.",
       society.dokumen_kependudukan, YEARS, F.tahunan, ["kependudukan"], ["ktp-el", "akta kelahiran"], ADMINISTRASI),
    DemoDataset("daftar-puskesmas", "dinkes", "Daftar Puskesmas Kota Pontianak",
       "Lokasi (koordinat), jenis layanan dan jumlah dokter setiap puskesmas.", society.puskesmas, RECENT_YEARS,
       F.tahunan, ["kesehatan"], ["puskesmas", "fasilitas kesehatan", "peta"], ADMINISTRASI,
       formats=("csv", "xlsx")),
    DemoDataset("jumlah-posyandu", "dinkes", "Jumlah Posyandu per Kelurahan",
       "Jumlah posyandu, posyandu aktif dan kader per kelurahan.", society.posyandu, YEARS, F.tahunan,
       ["kesehatan"], ["posyandu", "kelurahan", "balita"], "Laporan puskesmas"),
    DemoDataset("kasus-demam-berdarah", "dinkes", "Kasus Demam Berdarah Dengue (DBD) per Bulan",
       "Jumlah kasus dan kematian DBD per kecamatan setiap bulan.", society.kasus_dbd, YEARS, F.tahunan,
       ["kesehatan"], ["dbd", "demam berdarah", "surveilans"], "Surveilans penyakit puskesmas",
       extras={"Periode Pelaksanaan Pengumpulan Data": "Bulanan"}),
    DemoDataset("imunisasi-dasar-lengkap", "dinkes", "Cakupan Imunisasi Dasar Lengkap",
       "Sasaran bayi dan bayi yang mendapat imunisasi dasar lengkap per kecamatan.", society.imunisasi, YEARS,
       F.tahunan, ["kesehatan"], ["imunisasi", "bayi"], "Laporan puskesmas"),
    DemoDataset("tempat-tidur-rsud", "rsud", "Jumlah Tempat Tidur RSUD Sultan Syarif Mohamad Alkadrie",
       "Jumlah tempat tidur dan tingkat hunian (BOR) menurut kelas perawatan.", society.tempat_tidur_rsud, YEARS,
       F.tahunan, ["kesehatan"], ["rumah sakit", "tempat tidur", "bor"], "Sistem informasi rumah sakit",
       formats=("xlsx",), per_kecamatan=False),
    DemoDataset("kunjungan-pasien-rsud", "rsud", "Kunjungan Pasien RSUD per Bulan",
       "Jumlah kunjungan rawat jalan, rawat inap dan IGD setiap bulan.", society.kunjungan_rsud, YEARS,
       F.tahunan, ["kesehatan"], ["rumah sakit", "kunjungan pasien"], "Sistem informasi rumah sakit",
       per_kecamatan=False),
    DemoDataset("jumlah-sekolah", "disdikbud", "Jumlah Sekolah per Kecamatan dan Jenjang",
       "Jumlah sekolah negeri dan swasta jenjang SD, SMP dan SMA per kecamatan.", society.sekolah, YEARS,
       F.tahunan, ["pendidikan"], ["sekolah", "sd", "smp", "sma"], "Data Pokok Pendidikan (Dapodik)",
       formats=("csv", "xlsx")),
    DemoDataset("peserta-didik-dan-guru", "disdikbud", "Jumlah Peserta Didik dan Guru",
       "Jumlah siswa menurut jenis kelamin dan jumlah guru per kecamatan dan jenjang.", society.peserta_didik,
       YEARS, F.tahunan, ["pendidikan"], ["siswa", "guru", "sekolah"], "Data Pokok Pendidikan (Dapodik)"),
    DemoDataset("keluarga-penerima-bantuan-sosial", "dinsos", "Keluarga DTKS dan Penerima Bantuan Sosial",
       "Keluarga dalam Data Terpadu Kesejahteraan Sosial (DTKS), penerima PKH dan BPNT per kecamatan.",
       society.dtks, YEARS, F.tahunan, ["sosial"], ["dtks", "pkh", "bpnt", "bantuan sosial"], ADMINISTRASI),
    DemoDataset("penduduk-miskin", "bappeda", "Jumlah dan Persentase Penduduk Miskin",
       "Penduduk miskin, persentasenya dan garis kemiskinan Kota Pontianak sejak 2019.", society.kemiskinan,
       YEARS, F.tahunan, ["sosial", "ekonomi"], ["kemiskinan", "garis kemiskinan"],
       "Kompilasi dari Survei Sosial Ekonomi Nasional (Susenas)", is_priority=True, per_kecamatan=False,
       license_id="cc0-1.0", series_since=2019),
    DemoDataset("indeks-pembangunan-manusia", "bappeda", "Indeks Pembangunan Manusia (IPM)",
       "IPM Kota Pontianak dan komponennya: umur harapan hidup, harapan dan rata-rata lama sekolah, "
       "pengeluaran per kapita.", city.ipm, YEARS, F.tahunan, ["sosial", "pemerintahan"],
       ["ipm", "pembangunan manusia"], "Kompilasi dari publikasi statistik", is_priority=True,
       per_kecamatan=False, series_since=2019),
    DemoDataset("apbd-anggaran-realisasi", "bpkad", "Anggaran dan Realisasi APBD",
       "Anggaran dan realisasi pendapatan, belanja dan pembiayaan daerah dalam rupiah.", city.apbd, YEARS,
       F.tahunan, ["keuangan"], ["apbd", "anggaran", "realisasi"], "Sistem Informasi Pemerintahan Daerah (SIPD)",
       formats=("csv", "xlsx"), per_kecamatan=False),
    DemoDataset("panjang-jalan-kondisi", "pupr", "Panjang Jalan menurut Kondisi",
       "Panjang jalan kota (km) per kecamatan menurut kondisi: baik, sedang, rusak ringan, rusak berat.",
       city.jalan_kondisi, YEARS, F.tahunan, ["infrastruktur"], ["jalan", "kondisi jalan"], SURVEI),
    DemoDataset("saluran-drainase", "pupr", "Panjang Saluran Drainase",
       "Panjang saluran drainase primer, sekunder dan tersier serta persentase dalam kondisi baik.",
       city.drainase, RECENT_YEARS, F.tahunan, ["infrastruktur", "lingkungan"], ["drainase", "parit"], SURVEI),
    DemoDataset("volume-lalu-lintas", "dishub", "Volume Lalu Lintas Ruas Jalan Utama",
       "Volume lalu lintas jam puncak, kapasitas dan rasio V/C pada ruas jalan utama.", city.lalu_lintas, YEARS,
       F.tahunan, ["transportasi"], ["lalu lintas", "jalan"], "Survei pencacahan lalu lintas"),
    DemoDataset("trayek-angkutan-kota", "dishub", "Trayek Angkutan Kota",
       "Trayek oplet (angkutan kota), panjang rute dan jumlah armada.", city.trayek_angkutan, RECENT_YEARS,
       F.tidak_tentu, ["transportasi"], ["angkutan umum", "oplet", "trayek"], ADMINISTRASI, per_kecamatan=False),
    DemoDataset("titik-parkir-tepi-jalan", "dishub", "Titik Parkir Tepi Jalan",
       "Lokasi dan kapasitas parkir tepi jalan umum.", city.titik_parkir, RECENT_YEARS, F.tidak_tentu,
       ["transportasi"], ["parkir", "peta"], SURVEI),
    DemoDataset("titik-rawan-banjir", "bpbd", "Titik Rawan Banjir",
       "Lokasi rawan genangan dan banjir rob, tingkat kerawanan dan penyebab utamanya.", city.rawan_banjir,
       RECENT_YEARS, F.tahunan, ["kebencanaan"], ["banjir", "rob", "peta"], SURVEI, license_id="odbl-1.0"),
    DemoDataset("kejadian-bencana", "bpbd", "Kejadian Bencana per Bulan",
       "Jumlah kejadian bencana dan rumah terdampak menurut jenis bencana setiap bulan.", city.kejadian_bencana,
       YEARS, F.tahunan, ["kebencanaan"], ["bencana", "kebakaran", "banjir"], "Laporan kejadian Pusdalops",
       per_kecamatan=False),
    DemoDataset("timbulan-sampah", "dlh", "Timbulan dan Pengangkutan Sampah",
       "Timbulan sampah kota dan sampah terangkut ke TPA Batu Layang per bulan (ton).", city.timbulan_sampah,
       YEARS, F.tahunan, ["lingkungan"], ["sampah", "tpa"], "Penimbangan di TPA Batu Layang", per_kecamatan=False),
    DemoDataset("kualitas-air-sungai", "dlh", "Kualitas Air Sungai Kapuas dan Sungai Landak",
       "Hasil uji pH, DO, BOD, COD dan TSS pada titik pantau sungai.", city.kualitas_air, SEMESTERS[2:],
       F.semesteran, ["lingkungan"], ["kualitas air", "sungai kapuas", "sungai landak"],
       "Pengambilan sampel dan uji laboratorium", per_kecamatan=False, license_id="cc-by-sa-4.0"),
    DemoDataset("daftar-pasar", "diskumdag", "Daftar Pasar Rakyat",
       "Lokasi pasar rakyat, jumlah kios dan los, serta pengelolanya.", city.pasar, RECENT_YEARS, F.tahunan,
       ["ekonomi"], ["pasar", "perdagangan", "peta"], ADMINISTRASI, formats=("csv", "xlsx")),
    DemoDataset("harga-bahan-pokok", "diskumdag", "Harga Rata-rata Bahan Pokok per Bulan",
       "Harga rata-rata bulanan bahan pokok di pasar rakyat Kota Pontianak.", city.harga_bahan_pokok, YEARS,
       F.tahunan, ["ekonomi"], ["harga", "bahan pokok", "inflasi"], "Pemantauan harga mingguan di pasar",
       per_kecamatan=False),
    DemoDataset("titik-wifi-publik", "diskominfo", "Titik Wi-Fi Publik",
       "Lokasi, kapasitas dan status layanan internet gratis di ruang publik.", city.wifi_publik, RECENT_YEARS,
       F.tidak_tentu, ["pemerintahan"], ["wifi", "internet", "smart city"], ADMINISTRASI,
       license_id="cc-by-sa-4.0"),
]

# The two releases the walidata has not published: one waits for review, one went back to its OPD.
SUBMITTED = ("timbulan-sampah", 3)
RETURNED = ("volume-lalu-lintas", 3)
RETURN_NOTE = (
    "Volume beberapa ruas tahun 2024 belum dicocokkan dengan hasil penghitungan otomatis ATCS; "
    "mohon periksa kembali hasil pencacahan sebelum diterbitkan."
)


def spatial_coverage(dataset: DemoDataset) -> list[str]:
    return [KOTA_KEMENDAGRI, *KECAMATAN_CODES] if dataset.per_kecamatan else [KOTA_KEMENDAGRI]
