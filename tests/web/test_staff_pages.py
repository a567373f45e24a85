"""Staff pages over real HTTP: signing in, sessions, CSRF, and who sees which release."""

import csv
import io
import re

import httpx
import pytest

from tests.web.conftest import PASSWORD, Site

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def signed_in(site: Site, username: str) -> httpx.Client:
    client = site.client()
    form = client.get("/masuk")
    token = CSRF.search(form.text)
    assert token, form.text[:500]
    answer = client.post("/masuk", data={"username": username, "password": PASSWORD, "csrf": token.group(1)})
    assert answer.status_code == 303, answer.text[:500]
    return client


def csrf_of(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found
    return found.group(1)


def test_sign_in_sets_a_protected_session_cookie(site: Site) -> None:
    client = site.client()
    token = csrf_of(client, "/masuk")
    wrong = client.post("/masuk", data={"username": "walidata", "password": "salah", "csrf": token})
    assert wrong.status_code == 401 and "terbuka_sesi" not in wrong.headers.get("set-cookie", "")
    right = client.post("/masuk", data={"username": "walidata", "password": PASSWORD, "csrf": token})
    assert right.status_code == 303 and right.headers["location"] == "/kelola"
    cookie = next(c for c in right.headers.get_list("set-cookie") if c.startswith("terbuka_sesi="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain HTTP here
    assert client.get("/kelola").status_code == 200
    assert client.post("/keluar", data={"csrf": client.cookies["terbuka_csrf"]}).status_code == 303
    assert client.get("/kelola").status_code == 303  # back to the sign-in page


def test_staff_pages_need_a_valid_session(site: Site) -> None:
    anonymous = site.client()
    answer = anonymous.get("/kelola/tinjauan")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/masuk?lanjut=")
    forged = site.client(cookies={"terbuka_sesi": "1:9999999999:00"})
    assert forged.get("/kelola").status_code == 303


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(site: Site) -> None:
    client = signed_in(site, "disdukcapil-data")
    release = client.get("/kelola/dataset/jumlah-penduduk-kecamatan")
    assert release.status_code == 200
    missing = client.post("/keluar", data={})
    assert missing.status_code == 403
    token = client.cookies["terbuka_csrf"]
    elsewhere = client.post("/keluar", data={"csrf": token}, headers={"Origin": "https://penipu.example"})
    assert elsewhere.status_code == 403
    assert client.get("/kelola").status_code == 200  # still signed in: neither form did anything


def test_a_producer_sees_only_the_drafts_of_their_opd(site: Site) -> None:
    dinkes = signed_in(site, "dinkes-data")
    page = dinkes.get("/kelola/dataset/rancangan-belum-terbit")
    assert page.status_code == 200
    draft = re.search(r'href="/kelola/rilis/(\d+)"', page.text)
    assert draft
    bappeda = signed_in(site, "bappeda-data")
    assert bappeda.get(f"/kelola/rilis/{draft.group(1)}").status_code == 404
    assert bappeda.get("/kelola/dataset/rancangan-belum-terbit").status_code == 404
    assert bappeda.get("/kelola/tinjauan").status_code == 403  # no review queue for a producer
    assert site.client().get("/dataset/rancangan-belum-terbit").status_code == 404


def test_compliance_csv_for_the_walidata(site: Site) -> None:
    walidata = signed_in(site, "walidata")
    answer = walidata.get("/kelola/kepatuhan.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = {row["opd"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert rows["dinkes"]["dataset"] == "3" and rows["dinkes"]["terbit"] == "2"  # the draft-only one counts
    assert rows["disdukcapil"]["data_prioritas"] == "1"
    assert signed_in(site, "dinkes-data").get("/kelola/kepatuhan.csv").status_code == 403
    assert walidata.get("/kelola/panen").status_code == 200


@pytest.mark.parametrize("path", ["/kelola/dataset-baru", "/masuk"])
def test_staff_pages_are_not_indexed_or_cached(site: Site, path: str) -> None:
    answer = signed_in(site, "dinkes-data").get(path) if path != "/masuk" else site.client().get(path)
    assert answer.headers["x-robots-tag"] == "noindex" and answer.headers["cache-control"] == "no-store"
