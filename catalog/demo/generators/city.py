"""Finance, planning, roads, transport, disasters, environment and trade tables."""

from datetime import date

from catalog.demo.files import Cell, Table
from catalog.demo.generators import BULAN, KECAMATAN_HEADER, kecamatan_cells, point_in, rng_for
from catalog.demo.regions import KECAMATAN

APBD_LINES = (  # (kelompok, uraian, anggaran 2022 in billions of rupiah)
    ("Pendapatan", "Pendapatan Asli Daerah", 540),
    ("Pendapatan", "Pendapatan Transfer", 1250),
    ("Pendapatan", "Lain-lain Pendapatan Daerah yang Sah", 35),
    ("Belanja", "Belanja Pegawai", 780),
    ("Belanja", "Belanja Barang dan Jasa", 620),
    ("Belanja", "Belanja Modal", 360),
    ("Belanja", "Belanja Hibah", 45),
    ("Belanja", "Belanja Bantuan Sosial", 12),
    ("Belanja", "Belanja Tidak Terduga", 10),
    ("Pembiayaan", "Penerimaan Pembiayaan", 70),
)


def apbd(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for group, line, billions in APBD_LINES:
            rng = rng_for(seed, end.year, line)
            budget = round(billions * 1e9 * 1.05 ** (end.year - 2022) * rng.uniform(0.97, 1.03), -3)
            spent = round(budget * rng.uniform(0.82, 1.04 if group == "Pendapatan" else 0.97), -3)
            rows.append([end.year, group, line, int(budget), int(spent), round(100 * spent / budget, 2)])
    return Table(["tahun", "kelompok", "uraian", "anggaran_rp", "realisasi_rp", "persentase_realisasi"], rows)


IPM_2019 = (73.33, 14.86, 10.36, 13_702)  # UHH, HLS, RLS, pengeluaran per kapita (ribu rupiah)


def ipm(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for year in range(2019, ends[-1].year + 1):
        rng = rng_for(seed, year)
        step = year - 2019
        life, expected, mean, spending = IPM_2019
        values = (life + 0.15 * step, expected + 0.05 * step, mean + 0.06 * step, spending + 180 * step)
        index = 79.9 + 0.42 * step + rng.uniform(-0.05, 0.05)
        rows.append([year, *(round(v, 2) for v in values[:3]), round(values[3]), round(index, 2)])
    return Table(
        [
            "tahun",
            "umur_harapan_hidup",
            "harapan_lama_sekolah",
            "rata_rata_lama_sekolah",
            "pengeluaran_per_kapita_ribu_rp",
            "ipm",
        ],
        rows,
    )


ROAD_CONDITIONS = ("Baik", "Sedang", "Rusak Ringan", "Rusak Berat")


def jalan_kondisi(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            length = rng_for(seed, kec.kemendagri).uniform(70, 160)
            shares = [
                rng_for(seed, kec.kemendagri, end, c).uniform(lo, hi)
                for c, lo, hi in zip(ROAD_CONDITIONS, (60, 15, 5, 1), (75, 25, 12, 5), strict=True)
            ]
            for condition, share in zip(ROAD_CONDITIONS, shares, strict=True):
                rows.append([end.year, *kecamatan_cells(kec), condition, round(length * share / sum(shares), 2)])
    return Table(["tahun", *KECAMATAN_HEADER, "kondisi_jalan", "panjang_km"], rows)


def drainase(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for kec in KECAMATAN:
            for kind, lo, hi in (("Primer", 8, 20), ("Sekunder", 25, 60), ("Tersier", 80, 190)):
                length = rng_for(seed, kec.kemendagri, kind).uniform(lo, hi)
                good = rng_for(seed, kec.kemendagri, kind, end).uniform(55, 85)
                rows.append([end.year, *kecamatan_cells(kec), kind, round(length, 2), round(good, 1)])
    return Table(["tahun", *KECAMATAN_HEADER, "jenis_saluran", "panjang_km", "kondisi_baik_persen"], rows)


ROADS = (
    ("Jl. Ahmad Yani", "61.71.01", 5800),
    ("Jl. Gajah Mada", "61.71.01", 3900),
    ("Jl. Tanjungpura", "61.71.05", 4600),
    ("Jl. Imam Bonjol", "61.71.06", 3700),
    ("Jl. Sultan Abdurrahman", "61.71.05", 3300),
    ("Jl. Kom. Yos Sudarso", "61.71.03", 3500),
    ("Jl. Khatulistiwa", "61.71.04", 3100),
    ("Jl. Tanjung Raya II", "61.71.02", 2600),
    ("Jl. Prof. M. Yamin", "61.71.05", 2900),
    ("Jl. Hasanuddin", "61.71.03", 2400),
)
_BY_CODE = {k.kemendagri: k for k in KECAMATAN}


def lalu_lintas(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for road, kode, capacity in ROADS:
            volume = round(capacity * rng_for(seed, road, end).uniform(0.55, 1.05) * 1.03 ** (end.year - 2022))
            rows.append(
                [end.year, road, *kecamatan_cells(_BY_CODE[kode]), volume, capacity, round(volume / capacity, 2)]
            )
    return Table(
        ["tahun", "ruas_jalan", *KECAMATAN_HEADER, "volume_smp_per_jam", "kapasitas_smp_per_jam", "rasio_vc"], rows
    )


ROUTES = (
    ("A", "Terminal Kapuas Indah - Jl. Ahmad Yani - Jl. Sungai Raya Dalam"),
    ("B", "Terminal Kapuas Indah - Jl. Tanjungpura - Siantan"),
    ("C", "Terminal Kapuas Indah - Jl. Kom. Yos Sudarso - Jeruju"),
    ("D", "Terminal Kapuas Indah - Jl. Imam Bonjol - Tanjung Hulu"),
    ("E", "Terminal Kapuas Indah - Jl. Gajah Mada - Jl. Pahlawan"),
    ("F", "Terminal Batu Layang - Jl. Khatulistiwa - Siantan Hilir"),
    ("G", "Terminal Kapuas Indah - Jl. Sultan Hamid II - Parit Mayor"),
)


def trayek_angkutan(seed: str, ends: list[date]) -> Table:
    end = ends[-1]
    rows: list[list[Cell]] = []
    for code, route in ROUTES:
        rng = rng_for(seed, code)
        registered = rng.randint(12, 40)
        running = registered - rng_for(seed, code, end).randint(3, 10)
        rows.append([f"Trayek {code}", route, round(rng.uniform(9, 21), 1), registered, running, end.year])
    return Table(["kode_trayek", "rute", "panjang_km", "armada_terdaftar", "armada_beroperasi", "tahun_data"], rows)


def titik_parkir(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for number, (road, kode, _capacity) in enumerate(ROADS, start=1):
        rng = rng_for(seed, road)
        lat, lon = point_in(_BY_CODE[kode], rng)
        rows.append(
            [
                f"PKR-{number:03d}",
                road,
                *kecamatan_cells(_BY_CODE[kode]),
                lat,
                lon,
                rng.randint(40, 220),
                rng.randint(8, 60),
                ends[-1].year,
            ]
        )
    return Table(
        [
            "kode_titik",
            "ruas_jalan",
            *KECAMATAN_HEADER,
            "latitude",
            "longitude",
            "kapasitas_roda_dua",
            "kapasitas_roda_empat",
            "tahun_data",
        ],
        rows,
    )


FLOOD_CAUSES = ("Pasang air laut (rob)", "Curah hujan tinggi", "Saluran drainase tersumbat")
FLOOD_LEVELS = ("Rendah", "Sedang", "Tinggi")


def rawan_banjir(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    number = 0
    for kec in KECAMATAN:
        for kel in kec.kelurahan:
            rng = rng_for(seed, kel)
            for _ in range(rng.randint(1, 3)):
                number += 1
                lat, lon = point_in(kec, rng)
                rows.append(
                    [
                        f"RB-{number:03d}",
                        kel,
                        *kecamatan_cells(kec),
                        lat,
                        lon,
                        rng.choice(FLOOD_LEVELS),
                        rng.choice(FLOOD_CAUSES),
                        ends[-1].year,
                    ]
                )
    return Table(
        [
            "kode_titik",
            "kelurahan",
            *KECAMATAN_HEADER,
            "latitude",
            "longitude",
            "tingkat_kerawanan",
            "penyebab_utama",
            "tahun_pendataan",
        ],
        rows,
    )


HAZARDS = (
    ("Banjir rob", (11, 12, 1)),
    ("Kebakaran bangunan", ()),
    ("Kebakaran lahan", (7, 8, 9)),
    ("Angin puting beliung", (10, 11)),
)


def kejadian_bencana(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for month, name in enumerate(BULAN, start=1):
            for hazard, season in HAZARDS:
                rng = rng_for(seed, end.year, month, hazard)
                events = rng.randint(2, 7) if month in season else rng.randint(0, 2)
                rows.append([end.year, month, name, hazard, events, events * rng.randint(0, 9)])
    return Table(["tahun", "bulan", "nama_bulan", "jenis_bencana", "jumlah_kejadian", "rumah_terdampak"], rows)


def timbulan_sampah(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for month, name in enumerate(BULAN, start=1):
            rng = rng_for(seed, end.year, month)
            waste = 30 * rng.uniform(370, 420) * 1.02 ** (end.year - 2022)
            hauled = waste * rng.uniform(0.78, 0.9)
            rows.append([end.year, month, name, round(waste, 1), round(hauled, 1), round(100 * hauled / waste, 2)])
    return Table(["tahun", "bulan", "nama_bulan", "timbulan_ton", "terangkut_ke_tpa_ton", "persentase_terangkut"], rows)


SAMPLING_POINTS = (
    ("Sungai Kapuas - Jembatan Kapuas I", -0.0303, 109.3465),
    ("Sungai Kapuas - Pelabuhan Seng Hie", -0.0253, 109.3402),
    ("Sungai Landak - Jembatan Landak", -0.0218, 109.3590),
    ("Sungai Kapuas - Batu Layang", -0.0010, 109.3050),
    ("Parit Tokaya - Jl. Karya Baru", -0.0580, 109.3360),
)


def kualitas_air(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        sampled = date(end.year, end.month, 15)
        for place, lat, lon in SAMPLING_POINTS:
            rng = rng_for(seed, place, end)
            rows.append(
                [
                    sampled,
                    place,
                    lat,
                    lon,
                    round(rng.uniform(5.6, 7.2), 2),
                    round(rng.uniform(3.2, 6.4), 2),
                    round(rng.uniform(1.8, 5.5), 2),
                    round(rng.uniform(9.0, 28.0), 2),
                    round(rng.uniform(18.0, 80.0), 1),
                ]
            )
    return Table(
        ["tanggal_sampling", "lokasi", "latitude", "longitude", "ph", "do_mg_l", "bod_mg_l", "cod_mg_l", "tss_mg_l"],
        rows,
    )


MARKETS = (
    ("Pasar Flamboyan", "61.71.05"),
    ("Pasar Kemuning", "61.71.01"),
    ("Pasar Teratai", "61.71.05"),
    ("Pasar Mawar", "61.71.05"),
    ("Pasar Dahlia", "61.71.03"),
    ("Pasar Puring", "61.71.04"),
    ("Pasar Kenanga", "61.71.05"),
    ("Pasar Tanjung Raya", "61.71.02"),
    ("Pasar Sudi Mampir", "61.71.04"),
    ("Pasar Cempaka", "61.71.03"),
    ("Pasar Anggrek", "61.71.01"),
    ("Pasar Nipah Kuning", "61.71.03"),
    ("Pasar Parit Pangeran", "61.71.04"),
    ("Pasar Kapuas Indah", "61.71.05"),
)


def pasar(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for number, (name, kode) in enumerate(MARKETS, start=1):
        rng = rng_for(seed, name)
        lat, lon = point_in(_BY_CODE[kode], rng)
        rows.append(
            [
                f"PSR-{number:02d}",
                name,
                *kecamatan_cells(_BY_CODE[kode]),
                lat,
                lon,
                rng.randint(20, 400),
                rng.randint(30, 600),
                rng.choice(("Pemerintah Kota", "Pemerintah Kota", "Swasta")),
                ends[-1].year,
            ]
        )
    return Table(
        [
            "kode_pasar",
            "nama_pasar",
            *KECAMATAN_HEADER,
            "latitude",
            "longitude",
            "jumlah_kios",
            "jumlah_los",
            "pengelola",
            "tahun_data",
        ],
        rows,
    )


COMMODITIES = (
    ("Beras medium", "kg", 12_500),
    ("Gula pasir", "kg", 15_000),
    ("Minyak goreng curah", "liter", 15_500),
    ("Cabai rawit", "kg", 55_000),
    ("Bawang merah", "kg", 38_000),
    ("Telur ayam ras", "kg", 28_000),
    ("Daging ayam ras", "kg", 36_000),
    ("Ikan tongkol", "kg", 34_000),
)


def harga_bahan_pokok(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for end in ends:
        for month, name in enumerate(BULAN, start=1):
            for commodity, unit, price in COMMODITIES:
                trend = 1.03 ** (end.year - 2022 + month / 12)
                value = price * trend * rng_for(seed, end.year, month, commodity).uniform(0.9, 1.15)
                rows.append([end.year, month, name, commodity, unit, int(round(value, -2))])
    return Table(["tahun", "bulan", "nama_bulan", "komoditas", "satuan", "harga_rata_rata_rp"], rows)


WIFI_PLACES = (
    ("Taman Alun Kapuas", "61.71.05"),
    ("Taman Digulis", "61.71.06"),
    ("Rumah Radakng", "61.71.05"),
    ("Kantor Wali Kota", "61.71.05"),
    ("Taman Akcaya", "61.71.01"),
    ("Tugu Khatulistiwa", "61.71.04"),
    ("Waterfront Sungai Kapuas", "61.71.05"),
    ("Perpustakaan Kota", "61.71.01"),
    ("Keraton Kadriah", "61.71.02"),
    ("Taman Gajah Mada", "61.71.01"),
    ("Masjid Raya Mujahidin", "61.71.01"),
    ("Terminal Kapuas Indah", "61.71.05"),
)


def wifi_publik(seed: str, ends: list[date]) -> Table:
    rows: list[list[Cell]] = []
    for number, (place, kode) in enumerate(WIFI_PLACES, start=1):
        rng = rng_for(seed, place)
        kec = _BY_CODE[kode]
        lat, lon = point_in(kec, rng)
        rows.append(
            [
                f"WIFI-{number:03d}",
                place,
                *kecamatan_cells(kec),
                lat,
                lon,
                rng.choice((20, 50, 100)),
                "Aktif" if rng_for(seed, place, ends[-1]).random() < 0.9 else "Perbaikan",
            ]
        )
    return Table(["kode_titik", "lokasi", *KECAMATAN_HEADER, "latitude", "longitude", "bandwidth_mbps", "status"], rows)
