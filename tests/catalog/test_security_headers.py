"""Every response carries the security headers; only the documentation page's own inline scripts may run."""

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from catalog.api.headers import script_hashes

PATHS = ["/healthz", "/api/v1/datasets", "/api/v1/datasets/tidak-ada", "/openapi.json", "/"]


def script_sources(csp: str) -> list[str]:
    directive = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src"))
    return directive.split()[1:]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_refuses_sniffing_framing_and_inline_scripts(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert script_sources(csp) == ["'self'"]
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_errors_and_refused_writes_carry_the_headers_too(client: TestClient) -> None:
    response = client.post("/api/v1/datasets", json={})
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers


def test_hsts_only_behind_tls(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_documentation_page_allows_exactly_its_own_inline_scripts(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert inline, "the documentation page writes an inline script"
    allowed = set(script_sources(response.headers["content-security-policy"]))
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "'unsafe-inline'" not in allowed


def test_script_hashes_ignore_scripts_loaded_from_a_file() -> None:
    assert script_hashes(b'<script src="/static/app.js"></script>') == ""
    assert script_hashes(b"<script>alert(1)</script>").startswith(" 'sha256-")
