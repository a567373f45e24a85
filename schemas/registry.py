"""Schema registry (minimal version)."""

import json
from pathlib import Path
from typing import Any


class SchemaNotFound(LookupError):
    pass


def resolve_schema(ref: Any) -> dict[str, Any]:
    if isinstance(ref, dict):
        if "fields" not in ref:
            raise ValueError("a Table Schema needs 'fields'")
        return ref
    path = Path(str(ref))
    if path.suffix == ".json" and path.is_file():
        return dict(json.loads(path.read_text()))
    raise SchemaNotFound(f"no schema {ref!r}")
