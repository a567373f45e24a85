"""Pushing published datasets to an upstream CKAN portal (``terbuka push ckan``) with ckanapi's RemoteCKAN.

A push is idempotent. The upstream dataset is the one remembered from the last push to that portal, else
the one named as the local slug; it is created when there is none. A dataset whose metadata and files are
what was last pushed is left alone; otherwise its metadata is patched, files no longer published are dropped
and new ones are uploaded (or linked). What was pushed — each dataset's upstream id, its metadata, and the
upstream id of each file — is kept per portal in a JSON state file (``DATA_DIR/push/HOST.json``).
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from ckanapi import CKANAPIError, NotAuthorized, NotFound, RemoteCKAN, ValidationError
from ckanapi.errors import ServerIncompatibleError
from sqlmodel import Session, col, select

from catalog.errors import CatalogError
from catalog.interop import ckan_dicts, published
from catalog.models import Dataset, Organization
from catalog.services.ckan_vocabulary import LICENSES
from catalog.services.files import file_store

# Terbuka's licence ids → the ids CKAN portals know (cc-by-4.0 → cc-by …); others go as they are.
CKAN_LICENSE_IDS = {ours: theirs for theirs, ours in LICENSES.items() if theirs != ours}
PUSH_FAILURES = (CKANAPIError, ServerIncompatibleError, requests.RequestException, OSError, CatalogError)


class PushError(Exception):
    """The push cannot start: a bad address, a refused key, an unknown organization."""


@dataclass(frozen=True)
class FileSpec:
    key: str  # what identifies the file from one push to the next: its name and content (or link)
    name: str
    format: str
    sha256: str | None
    url: str  # a link's address ("" for a file that is uploaded)
    path: Path | None  # the stored file to upload


@dataclass
class Plan:
    """What a local dataset should look like upstream."""

    slug: str
    organization: dict[str, Any]  # name, title, description, extras: for organization_create
    package: dict[str, Any]
    files: list[FileSpec]


@dataclass
class Outcome:
    slug: str
    action: str  # created, updated, unchanged, failed; "create"/"update" in a dry run
    detail: str = ""


def package_fields(record: published.Published, licenses: dict[str, Any]) -> dict[str, Any]:
    """The CKAN dataset fields a push sets upstream (every one of them, so a patch also clears)."""
    shown = ckan_dicts.package_dict(record, licenses)
    license_id = record.dataset.license_id
    return {
        "name": shown["name"],
        "title": shown["title"],
        "notes": shown["notes"] or "",
        "url": shown["url"],
        "version": shown["version"],
        "author": shown["author"],
        "maintainer": shown["maintainer"] or "",
        "maintainer_email": shown["maintainer_email"] or "",
        "license_id": CKAN_LICENSE_IDS.get(license_id, license_id),
        "tags": [{"name": tag["name"]} for tag in shown["tags"]],
        "groups": [{"name": group["name"]} for group in shown["groups"]],
        "extras": shown["extras"],
    }


def plan(record: published.Published, licenses: dict[str, Any], *, link_files: bool) -> Plan:
    organization = record.organization
    files = []
    for resource in record.release.resources:
        link = published.download_url(record.release, resource) if link_files or not resource.sha256 else ""
        upload = None if link else file_store().open(resource.sha256 or "")
        files.append(
            FileSpec(
                f"{resource.name}|{link or resource.sha256}",
                resource.name,
                resource.format,
                resource.sha256,
                link,
                upload,
            )
        )
    extras = [{"key": "abbreviation", "value": organization.abbreviation}] if organization.abbreviation else []
    return Plan(
        slug=record.dataset.slug,
        organization={
            "name": organization.slug,
            "title": organization.name,
            "description": organization.description,
            "extras": extras,
        },
        package=package_fields(record, licenses),
        files=files,
    )


def select_plans(
    session: Session, *, slugs: list[str], opds: list[str], everything: bool, link_files: bool
) -> tuple[list[Plan], list[Outcome]]:
    """The plans of the chosen published datasets, and a failure for each named one that cannot be pushed."""
    ids: list[int] = []
    failed: list[Outcome] = []
    if everything:
        ids += published.all_published_ids(session)
    for opd in opds:
        organization = session.exec(select(Organization).where(Organization.slug == opd)).first()
        if organization is None:
            raise PushError(f"no OPD {opd!r} in this catalogue")
        ids += published.all_published_ids(session, organization_id=organization.id)
    by_slug = {d.slug: d.id for d in session.exec(select(Dataset).where(col(Dataset.slug).in_(slugs))).all()}
    for slug in slugs:
        if slug not in by_slug:
            failed.append(Outcome(slug, "failed", "no such dataset in this catalogue"))
        elif not published.load(session, [by_slug[slug] or 0]):
            failed.append(Outcome(slug, "failed", "not published: only published datasets are pushed"))
        else:
            ids.append(by_slug[slug] or 0)
    licenses = published.licenses(session)
    plans = []
    for record in published.load(session, list(dict.fromkeys(ids))):
        try:
            plans.append(plan(record, licenses, link_files=link_files))
        except CatalogError as exc:  # a stored file gone missing: `terbuka doctor` tells more
            failed.append(Outcome(record.dataset.slug, "failed", exc.message))
    return plans, failed


def state_path(url: str) -> Path:
    from catalog.settings import get_settings

    parts = urlsplit(url)
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{parts.hostname}_{parts.port or ''}{parts.path}").strip("_")
    return get_settings().data_dir / "push" / f"{name}.json"


@dataclass
class State:
    """Per upstream portal: each pushed dataset's upstream id, what was pushed, its files' upstream ids."""

    path: Path
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "State":
        if not path.is_file():
            return cls(path)
        try:
            return cls(path, json.loads(path.read_text(encoding="utf-8"))["datasets"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PushError(f"the push state {path} cannot be read ({exc}); move it away to start afresh") from exc

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        scratch.write_text(json.dumps({"datasets": self.datasets}, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(scratch, self.path)


def reason(exc: BaseException) -> str:
    """A failure in a line: CKAN's message and field errors, else the exception's own words."""
    details = exc.error_dict if isinstance(exc, ValidationError) else exc.args[0] if exc.args else None
    if not isinstance(exc, ValidationError | NotAuthorized) or not isinstance(details, dict):
        text = exc.message if isinstance(exc, CatalogError) else str(exc) or type(exc).__name__
        return text if len(text) <= 300 else text[:300] + "…"
    parts = [str(details.get("message") or "")]
    for name, problems in details.items():
        if name not in ("__type", "message"):
            parts.append(f"{name}: {', '.join(map(str, problems)) if isinstance(problems, list) else problems}")
    kind = "not allowed" if isinstance(exc, NotAuthorized) else "refused"
    return f"{kind}: " + "; ".join(part for part in parts if part)


def connect(url: str, api_key: str) -> RemoteCKAN:
    """A client for the upstream portal, once it has answered as a CKAN portal and accepted the key."""
    if not re.match(r"^https?://[^/\s?#]+", url):
        raise PushError(f"{url!r} is not a web address (http:// or https://)")
    ckan = RemoteCKAN(url.rstrip("/"), apikey=api_key, user_agent="terbuka-push")
    try:
        ckan.action.status_show()
    except NotAuthorized as exc:
        raise PushError(f"{url} refused the API key ({reason(exc)})") from exc
    except requests.RequestException as exc:
        raise PushError(f"cannot reach {url}: {type(exc).__name__}") from exc
    except (CKANAPIError, ServerIncompatibleError) as exc:
        raise PushError(f"{url} does not answer as a CKAN portal (its /api/action/status_show)") from exc
    return ckan


class Pusher:
    def __init__(
        self, ckan: RemoteCKAN, state: State, *, owner_org: str | None, org_map: dict[str, str], dry_run: bool
    ) -> None:
        self.ckan, self.state, self.dry_run = ckan, state, dry_run
        self.owner_org, self.org_map = owner_org, org_map
        self.organizations: dict[str, str] = {}  # local slug → upstream name, once known to exist
        self.new_organizations: list[str] = []
        try:
            self.groups: set[str] = set(ckan.action.group_list(all_fields=False))
            if owner_org:
                ckan.action.organization_show(id=owner_org)
        except NotFound as exc:
            raise PushError(f"{ckan.address} has no organization {owner_org!r}") from exc
        except PUSH_FAILURES as exc:
            raise PushError(f"{ckan.address}: {reason(exc)}") from exc

    def organization(self, plan: Plan) -> str:
        """The upstream organization for the plan's OPD: --owner-org, the mapped or same-named one, or a new one."""
        if self.owner_org:
            return self.owner_org
        local = plan.organization["name"]
        if local not in self.organizations:
            name = self.org_map.get(local, local)
            try:
                self.ckan.action.organization_show(id=name)
            except NotFound:
                if not self.dry_run:
                    self.ckan.action.organization_create(**{**plan.organization, "name": name})
                self.new_organizations.append(name)
            self.organizations[local] = name
        return self.organizations[local]

    def find(self, slug: str) -> dict[str, Any] | None:
        for key in dict.fromkeys([self.state.datasets.get(slug, {}).get("id"), slug]):
            if key:
                try:
                    return dict(self.ckan.action.package_show(id=key))
                except NotFound:
                    continue
        return None

    def push(self, plan: Plan) -> Outcome:
        """Create, update or leave alone one dataset upstream; a failure is reported, never raised."""
        try:
            return self._push(plan)
        except PUSH_FAILURES as exc:
            return Outcome(plan.slug, "failed", reason(exc))

    def _push(self, plan: Plan) -> Outcome:
        known = len(self.new_organizations)
        try:
            owner = self.organization(plan)
        except PUSH_FAILURES as exc:
            return Outcome(plan.slug, "failed", f"organization {plan.organization['name']}: {reason(exc)}")
        new_org = f"new organization {owner}; " if len(self.new_organizations) > known else ""
        package = {**plan.package, "owner_org": owner}
        package["groups"] = [g for g in package["groups"] if g["name"] in self.groups]
        pushed = {"package": package, "files": [f.key for f in plan.files]}
        entry = self.state.datasets.get(plan.slug, {})
        upstream = self.find(plan.slug)
        if upstream is None:
            if self.dry_run:
                return Outcome(plan.slug, "create", f"{new_org}{files_told(plan.files)}")
            created = self.ckan.action.package_create(**package)
            self.remember(plan.slug, {"id": created["id"], "files": {}})
            ids = {f.key: self.add_file(created["id"], f) for f in plan.files}
            self.remember(plan.slug, {"id": created["id"], "files": ids, "pushed": pushed})
            return Outcome(plan.slug, "created", f"{new_org}{files_told(plan.files)}")
        if entry.get("pushed") == pushed and entry.get("id") == upstream["id"]:
            return Outcome(plan.slug, "unchanged")
        before = entry.get("pushed", {}).get("package") if entry.get("id") == upstream["id"] else None
        changed = [name for name in package if before is None or before.get(name) != package[name]]
        remembered: dict[str, str] = entry.get("files", {})
        present: list[dict[str, Any]] = list(upstream.get("resources") or [])
        kept = match(plan.files, present, remembered)
        dropped = [r for r in present if r["id"] not in {k["id"] for k in kept.values()}]
        missing = [f for f in plan.files if f.key not in kept]
        told = ", ".join(
            (["metadata: " + (", ".join(changed) if before is not None else "all fields")] if changed else [])
            + ([files_told(missing, dropped=len(dropped))] if missing or dropped else [])
        )
        if self.dry_run:
            return Outcome(plan.slug, "update", told)
        answer = upstream
        if changed or dropped or missing:
            # Given the files it keeps, the upstream starts its new files from those alone (a Terbuka upstream
            # shows its published release while files pushed before may wait in its draft).
            fields = {**package, **({"resources": list(kept.values())} if dropped or missing else {})}
            answer = dict(self.ckan.action.package_patch(id=upstream["id"], **fields))
        after = match(plan.files, list(answer.get("resources") or []), {k: r["id"] for k, r in kept.items()})
        ids = {key: r["id"] for key, r in after.items()}
        for spec in missing:
            ids[spec.key] = self.add_file(upstream["id"], spec)
        self.remember(plan.slug, {"id": upstream["id"], "files": ids, "pushed": pushed})
        return Outcome(plan.slug, "updated", told)

    def add_file(self, package_id: str, spec: FileSpec) -> str:
        fields = {"package_id": package_id, "name": spec.name, "format": spec.format}
        if spec.path is None:
            return str(self.ckan.action.resource_create(**fields, url=spec.url)["id"])
        with spec.path.open("rb") as stream:
            answer = self.ckan.call_action("resource_create", fields, files={"upload": (spec.name, stream)})
        return str(answer["id"])

    def remember(self, slug: str, entry: dict[str, Any]) -> None:
        self.state.datasets[slug] = entry
        self.state.save()


