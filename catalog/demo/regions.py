"""The six kecamatan of Kota Pontianak in both numberings, and their 29 kelurahan."""

from dataclasses import dataclass

KOTA_KEMENDAGRI = "61.71"
KOTA_BPS = "6171"


@dataclass(frozen=True)
class Kecamatan:
    name: str
    kemendagri: str
    bps: str
    kelurahan: tuple[str, ...]
    centre: tuple[float, float]  # rough latitude and longitude, for plausible synthetic points


# Kemendagri and BPS number the kecamatan differently (Pontianak Kota is 61.71.05 but 6171031).
KECAMATAN = (
    Kecamatan(
        "Pontianak Selatan",
        "61.71.01",
        "6171010",
        ("Benua Melayu Darat", "Benua Melayu Laut", "Kota Baru", "Akcaya", "Parit Tokaya"),
        (-0.045, 109.340),
    ),
    Kecamatan(
        "Pontianak Timur",
        "61.71.02",
        "6171020",
        ("Dalam Bugis", "Tanjung Hulu", "Tanjung Hilir", "Parit Mayor", "Banjar Serasan", "Saigon", "Tambelan Sampit"),
        (-0.040, 109.366),
    ),
    Kecamatan(
        "Pontianak Barat",
        "61.71.03",
        "6171030",
        ("Sungai Beliung", "Sungai Jawi Dalam", "Sungai Jawi Luar", "Pal Lima"),
        (-0.035, 109.315),
    ),
    Kecamatan(
        "Pontianak Utara",
        "61.71.04",
        "6171040",
        ("Siantan Hulu", "Siantan Tengah", "Siantan Hilir", "Batu Layang"),
        (-0.012, 109.335),
    ),
    Kecamatan(
        "Pontianak Kota",
        "61.71.05",
        "6171031",
        ("Sungai Bangkong", "Sungai Jawi", "Darat Sekip", "Tengah", "Mariana"),
        (-0.046, 109.320),
    ),
    Kecamatan(
        "Pontianak Tenggara",
        "61.71.06",
        "6171011",
        ("Bangka Belitung Laut", "Bangka Belitung Darat", "Bansir Laut", "Bansir Darat"),
        (-0.065, 109.356),
    ),
)

KECAMATAN_CODES = [k.kemendagri for k in KECAMATAN]

# Relative population weights (Pontianak Barat and Utara are the most populous).
POPULATION_WEIGHT = {
    "61.71.01": 0.15,
    "61.71.02": 0.16,
    "61.71.03": 0.23,
    "61.71.04": 0.22,
    "61.71.05": 0.16,
    "61.71.06": 0.08,
}
