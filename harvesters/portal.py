"""Sources that cover a whole portal: each remote organization placed under a local OPD, groups as themes.

A source's ``filters`` JSON keeps, under ``portal``, what the walidata set — ``orgs`` (remote organization →
OPD slug), ``groups`` (remote group → theme slug), ``create_orgs`` — and what the runs found: ``placed``,
each remote organization with its OPD and how it was placed. A remote organization is placed by the
explicit mapping, else by an OPD whose slug, abbreviation or name is the organization's name or title
(case-insensitive), else, when the source says so, under a new OPD; otherwise its datasets are not
imported and each says why on its harvest item (stage ``organization``).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlmodel import Session, col, select

from catalog.errors import Invalid
from catalog.models import HarvestItem, HarvestSource, Organization, OrganizationCreate, User
from catalog.services import organizations
from catalog.services.reference import THEMES
from harvesters.base import ItemFailed
from harvesters.dcat_vocabulary import slugify

PORTAL = "portal"  # the key of the portal settings in a source's filters (never an fq clause)


class PortalSettings(BaseModel):
    """How a source that covers a whole portal places remote organizations and groups."""

    orgs: dict[str, str] = {}  # remote organization (name, title or id) → OPD slug
    groups: dict[str, str] = {}  # remote group (name or title) → theme slug
    create_orgs: bool = False  # an organization nothing places becomes a new OPD


class Placement(BaseModel):
    remote: str
    title: str = ""
    organization: str  # the OPD's slug
    how: str  # map, slug, abbreviation, name or created


class Unplaced(BaseModel):
    remote_id: str
    message: str


class PortalMapping(BaseModel):
    """What a source's runs placed where, and the datasets they could not place."""

    settings: PortalSettings
    placed: list[Placement]
    unplaced: list[Unplaced]


class NotPlaced(ItemFailed):
    """The item's remote organization maps to no OPD: it is reported, not filed under the source's owner."""

    stage = "organization"


def settings_of(source: HarvestSource) -> PortalSettings | None:
    """The source's portal settings, or None for a source that files everything under its owner."""
    found = source.filters.get(PORTAL)
    return PortalSettings.model_validate(found) if isinstance(found, dict) else None


def fq_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The filters that are query clauses (all but the portal settings)."""
    return {key: str(value) for key, value in filters.items() if key != PORTAL}


def parse_pairs(pairs: list[str], option: str) -> dict[str, str]:
    """``remote=local`` pairs of a command-line option; Invalid when one has no ``=``."""
    found = {}
    for pair in pairs:
        remote, sep, local = pair.partition("=")
        if not (sep and remote.strip() and local.strip()):
            raise Invalid(f"{option} takes REMOTE=LOCAL, not {pair!r}", code="invalid_source")
        found[remote.strip()] = local.strip()
    return found


def read_mapping_file(path: Path) -> PortalSettings:
    """A YAML file ``{organizations: {remote: opd}, groups: {remote: theme}, create_orgs: bool}``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Invalid(f"{path}: {exc}", code="invalid_source") from exc
    unknown = set(data) - {"organizations", "groups", "create_orgs"} if isinstance(data, dict) else {"(not a mapping)"}
    if unknown:
        raise Invalid(
            f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            "the file has organizations, groups and create_orgs",
            code="invalid_source",
        )
    try:
        return PortalSettings(
            orgs={str(k): str(v) for k, v in (data.get("organizations") or {}).items()},
            groups={str(k): str(v) for k, v in (data.get("groups") or {}).items()},
            create_orgs=bool(data.get("create_orgs", False)),
        )
    except AttributeError as exc:
        raise Invalid(f"{path}: organizations and groups are mappings", code="invalid_source") from exc


def check_settings(session: Session, settings: PortalSettings) -> None:
    """Every mapped OPD and theme exists."""
    slugs = set(session.exec(select(Organization.slug)).all())
    missing = sorted({slug for slug in settings.orgs.values() if slug not in slugs})
    if missing:
        raise Invalid(f"no OPD {', '.join(missing)}: map remote organizations to existing OPDs", code="invalid_source")
    themes = sorted({slug for slug in settings.groups.values() if slug not in THEMES})
    if themes:
        raise Invalid(f"no theme {', '.join(themes)}; themes are {', '.join(THEMES)}", code="invalid_source")


def themes_of(groups: list[dict[str, Any]], mapping: dict[str, str]) -> list[str]:
    """The themes of a package's groups: mapped explicitly, else a theme with the group's name or title."""
    by_key = {key.casefold(): slug for key, slug in mapping.items()}
    by_name = {slugify(name): slug for slug, name in THEMES.items()}
    found = set()
    for group in groups:
        keys = [str(group.get(k) or "") for k in ("name", "title", "display_name")]
        mapped = next((by_key[k.casefold()] for k in keys if k and k.casefold() in by_key), None)
        named = next((slugify(k) for k in keys if slugify(k) in THEMES), None)
        titled = next((by_name[slugify(k)] for k in keys if slugify(k) in by_name), None)
        if theme := mapped or named or titled:
            found.add(theme)
    return sorted(found)


