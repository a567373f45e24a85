"""Fails when a setting or an error code is used but not documented."""

import re
from pathlib import Path

from catalog.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"TERBUKA_{name.upper()}" not in readme]
    assert missing == [], f"settings not documented in README.md: {missing}"


def test_every_workflow_error_code_is_in_the_api_guide() -> None:
    guide = (ROOT / "docs" / "api.md").read_text()
    sources = "".join((ROOT / "catalog" / name).read_text() for name in ("workflow.py", "services/releases.py"))
    codes = set(re.findall(r'code="([a-z_]+)"', sources))
    assert codes, "no error codes found: the pattern is out of date"
    missing = sorted(code for code in codes if code not in guide)
    assert missing == [], f"error codes not in docs/api.md: {missing}"
