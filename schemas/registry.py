"""The Table Schema registry: named, versioned schemas under ``schemas/registry/NAME/VERSION.json``.

A schema names the bundled region table in a foreign key as
``{"fields": ["kode_kelurahan"], "reference": {"resource": "wilayah", "fields": ["kode_kemendagri"]}}``;
:func:`reference_table` gives the path and schema both validators load it from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import frictionless

REGISTRY_DIR = Path(__file__).parent / "registry"
REFERENCE_DIR = Path(__file__).parent / "reference"
REFERENCE_TABLES = ("wilayah",)


class SchemaNotFound(LookupError):
    """No schema in the registry has this name (or this version)."""


class InvalidSchema(ValueError):
    """A Table Schema frictionless cannot validate with: an unknown type, a constraint its type does not
    take, a pattern that is no regular expression, a key naming no field."""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _versions(name: str) -> list[str]:
    folder = REGISTRY_DIR / name
    if "/" in name or name.startswith(".") or not folder.is_dir():
        return []
    return sorted((p.stem for p in folder.glob("*.json")), key=_version_key)


def _load(path: Path) -> dict[str, Any]:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON: {exc}") from exc
    return _checked(descriptor)


def _checked(descriptor: Any) -> dict[str, Any]:
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise ValueError("a Table Schema is a JSON object with a 'fields' list")
    for field in descriptor["fields"]:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            raise ValueError("every field of a Table Schema needs a 'name'")
    return descriptor


def list_schemas() -> list[dict[str, Any]]:
    """Every schema of the registry, latest version first within a name, names sorted."""
    entries = []
    for folder in sorted(p for p in REGISTRY_DIR.iterdir() if p.is_dir()):
        for version in reversed(_versions(folder.name)):
            descriptor = _load(folder / f"{version}.json")
            entries.append(
                {
                    "name": folder.name,
                    "version": version,
                    "title": descriptor.get("title", folder.name),
                    "description": descriptor.get("description", ""),
                }
            )
    return entries


def get_schema(name: str, version: str | None = None) -> dict[str, Any]:
    """The schema ``name`` at ``version`` (the latest one when ``version`` is None)."""
    versions = _versions(name)
    if not versions:
        known = ", ".join(sorted(p.name for p in REGISTRY_DIR.iterdir() if p.is_dir()))
        raise SchemaNotFound(f"unknown schema {name!r} (known: {known})")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise SchemaNotFound(f"schema {name!r} has no version {chosen!r} (versions: {', '.join(versions)})")
    return _load(REGISTRY_DIR / name / f"{chosen}.json")


def resolve_schema(ref: str | dict[str, Any] | Path) -> dict[str, Any]:
    """A schema from a registry name, ``name/version``, a path to a JSON file or an inline descriptor."""
    if isinstance(ref, dict):
        return _checked(ref)
    text = str(ref)
    path = Path(text)
    if isinstance(ref, Path) or text.endswith(".json") or path.is_file():
        if not path.is_file():
            raise SchemaNotFound(f"no schema file {text!r}")
        return _load(path)
    name, _, version = text.partition("/")
    return get_schema(name, version or None)


def table_schema(ref: str | dict[str, Any] | Path) -> frictionless.Schema:
    """The frictionless schema of ``ref`` (as :func:`resolve_schema` takes it), refused with the reasons
    when frictionless could not use it."""
    import frictionless

    descriptor = dict(resolve_schema(ref))
    for registry_only in ("version", "$schema"):
        descriptor.pop(registry_only, None)
    try:
        schema = frictionless.Schema.from_descriptor(descriptor)
    except frictionless.FrictionlessException as exc:
        reasons = [reason.note or reason.message for reason in exc.reasons] or [exc.error.note or exc.error.message]
        raise InvalidSchema("unusable Table Schema: " + "; ".join(reasons)) from exc
    for field in schema.fields:
        pattern = field.constraints.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                message = f"field {field.name!r}: pattern {pattern!r} is not a regular expression ({exc})"
                raise InvalidSchema(message) from exc
    return schema


def reference_table(name: str) -> tuple[Path, dict[str, Any]]:
    """The CSV file and Table Schema of a bundled reference table."""
    if name not in REFERENCE_TABLES:
        raise SchemaNotFound(f"unknown reference table {name!r} (known: {', '.join(REFERENCE_TABLES)})")
    schema = json.loads((REFERENCE_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return REFERENCE_DIR / f"{name}.csv", schema


def infer_schema(path: str | Path, **dialect: Any) -> dict[str, Any]:
    """A Table Schema inferred by frictionless from the file's content (``dialect`` as in sniffing)."""
    from schemas.sniff import frictionless_resource

    resource = frictionless_resource(Path(path), dialect=dialect or None)
    resource.infer()
    return dict(resource.schema.to_descriptor())
