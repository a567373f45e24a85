"""The six kecamatan of Kota Pontianak in both numberings, and their 29 kelurahan, from ``schemas.wilayah``."""

from dataclasses import dataclass

from schemas.wilayah import KOTA_PONTIANAK, children, regions

KOTA_KEMENDAGRI = KOTA_PONTIANAK
KOTA_BPS = regions()[KOTA_PONTIANAK].bps


@dataclass(frozen=True)
class Kecamatan:
    name: str
    kemendagri: str
    bps: str  # Kemendagri and BPS number the kecamatan differently (Pontianak Kota is 61.71.05 but 6171031)
    kelurahan: tuple[str, ...]  # as people write them (Benua Melayu Laut, Pal Lima)
    centre: tuple[float, float]  # rough latitude and longitude, for plausible synthetic points


# Not in the reference table: only the demo's synthetic points need them.
CENTRES = {
    "61.71.01": (-0.045, 109.340),
    "61.71.02": (-0.040, 109.366),
    "61.71.03": (-0.035, 109.315),
    "61.71.04": (-0.012, 109.335),
    "61.71.05": (-0.046, 109.320),
    "61.71.06": (-0.065, 109.356),
}

KECAMATAN = tuple(
    Kecamatan(
        region.name,
        region.kemendagri,
        region.bps,
        tuple(kelurahan.alias for kelurahan in children(region.kemendagri)),
        CENTRES[region.kemendagri],
    )
    for region in children(KOTA_PONTIANAK)
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
