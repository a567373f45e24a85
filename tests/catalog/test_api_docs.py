"""The API documentation pages load everything from this host."""

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_load_their_assets_from_the_app(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert "cdn" not in html.text and "googleapis" not in html.text
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
    script = next(src for src in sources if src.endswith(".js"))
    assert "javascript" in client.get(script).headers["content-type"]


def test_uploaded_pages_and_images_are_downloads_that_do_not_run(client: TestClient, catalogue: object) -> None:
    from tests.catalog.conftest import Catalogue

    assert isinstance(catalogue, Catalogue)
    for name, content in [
        ("laporan.html", b"<script>alert(document.cookie)</script>"),
        ("peta.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ]:
        release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", content, name=name)
        url = release["resources"][0]["download_url"].removeprefix("http://testserver")
        response = catalogue.client.get(url, headers=catalogue.dinkes.headers)
        assert response.status_code == 200 and response.content == content
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.headers["x-content-type-options"] == "nosniff"