@dataclass
class Placer:
    """Places remote organizations for one job; ``placed`` is what the source shows afterwards."""

    session: Session
    settings: PortalSettings | None  # None: the source files everything under its owner
    actor: User
    owner_id: int
    placed: dict[str, dict[str, str]]

    def place(self, remote_id: str, remote: dict[str, Any] | None, *, new: bool) -> Organization:
        """The OPD for a new item of this remote organization (a dataset harvested before stays where it is,
        and a source of one OPD files all under it); raises NotPlaced saying why there is none."""
        if self.settings is None or not new:
            owner = self.session.get(Organization, self.owner_id)
            assert owner is not None
            return owner
        name, title = str((remote or {}).get("name") or ""), str((remote or {}).get("title") or "")
        if not name:
            raise NotPlaced(remote_id, "the dataset has no organization at the portal, so no OPD to place it in")
        known = self.placed.get(name)
        if known is not None and known["how"] != "map" and self._mapped(remote) is None:  # a mapping wins
            found = self.session.exec(select(Organization).where(Organization.slug == known["organization"])).first()
            if found is not None:
                return found
        organization, how = self._find(remote_id, remote or {}, name, title)
        self.placed[name] = {"title": title, "organization": organization.slug, "how": how}
        return organization

    def _mapped(self, remote: dict[str, Any] | None) -> str | None:
        keys = [str((remote or {}).get(k) or "").casefold() for k in ("name", "title", "id")]
        by_key = {key.casefold(): slug for key, slug in (self.settings.orgs if self.settings else {}).items()}
        return next((by_key[k] for k in keys if k and k in by_key), None)

    def _find(self, remote_id: str, remote: dict[str, Any], name: str, title: str) -> tuple[Organization, str]:
        label = f"{name!r}" + (f" ({title})" if title and title != name else "")
        if mapped := self._mapped(remote):
            found = self.session.exec(select(Organization).where(Organization.slug == mapped)).first()
            if found is None:
                raise NotPlaced(remote_id, f"remote organization {label} is mapped to {mapped!r}, which is no OPD")
            return found, "map"
        local = list(self.session.exec(select(Organization).order_by(col(Organization.slug))).all())
        wanted = {name.casefold(), title.casefold()} - {""}
        for how in ("slug", "abbreviation", "name"):
            matches = [o for o in local if str(getattr(o, how) or "").casefold() in wanted]
            if len(matches) == 1:
                return matches[0], how
            if matches:
                several = ", ".join(o.slug for o in matches)
                raise NotPlaced(
                    remote_id, f"remote organization {label} matches several OPDs by {how} ({several}): map it"
                )
        if self.settings and self.settings.create_orgs:
            return self._create(remote_id, name, title), "created"
        raise NotPlaced(
            remote_id,
            f"remote organization {label} matches no OPD by slug, abbreviation or name: "
            f"map it (--map-org {name}=OPD) or let the source create OPDs (--create-orgs)",
        )

    def _create(self, remote_id: str, name: str, title: str) -> Organization:
        slug = slugify(name)[:80].strip("-")
        if len(slug) < 2:
            raise NotPlaced(remote_id, f"remote organization {name!r} has no name an OPD's slug can be made of")
        data = OrganizationCreate(
            slug=slug,
            name=(title or name)[:200] if len(title or name) >= 2 else slug,
            # A portal's organization names are often the OPD's abbreviation (dinkes, bappeda).
            abbreviation=name[:40].capitalize() if "-" not in name and len(name) <= 12 else None,
            description=f"Dibuat saat memanen organisasi {name!r} dari portal.",
        )
        return organizations.create_organization(self.session, data=data, actor=self.actor)


def placed_of(source: HarvestSource) -> dict[str, dict[str, str]]:
    found = source.filters.get(PORTAL, {}).get("placed")
    return {str(k): dict(v) for k, v in found.items()} if isinstance(found, dict) else {}


def with_placed(source: HarvestSource, placed: dict[str, dict[str, str]]) -> None:
    """Keep what the run placed on the source (a new dict, so the JSON column is written)."""
    source.filters = {**source.filters, PORTAL: {**source.filters.get(PORTAL, {}), "placed": placed}}


def mapping(session: Session, source: HarvestSource) -> PortalMapping:
    """The source's settings, what its runs placed where, and the datasets they could not place now."""
    settings = settings_of(source)
    if settings is None:
        raise Invalid(f"harvest source {source.id} files every dataset under its OPD", code="not_a_portal_source")
    failed = session.exec(
        select(HarvestItem)
        .where(HarvestItem.source_id == source.id, HarvestItem.status == "error")
        .order_by(col(HarvestItem.remote_id))
    ).all()
    return PortalMapping(
        settings=settings,
        placed=[Placement(remote=k, **v) for k, v in sorted(placed_of(source).items())],
        unplaced=[
            Unplaced(remote_id=item.remote_id, message=error.get("message", ""))
            for item in failed
            for error in item.errors
            if error.get("stage") == NotPlaced.stage
        ],
    )
