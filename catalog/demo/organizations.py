"""The OPDs of the demo and the people who work with their data."""

from dataclasses import dataclass

from catalog.models import Role

DEMO_PASSWORD = "terbuka-demo"


@dataclass(frozen=True)
class Opd:
    slug: str
    name: str
    abbreviation: str
    kind: str
    description: str


OPDS = (
    Opd(
        "diskominfo",
        "Dinas Komunikasi dan Informatika",
        "Diskominfo",
        "dinas",
        "Walidata Kota Pontianak: memeriksa dan menerbitkan data seluruh OPD, serta mengelola layanan TIK.",
    ),
    Opd(
        "disdukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil",
        "Disdukcapil",
        "dinas",
        "Data kependudukan hasil konsolidasi semesteran (30 Juni dan 31 Desember).",
    ),
    Opd(
        "dinkes",
        "Dinas Kesehatan",
        "Dinkes",
        "dinas",
        "Fasilitas kesehatan, puskesmas, posyandu, dan surveilans penyakit.",
    ),
    Opd(
        "disdikbud",
        "Dinas Pendidikan dan Kebudayaan",
        "Disdikbud",
        "dinas",
        "Satuan pendidikan, peserta didik, dan tenaga pendidik.",
    ),
    Opd(
        "bappeda",
        "Badan Perencanaan Pembangunan Daerah",
        "Bappeda",
        "badan",
        "Perencanaan pembangunan dan indikator kinerja daerah.",
    ),
    Opd("dishub", "Dinas Perhubungan", "Dishub", "dinas", "Lalu lintas, angkutan umum, dan perparkiran."),
    Opd(
        "bpkad",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "BPKAD",
        "badan",
        "Anggaran Pendapatan dan Belanja Daerah (APBD) dan aset daerah.",
    ),
    Opd(
        "pupr",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "PUPR",
        "dinas",
        "Jalan, jembatan, drainase, dan penataan ruang.",
    ),
    Opd(
        "bpbd",
        "Badan Penanggulangan Bencana Daerah",
        "BPBD",
        "badan",
        "Kesiapsiagaan dan penanganan bencana: banjir rob, kebakaran, angin puting beliung.",
    ),
    Opd("dinsos", "Dinas Sosial", "Dinsos", "dinas", "Kesejahteraan sosial dan penerima bantuan sosial."),
    Opd("dlh", "Dinas Lingkungan Hidup", "DLH", "dinas", "Persampahan, ruang terbuka hijau, dan kualitas lingkungan."),
    Opd(
        "diskumdag",
        "Dinas Koperasi, Usaha Mikro dan Perdagangan",
        "Diskumdag",
        "dinas",
        "Pasar rakyat, harga bahan pokok, koperasi, dan usaha mikro.",
    ),
    Opd(
        "rsud",
        "RSUD Sultan Syarif Mohamad Alkadrie",
        "RSUD SSMA",
        "rumah sakit",
        "Rumah sakit umum daerah milik Pemerintah Kota Pontianak.",
    ),
)


@dataclass(frozen=True)
class Person:
    username: str
    role: Role
    full_name: str
    organization: str | None = None


def producer_username(opd_slug: str) -> str:
    return f"{opd_slug}-data"


ADMIN = Person("admin", Role.admin, "Administrator Terbuka")
PEOPLE = (
    ADMIN,
    Person("walidata", Role.walidata, "Walidata Diskominfo Kota Pontianak", "diskominfo"),
    Person("bps", Role.pembina, "Pembina Data BPS Kota Pontianak"),
    *(Person(producer_username(o.slug), Role.produsen, f"Produsen Data {o.abbreviation}", o.slug) for o in OPDS),
)
