"""Population, health, education and social welfare tables."""

from datetime import date

from catalog.demo.files import Cell, Table
from catalog.demo.generators import (
    BULAN,
    KECAMATAN_HEADER,
    kecamatan_cells,
    point_in,
    rng_for,
    semester_of,
)
from catalog.demo.regions import KECAMATAN, POPULATION_WEIGHT

CITY_POPULATION_2022 = 668_000
AGE_GROUPS = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75+",
)
AGE_SHARE = (8.1, 8.4, 8.3, 8.6, 8.9, 8.5, 8.0, 7.6, 7.1, 6.3, 5.5, 4.6, 3.6, 2.6, 1.8, 2.1)


def _population(seed: str, kode: str, end: date) -> tuple[int, int]:
    """Men and women in a kecamatan at a semester's end, growing about 0.6 % a semester."""
    semesters = (end.year - 2022) * 2 + (1 if end.month == 12 else 0)
    total = CITY_POPULATION_2022 * POPULATION_WEIGHT[kode] * 1.006**semesters
    total *= rng_for(seed, kode, end).uniform(0.997, 1.003)
    men = round(total * rng_for(seed, kode, "sex").uniform(0.495, 0.506))
    return men, round(total) - men


def penduduk_kecamatan(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            men, women = _population(seed, kec.kemendagri, end)
            households = round((men + women) / rng_for(seed, kec.kemendagri, end, "kk").uniform(3.3, 3.7))
            rows.append([end, end.year, semester_of(end), *kecamatan_cells(kec), men, women, men + women, households])
    return Table(
        ["tanggal_data", "tahun", "semester", *KECAMATAN_HEADER, "laki_laki", "perempuan", "jumlah", "kepala_keluarga"],
        rows,
    )


def penduduk_kelurahan(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            men, women = _population(seed, kec.kemendagri, end)
            weights = [rng_for(seed, kel).uniform(0.6, 1.4) for kel in kec.kelurahan]
            for kel, weight in zip(kec.kelurahan, weights, strict=True):
                share = weight / sum(weights)
                rows.append([end, *kecamatan_cells(kec), kel, round(men * share), round(women * share)])
    return Table(["tanggal_data", *KECAMATAN_HEADER, "kelurahan", "laki_laki", "perempuan"], rows)


def penduduk_kelompok_umur(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            men, women = _population(seed, kec.kemendagri, end)
            for group, share in zip(AGE_GROUPS, AGE_SHARE, strict=True):
                jitter = rng_for(seed, kec.kemendagri, end, group).uniform(0.95, 1.05)
                rows.append(
                    [
                        end,
                        *kecamatan_cells(kec),
                        group,
                        round(men * share / 100 * jitter),
                        round(women * share / 100 * jitter),
                    ]
                )
    return Table(["tanggal_data", *KECAMATAN_HEADER, "kelompok_umur", "laki_laki", "perempuan"], rows)


def dokumen_kependudukan(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            rng = rng_for(seed, kec.kemendagri, end)
            men, women = _population(seed, kec.kemendagri, end)
            adults = round((men + women) * rng.uniform(0.70, 0.74))
            children = round((men + women) * rng.uniform(0.27, 0.30))
            ktp = round(adults * rng.uniform(0.965, 0.995))
            akta = round(children * rng.uniform(0.90, 0.97))
            rows.append(
                [
                    end.year,
                    *kecamatan_cells(kec),
                    adults,
                    ktp,
                    round(100 * ktp / adults, 2),
                    children,
                    akta,
                    round(100 * akta / children, 2),
                ]
            )
    return Table(
        [
            "tahun",
            *KECAMATAN_HEADER,
            "wajib_ktp",
            "sudah_rekam_ktp_el",
            "persentase_rekam_ktp_el",
            "penduduk_0_17_tahun",
            "memiliki_akta_kelahiran",
            "persentase_akta_kelahiran",
        ],
        rows,
    )


PUSKESMAS = (
    ("Kampung Bali", "61.71.01"),
    ("Kampung Dalam", "61.71.02"),
    ("Tanjung Hulu", "61.71.02"),
    ("Saigon", "61.71.02"),
    ("Banjar Serasan", "61.71.02"),
    ("Parit Mayor", "61.71.02"),
    ("Telaga Biru", "61.71.04"),
    ("Siantan Hulu", "61.71.04"),
    ("Siantan Tengah", "61.71.04"),
    ("Siantan Hilir", "61.71.04"),
    ("Khatulistiwa", "61.71.04"),
    ("Perumnas I", "61.71.03"),
    ("Perumnas II", "61.71.03"),
    ("Pal Tiga", "61.71.03"),
    ("Pal Lima", "61.71.03"),
    ("Komyos Sudarso", "61.71.03"),
    ("Purnama", "61.71.01"),
    ("Paris II", "61.71.01"),
    ("Alianyang", "61.71.05"),
    ("Gang Sehat", "61.71.05"),
    ("Kampung Bangka", "61.71.06"),
    ("Karya Mulya", "61.71.06"),
    ("Tambelan Sampit", "61.71.02"),
)
_BY_CODE = {k.kemendagri: k for k in KECAMATAN}


def puskesmas(seed: str, ends: list[date]) -> Table:
    end = ends[-1]
    rows: list[list[Cell]] = []
    for number, (name, kode) in enumerate(PUSKESMAS, start=1):
        rng = rng_for(seed, name)
        lat, lon = point_in(_BY_CODE[kode], rng)
        inpatient = "Rawat Inap" if rng.random() < 0.25 else "Non Rawat Inap"
        doctors = rng.randint(2, 6) + rng_for(seed, name, end).randint(0, 1)
        rows.append(
            [
                f"P6171{number:03d}",
                f"Puskesmas {name}",
                inpatient,
                *kecamatan_cells(_BY_CODE[kode]),
                lat,
                lon,
                doctors,
                end.year,
            ]
        )
    return Table(
        [
            "kode_puskesmas",
            "nama_puskesmas",
            "jenis",
            *KECAMATAN_HEADER,
            "latitude",
            "longitude",
            "jumlah_dokter",
            "tahun_data",
        ],
        rows,
    )


def posyandu(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            for kel in kec.kelurahan:
                total = rng_for(seed, kel).randint(8, 24)
                active = total - rng_for(seed, kel, end).randint(0, 3)
                rows.append([end.year, *kecamatan_cells(kec), kel, total, active, active * 5])
    return Table(["tahun", *KECAMATAN_HEADER, "kelurahan", "jumlah_posyandu", "posyandu_aktif", "jumlah_kader"], rows)


def kasus_dbd(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for month, name in enumerate(BULAN, start=1):
            wet = month in (1, 2, 3, 11, 12)
            for kec in KECAMATAN:
                rng = rng_for(seed, end.year, month, kec.kemendagri)
                cases = rng.randint(4, 22) if wet else rng.randint(0, 8)
                deaths = 1 if cases > 18 and rng.random() < 0.3 else 0
                rows.append([end.year, month, name, *kecamatan_cells(kec), cases, deaths])
    return Table(["tahun", "bulan", "nama_bulan", *KECAMATAN_HEADER, "kasus_dbd", "meninggal"], rows)


def imunisasi(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            rng = rng_for(seed, end, kec.kemendagri)
            babies = round(CITY_POPULATION_2022 * POPULATION_WEIGHT[kec.kemendagri] * rng.uniform(0.015, 0.018))
            complete = round(babies * rng.uniform(0.86, 0.98))
            rows.append([end.year, *kecamatan_cells(kec), babies, complete, round(100 * complete / babies, 2)])
    return Table(["tahun", *KECAMATAN_HEADER, "sasaran_bayi", "imunisasi_dasar_lengkap", "persentase_idl"], rows)


BED_CLASSES = (
    ("VIP", 12),
    ("Kelas I", 30),
    ("Kelas II", 48),
    ("Kelas III", 96),
    ("ICU", 10),
    ("NICU", 8),
    ("HCU", 6),
    ("Isolasi", 14),
)


def tempat_tidur_rsud(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for room, beds in BED_CLASSES:
            count = beds + rng_for(seed, room, end).randint(0, 4) + 2 * (end.year - 2022)
            occupancy = round(rng_for(seed, room, end, "bor").uniform(55, 88), 1)
            rows.append([end.year, room, count, occupancy])
    return Table(["tahun", "kelas_perawatan", "jumlah_tempat_tidur", "bor_persen"], rows)


def kunjungan_rsud(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for month, name in enumerate(BULAN, start=1):
            for service, base in (("Rawat Jalan", 9500), ("Rawat Inap", 1400), ("IGD", 2100)):
                visits = round(base * rng_for(seed, end.year, month, service).uniform(0.85, 1.15))
                rows.append([end.year, month, name, service, visits])
    return Table(["tahun", "bulan", "nama_bulan", "jenis_layanan", "jumlah_kunjungan"], rows)


LEVELS = (("SD", 34, 20), ("SMP", 12, 18), ("SMA", 4, 8))  # (jenjang, negeri per 100k people, swasta)


def _schools(seed: str, kode: str, end: date, level: str, public: int, private: int) -> tuple[int, int]:
    scale = POPULATION_WEIGHT[kode] * CITY_POPULATION_2022 / 100_000
    rng = rng_for(seed, kode, level)
    return round(public * scale * rng.uniform(0.8, 1.2)), round(private * scale * rng.uniform(0.8, 1.2)) + (
        end.year - 2022
    ) * rng.randint(0, 1)


def sekolah(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            for level, public, private in LEVELS:
                negeri, swasta = _schools(seed, kec.kemendagri, end, level, public, private)
                rows.append([end.year, *kecamatan_cells(kec), level, negeri, swasta, negeri + swasta])
    return Table(["tahun", *KECAMATAN_HEADER, "jenjang", "sekolah_negeri", "sekolah_swasta", "jumlah_sekolah"], rows)


def peserta_didik(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            for level, public, private in LEVELS:
                negeri, swasta = _schools(seed, kec.kemendagri, end, level, public, private)
                rng = rng_for(seed, kec.kemendagri, level, end)
                pupils = (negeri + swasta) * rng.randint(180, 320)
                boys = round(pupils * rng.uniform(0.49, 0.52))
                teachers = round(pupils / rng.uniform(14, 19))
                rows.append([end.year, *kecamatan_cells(kec), level, boys, pupils - boys, teachers])
    return Table(["tahun", *KECAMATAN_HEADER, "jenjang", "siswa_laki_laki", "siswa_perempuan", "jumlah_guru"], rows)


def dtks(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            rng = rng_for(seed, kec.kemendagri, end)
            families = round(CITY_POPULATION_2022 * POPULATION_WEIGHT[kec.kemendagri] / 3.5 * rng.uniform(0.11, 0.2))
            rows.append(
                [
                    end.year,
                    *kecamatan_cells(kec),
                    families,
                    round(families * rng.uniform(0.3, 0.4)),
                    round(families * rng.uniform(0.45, 0.6)),
                ]
            )
    return Table(["tahun", *KECAMATAN_HEADER, "keluarga_dtks", "penerima_pkh", "penerima_bpnt"], rows)


def kemiskinan(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for year in range(2019, ends[-1].year + 1):
        rng = rng_for(seed, year)
        share = round(5.4 - 0.12 * (year - 2019) + (0.35 if year in (2020, 2021) else 0) + rng.uniform(-0.05, 0.05), 2)
        line = round(520_000 * 1.045 ** (year - 2019) + rng.randint(-3000, 3000))
        rows.append([year, round(CITY_POPULATION_2022 * share / 100 / 1000, 2), share, line])
    return Table(["tahun", "penduduk_miskin_ribu_jiwa", "persentase_penduduk_miskin", "garis_kemiskinan_rp"], rows)
