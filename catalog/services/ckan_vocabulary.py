"""CKAN's words in Terbuka's terms: licence ids and update frequencies, for the CKAN harvester and the CKAN API."""

from catalog.models import UpdateFrequency

# CKAN's licence ids (and Terbuka's own, as CKAN clients may send them back) → Terbuka's.
LICENSES = {
    "cc-by": "cc-by-4.0",
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "cc-zero": "cc0-1.0",
    "cc0-1.0": "cc0-1.0",
    "odc-odbl": "odbl-1.0",
    "odbl-1.0": "odbl-1.0",
}
# Words of Indonesian portals' "Periode Update Data" (Harian, Bulanan, Per Semester, Tahunan…).
FREQUENCY_WORDS = [
    ("harian", UpdateFrequency.harian),
    ("minggu", UpdateFrequency.mingguan),
    ("triwulan", UpdateFrequency.triwulanan),
    ("bulan", UpdateFrequency.bulanan),
    ("semester", UpdateFrequency.semesteran),
    ("tahun", UpdateFrequency.tahunan),
]


def frequency(text: str) -> UpdateFrequency:
    """A frequency given as Terbuka's value, or in a portal's words; unknown words are 'tidak tentu'."""
    lowered = text.strip().lower()
    if lowered in UpdateFrequency._value2member_map_:
        return UpdateFrequency(lowered)
    return next((value for word, value in FREQUENCY_WORDS if word in lowered), UpdateFrequency.tidak_tentu)
