"""Words shown for codes: facet names and values, licenses in plain words, frequencies, quality criteria."""

from sqlmodel import Session, select

from catalog.models import License, Organization, Theme
from catalog.web.i18n import _


def frequency_names() -> dict[str, str]:
    return {
        "harian": _("daily"),
        "mingguan": _("weekly"),
        "bulanan": _("monthly"),
        "triwulanan": _("quarterly"),
        "semesteran": _("every semester"),
        "tahunan": _("yearly"),
        "tidak tentu": _("irregular"),
    }


def validation_names() -> dict[str, str]:
    return {"valid": _("valid"), "invalid": _("has errors"), "unknown": _("not checked")}


def license_explanation(license_id: str) -> str:
    """What a citizen may do with data under this license, in plain words."""
    explanations = {
        "cc-by-4.0": _("You may copy, share and adapt this data, also commercially, if you name the source."),
        "cc-by-sa-4.0": _(
            "You may copy, share and adapt this data if you name the source and share what you make "
            "from it under the same license."
        ),
        "cc0-1.0": _("Public domain: you may use this data freely, without conditions."),
        "odbl-1.0": _(
            "You may use and adapt this database if you name the source and keep databases made from it open "
            "under the same license."
        ),
        "notspecified": _("The department has not stated a license: ask it before reusing the data."),
    }
    return explanations.get(license_id, _("See the license's terms before reusing the data."))


def criterion_names() -> dict[str, str]:
    return {
        "valid_data": _("Data passes its schema"),
        "metadata": _("Complete Satu Data metadata"),
        "timeliness": _("Updated on time"),
        "open_license": _("Open license"),
        "open_format": _("Open, machine-readable format"),
    }


def facet_labels(session: Session) -> dict[str, dict[str, str]]:
    """For each facet, the words shown for its values (values without an entry are shown as they are)."""
    return {
        "organization": {o.slug: o.abbreviation or o.name for o in session.exec(select(Organization)).all()},
        "theme": {t.slug: t.name for t in session.exec(select(Theme)).all()},
        "license": {lic.id: lic.title for lic in session.exec(select(License)).all()},
        "frequency": frequency_names(),
        "validation_status": validation_names(),
    }


def state_names() -> dict[str, str]:
    return {
        "draft": _("draft"),
        "submitted": _("waiting for review"),
        "returned": _("returned"),
        "published": _("published"),
        "withdrawn": _("withdrawn"),
    }