def match(files: list[FileSpec], present: list[dict[str, Any]], remembered: dict[str, str]) -> dict[str, Any]:
    """Which upstream resource each file already is: the one remembered, else one with its SHA-256 or link."""
    found: dict[str, Any] = {}
    for spec in files:
        taken = {r["id"] for r in found.values()}
        candidates = [r for r in present if r["id"] not in taken]
        hit = next((r for r in candidates if r["id"] == remembered.get(spec.key)), None) or next(
            (r for r in candidates if same_file(spec, r)), None
        )
        if hit is not None:
            found[spec.key] = hit
    return found


def same_file(spec: FileSpec, resource: dict[str, Any]) -> bool:
    if spec.url:
        return bool(resource.get("url") == spec.url)
    digest = str(resource.get("hash") or "").lower().removeprefix("sha256:")
    return bool(spec.sha256) and digest == spec.sha256


def files_told(added: list[FileSpec], *, dropped: int = 0) -> str:
    uploads = sum(1 for f in added if f.path is not None)
    links = len(added) - uploads
    parts = [f"{uploads} file(s) uploaded"] if uploads else []
    parts += [f"{links} link(s)"] if links else []
    parts += [f"{dropped} file(s) removed"] if dropped else []
    return ", ".join(parts) or "no files"


def run(pusher: Pusher, plans: list[Plan], report: Callable[[int, Outcome], None]) -> list[Outcome]:
    """Push every plan, one after the other; ``report`` hears of each as it is done."""
    outcomes = []
    for number, each in enumerate(plans, start=1):
        outcome = pusher.push(each)
        outcomes.append(outcome)
        report(number, outcome)
    return outcomes
