"""Reference data every catalogue needs: licenses and the Satu Data themes."""

from sqlmodel import Session

from catalog.models import License, Theme

LICENSES = [
    License(
        id="cc-by-4.0", title="Creative Commons Attribution 4.0", url="https://creativecommons.org/licenses/by/4.0/"
    ),
    License(
        id="cc-by-sa-4.0",
        title="Creative Commons Attribution-ShareAlike 4.0",
        url="https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    License(id="cc0-1.0", title="CC0 1.0 Universal", url="https://creativecommons.org/publicdomain/zero/1.0/"),
    License(
        id="odbl-1.0",
        title="Open Data Commons Open Database License 1.0",
        url="https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    License(id="notspecified", title="Lisensi tidak ditentukan (not specified)", url=None, is_open=False),
]

THEMES = {
    "kependudukan": "Kependudukan",
    "kesehatan": "Kesehatan",
    "pendidikan": "Pendidikan",
    "keuangan": "Keuangan Daerah",
    "ekonomi": "Ekonomi dan Perdagangan",
    "infrastruktur": "Infrastruktur",
    "lingkungan": "Lingkungan Hidup",
    "sosial": "Sosial",
    "kebencanaan": "Kebencanaan",
    "transportasi": "Transportasi",
    "pemerintahan": "Pemerintahan",
    "pariwisata": "Pariwisata dan Kebudayaan",
}


def ensure_reference_data(session: Session) -> None:
    """Insert the licenses and themes that are missing; never overwrite edits."""
    for license_ in LICENSES:
        if session.get(License, license_.id) is None:
            session.add(License.model_validate(license_.model_dump()))
    existing = {theme.slug for theme in session.exec(Theme.__table__.select()).all()}  # type: ignore[attr-defined]
    for slug, name in THEMES.items():
        if slug not in existing:
            session.add(Theme(slug=slug, name=name))
    session.flush()
