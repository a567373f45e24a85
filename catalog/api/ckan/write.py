"""CKAN's write actions (POST, with a token): datasets, their files and organizations, through the workflow.

Registered on import by ``catalog.api.ckan.actions``. What each maps to is in ``catalog.interop.ckan_write``.
"""

from typing import Any

from pydantic import ValidationError

from catalog.api.ckan.actions import Call, action
from catalog.api.ckan.params import ParameterError
from catalog.errors import Unauthorized
from catalog.interop import ckan_dicts, ckan_write, listings, published
from catalog.models import DatasetCreate, DatasetUpdate, OrganizationCreate, User
from catalog.services import datasets, organizations
from catalog.services.files import IncomingFile


def signed_in(call: Call) -> User:
    if call.user is None:
        raise Unauthorized("this action needs an API token (Authorization or X-CKAN-API-Key header)")
    return call.user


def _validated(model: Any, fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = {".".join(str(p) for p in e["loc"]) or "package": [e["msg"]] for e in exc.errors()}
        first = next(iter(problems))
        raise ParameterError(first, problems[first][0]) from exc


def _answer(call: Call, dataset: Any) -> dict[str, Any]:
    record, state = ckan_write.staff_view(call.session, dataset)
    return {**ckan_dicts.package_dict(record, published.licenses(call.session)), "state": state}


def _upload(call: Call) -> IncomingFile | None:
    upload = call.params.uploads.get("upload")
    if upload is None:
        return None
    return IncomingFile(call.params.text("name") or upload.filename or "berkas", upload.file)


@action("package_create", writes=True)
def package_create(call: Call) -> dict[str, Any]:
    """Create a dataset (name, title, owner_org, notes, license_id, tags, groups, extras, maintainer…);
    resources given as URLs go into a draft release."""
    user = signed_in(call)
    package = dict(call.params.values)
    organization = listings.organization(call.session, call.params.required("owner_org"))
    fields = {"slug": call.params.required("name"), "organization": organization.slug, **ckan_write.metadata(package)}
    fields.setdefault("title", fields["slug"])
    dataset = datasets.create_dataset(call.session, data=_validated(DatasetCreate, fields), actor=user)
    for resource in package.get("resources") or []:
        url = str(resource.get("url") or "") if isinstance(resource, dict) else ""
        ckan_write.add_to_draft(call.session, dataset, user, upload=None, url=url)
    return _answer(call, dataset)


def _update(call: Call, *, patch: bool) -> dict[str, Any]:
    user = signed_in(call)
    package = dict(call.params.values)
    dataset = ckan_write.staff_dataset(call.session, call.params.required("id", "name"), user)
    fields = ckan_write.metadata(package)
    if not patch:  # package_update replaces: what the dict leaves out is cleared
        fields = {
            "description": "",
            "tags": [],
            "themes": [],
            "extras": {},
            "contact_name": None,
            "contact_email": None,
            **fields,
        }
    if fields:
        datasets.update_dataset(call.session, slug=dataset.slug, data=_validated(DatasetUpdate, fields), actor=user)
    if "resources" in package:
        draft = ckan_write.open_draft(call.session, dataset, user)
        ckan_write.set_resources(call.session, draft, package["resources"] or [], user)
    return _answer(call, dataset)


@action("package_update", writes=True)
def package_update(call: Call) -> dict[str, Any]:
    """Replace a dataset's metadata (id or name); a resources list becomes the files of its draft release."""
    return _update(call, patch=False)


@action("package_patch", writes=True)
def package_patch(call: Call) -> dict[str, Any]:
    """Change only the given fields of a dataset; a resources list becomes the files of its draft release."""
    return _update(call, patch=True)


@action("resource_create", writes=True)
def resource_create(call: Call) -> dict[str, Any]:
    """Add a file (multipart ``upload``) or a link (``url``) to a dataset's draft release (package_id)."""
    user = signed_in(call)
    dataset = ckan_write.staff_dataset(call.session, call.params.required("package_id"), user)
    resource = ckan_write.add_to_draft(call.session, dataset, user, upload=_upload(call), url=call.params.text("url"))
    return ckan_dicts.resource_dict(dataset.id, resource.release, resource)


@action("resource_update", writes=True)
def resource_update(call: Call) -> dict[str, Any]:
    """Replace a resource's file or link (id); a published one is replaced in a new draft release."""
    user = signed_in(call)
    resource = ckan_write.replace_resource(
        call.session, call.params.required("id"), user, upload=_upload(call), url=call.params.text("url")
    )
    return ckan_dicts.resource_dict(resource.release.dataset_id, resource.release, resource)


@action("organization_create", writes=True)
def organization_create(call: Call) -> dict[str, Any]:
    """Create an OPD (admin): name, title, description, extras with an ``abbreviation``."""
    user = signed_in(call)
    extras = {str(e.get("key")): str(e.get("value")) for e in call.params.values.get("extras") or []}
    fields = {
        "slug": call.params.required("name"),
        "name": call.params.text("title") or call.params.required("name"),
        "description": call.params.text("description"),
        "abbreviation": extras.get("abbreviation") or None,
    }
    organization = organizations.create_organization(
        call.session, data=_validated(OrganizationCreate, fields), actor=user
    )
    return ckan_dicts.organization_dict(organization, package_count=0)
