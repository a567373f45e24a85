"""What may be harvested and linked: source URLs checked when added, the address guard, links at harvest."""

import ipaddress
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.errors import Invalid
from catalog.models import HarvestSource, Organization, Role
from catalog.services.links import AllowList, check_link, public_address
from harvesters.http import BlockedAddress, FetchError, SafeClient
from tests.harvesters.test_http import Remote

BAD_SOURCE_URLS = [
    "javascript:alert(1)",
    "gopher://127.0.0.1:70/_stats",
    "/etc/passwd",
    "not a url at all",
    "file:///etc/passwd",
    "http://",
    "http://[::127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data",
    "http://localhost:8080/api/3",
]
CARRYING_PRIVATE_IPV4 = [
    "::127.0.0.1",  # IPv4-compatible: Python counts it global
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:7f00:1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::808:808",  # local-use NAT64, never public
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo to 127.0.0.1
]


@pytest.fixture
def remote() -> Iterator[tuple[str, int]]:
    Remote.calls = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Remote)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1", server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("address", CARRYING_PRIVATE_IPV4)
def test_ipv6_forms_that_carry_a_private_ipv4_address_are_refused(address: str, tmp_path: Path) -> None:
    assert not public_address(ipaddress.ip_address(address))
    guard = SafeClient(allowed_hosts="127.0.0.0/8,10.0.0.0/8", retries=0)
    with pytest.raises(BlockedAddress, match="non-public address"):
        guard.download(f"http://[{address}]:9/data.csv", tmp_path)
    with pytest.raises(Invalid, match="not a public address"):
        check_link(f"https://[{address}]/data.csv")


def test_ipv6_forms_of_public_addresses_stay_public() -> None:
    for address in ["64:ff9b::808:808", "::ffff:8.8.8.8", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"]:
        assert public_address(ipaddress.ip_address(address)), address


def test_an_allowed_host_with_a_port_allows_that_port_only(remote: tuple[str, int], tmp_path: Path) -> None:
    host, port = remote
    only_this_port = SafeClient(allowed_hosts=f"{host}:{port}", retries=0)
    assert only_this_port.download(f"http://{host}:{port}/data.csv", tmp_path) is not None
    with pytest.raises(BlockedAddress):
        only_this_port.check_url(f"http://{host}:{port + 1}/data.csv")
    with pytest.raises(BlockedAddress):
        SafeClient(allowed_hosts=f"localhost:{port + 1}").check_url(f"http://localhost:{port}/data.csv")
    SafeClient(allowed_hosts=f"localhost:{port}").check_url(f"http://localhost:{port}/data.csv")
    SafeClient(allowed_hosts=f"127.0.0.0/8:{port}").check_url(f"http://127.0.0.9:{port}/")
    SafeClient(allowed_hosts="[::1]:8080, fd00::/8").check_url("http://[fd00::5]:1234/")
    with pytest.raises(BlockedAddress):
        SafeClient(allowed_hosts="[::1]:8080").check_url("http://[::1]:8081/")
    assert AllowList.parse("intranet.pontianak.go.id:8443").allows_name("INTRANET.pontianak.go.id", 8443)


@pytest.mark.parametrize(
    "entry", ["http://intranet.pontianak.go.id/", "10.0.0.1:http", "127.0.0.2:0", "a b", "[::1]:x"]
)
def test_a_malformed_allow_list_entry_is_refused_loudly(entry: str) -> None:
    with pytest.raises(FetchError, match="TERBUKA_HARVEST_ALLOWED_HOSTS"):
        SafeClient(allowed_hosts=f"10.20.0.0/16, {entry}")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9/x.csv",
        "http://localhost/x.csv",
        "http://[::1]/x.csv",
        "http://10.1.2.3/x.csv",
        "ftp://data.pontianak.go.id/x.csv",
        "https:///x.csv",
    ],
)
def test_links_are_only_http_to_public_hosts(url: str, client: Any, make_account: Any, session: Session) -> None:
    """Refused at upload with a 422 naming the link; the release is not created."""
    from catalog.models import Dataset, DatasetCreate
    from catalog.services.datasets import create_dataset

    session.add(Organization(slug="dinkes", name="Dinas Kesehatan"))
    session.commit()
    producer = make_account("dinkes-data", Role.produsen, "dinkes")
    create_dataset(
        session, actor=producer.user, data=DatasetCreate(slug="puskesmas", organization="dinkes", title="Puskesmas")
    )
    session.commit()
    response = client.post(
        "/api/v1/datasets/puskesmas/releases", headers=producer.headers, data={"urls": [url], "notes": "tautan"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_link"
    session.expire_all()
    assert session.exec(select(Dataset).where(Dataset.slug == "puskesmas")).one().releases == []
    assert check_link("https://1.1.1.1/data.csv") == "https://1.1.1.1/data.csv"


@pytest.mark.parametrize("url", BAD_SOURCE_URLS)
def test_source_urls_are_checked_when_added(url: str, client: Any, make_account: Any, session: Session) -> None:
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    walidata = make_account("walidata", Role.walidata)
    for kind in ("ckan", "dcat", "datapackage", "files"):
        body = {"organization": "disdukcapil", "type": kind, "url": url}
        response = client.post("/api/v1/harvest/sources", json=body, headers=walidata.headers)
        assert response.status_code == 422, (kind, response.text)
        assert response.json()["error"]["code"] == "invalid_source_url"
    from catalog.cli import app

    refused = CliRunner().invoke(app, ["source", "add", "disdukcapil", "--type", "files", "--url", url])
    assert refused.exit_code == 1 and "invalid_source_url" in refused.output
    session.expire_all()
    assert session.exec(select(HarvestSource)).all() == []


def test_local_paths_only_for_types_that_read_folders(
    client: Any, make_account: Any, session: Session, tmp_path: Path
) -> None:
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    walidata = make_account("walidata", Role.walidata)
    for kind, url, status in [
        ("files", str(tmp_path), 201),  # tmp_path is under TERBUKA_HARVEST_LOCAL_ROOTS in these tests
        ("datapackage", f"file://{tmp_path}/datapackage.json", 201),
        ("ckan", str(tmp_path), 422),
        ("dcat", f"file://{tmp_path}/katalog.ttl", 422),
        ("files", "relatif/folder", 422),
        ("ckan", "https://data.pontianak.go.id", 201),
    ]:
        body = {"organization": "disdukcapil", "type": kind, "url": url}
        response = client.post("/api/v1/harvest/sources", json=body, headers=walidata.headers)
        assert response.status_code == status, (kind, url, response.text)
