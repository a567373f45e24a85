"""The public pages over real HTTP: what they show, what they never show, their languages and their weight."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from catalog.web.i18n import CATALOGUES, LOCALES, po_path
from tests.web.conftest import XSS_TITLE, Site

PUBLIC_PAGES = ["/", "/cari?q=penduduk", "/dataset/jumlah-penduduk-kecamatan", "/opd/disdukcapil"]


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def http(site: Site) -> httpx.Client:
    with site.client() as client:
        yield client


def test_home_shows_counts_newest_themes_and_opds(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    html = page.text
    assert "<strong>4</strong> dataset" in html  # four published; the draft-only dataset is not counted
    assert 'href="/dataset/jumlah-penduduk-kecamatan"' in html
    assert 'href="/opd/disdukcapil"' in html
    assert 'href="/cari?theme=kependudukan"' in html
    assert "Rancangan Belum Terbit" not in html


def test_search_facets_filter_and_links_are_shareable(http: httpx.Client) -> None:
    everything = parse(http.get("/cari", params={"q": "penduduk"}).text)
    links = {a["href"] for a in everything.all("a")}
    assert {"/dataset/jumlah-penduduk-kecamatan", "/dataset/proyeksi-penduduk"} <= links
    boxes = {(i["name"], i["value"]) for i in everything.all("input") if i.get("type") == "checkbox"}
    assert ("organization", "disdukcapil") in boxes and ("organization", "bappeda") in boxes
    one_opd = http.get("/cari", params={"q": "penduduk", "organization": "disdukcapil"})
    links = {a["href"] for a in parse(one_opd.text).all("a")}
    assert "/dataset/jumlah-penduduk-kecamatan" in links and "/dataset/proyeksi-penduduk" not in links
    assert "1 dataset ditemukan" in one_opd.text
    assert 'href="/cari?q=penduduk"' in one_opd.text  # removing the filter is a link back
    by_title = parse(http.get("/cari", params={"sort": "title"}).text)
    titles = [a["href"] for a in by_title.all("a") if a["href"].startswith("/dataset/")]
    assert titles[0] == "/dataset/daftar-puskesmas"


def test_unpublished_datasets_are_nowhere(http: httpx.Client) -> None:
    missing = http.get("/dataset/rancangan-belum-terbit")
    assert missing.status_code == 404
    assert "Halaman tidak ditemukan" in missing.text and "text/html" in missing.headers["content-type"]
    for path in ["/", "/cari?q=rancangan", "/opd/dinkes", "/sitemap.xml"]:
        assert "rancangan-belum-terbit" not in http.get(path).text, path
    api = http.get("/api/v1/datasets/rancangan-belum-terbit")
    assert api.status_code == 404 and api.json()["error"]["code"] == "dataset_not_found"  # the API keeps JSON


def test_dataset_page_explains_the_data(http: httpx.Client) -> None:
    html = http.get("/dataset/jumlah-penduduk-kecamatan").text
    assert "<strong>posisi 31 Desember</strong>" in html  # Markdown rendered
    assert 'href="https://dukcapil.kemendagri.go.id/" rel="nofollow noopener noreferrer"' in html
    assert "Anda boleh menyalin, membagikan, dan mengubah data ini" in html  # the license in plain words
    assert "semesteran" in html and "Pembaruan berikutnya" in html
    assert "Kualitas: 100/100" in html
    assert "Data Prioritas" in html and "Sesuai skema" in html
    assert "Rilis 2" in html and "Posisi 31 Desember 2023." in html
    assert "RemoteCKAN" in html and "curl" in html and "httpx.get" in html
    assert "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak (20" in html  # the citation
    page = parse(html)
    downloads = [a["href"] for a in page.all("a") if "download" in a]
    assert len(downloads) == 4 and downloads[0].endswith("/download")  # the original, then the table's exports
    assert page.all("table") and page.all("svg")  # preview and chart (kecamatan × jumlah)


def test_preview_sorts_and_pages_on_the_server(http: httpx.Client, site: Site) -> None:
    html = http.get("/dataset/jumlah-penduduk-kecamatan", params={"urut": "jumlah", "turun": "1"}).text
    assert 'aria-sort="descending"' in html
    rows = [line.split(",") for line in site.files["jumlah-penduduk-kecamatan"].decode().splitlines()[1:]]
    biggest = max(rows, key=lambda r: int(r[5]))
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert biggest[2] in first_row
    assert http.get("/dataset/jumlah-penduduk-kecamatan", params={"urut": "tidak-ada"}).status_code == 200


def test_chart_is_a_line_per_year_when_there_is_no_kecamatan(http: httpx.Client) -> None:
    html = http.get("/dataset/proyeksi-penduduk").text
    assert "<polyline" in html and "jumlah_penduduk per tahun" in html
    assert "687.900" in html  # Indonesian thousands separator


def test_release_page_shows_what_changed(http: httpx.Client) -> None:
    html = http.get("/dataset/jumlah-penduduk-kecamatan/rilis/2").text
    text = " ".join(parse(html).text)
    assert "Baris berubah" in text
    assert "<dt>Baris berubah</dt><dd>6</dd>" in html.replace("\n", "").replace("  ", "")
    assert http.get("/dataset/jumlah-penduduk-kecamatan/rilis/9").status_code == 404


def test_opd_page_lists_datasets_and_compliance(http: httpx.Client) -> None:
    html = http.get("/opd/dinkes").text
    assert "Kepatuhan Satu Data" in html
    assert 'href="/dataset/daftar-puskesmas"' in html
    assert http.get("/opd/tidak-ada").status_code == 404


def test_xss_in_title_and_description_is_inert(http: httpx.Client) -> None:
    for path in ["/dataset/uji-keamanan", "/cari?q=keamanan", "/opd/dinkes", "/"]:
        html = http.get(path).text
        page = parse(html)
        scripts = [s for s in page.all("script") if s.get("type") != "application/ld+json"]  # data, never run
        assert all(s.get("src") == "/static/portal.js" for s in scripts), path
        for _tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), (path, attrs)
            assert not any(v.strip().lower().startswith("javascript:") for v in attrs.values()), (path, attrs)
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;judul&#39;)&lt;/script&gt;" in http.get("/dataset/uji-keamanan").text


def embedded_jsonld(html: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)


@pytest.mark.parametrize("slug", ["jumlah-penduduk-kecamatan", "uji-keamanan"])
def test_dataset_page_embeds_the_schema_org_document(http: httpx.Client, slug: str) -> None:
    page = http.get(f"/dataset/{slug}")
    blocks = embedded_jsonld(page.text)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]  # a "</script>" in a title cannot end the element
    embedded = json.loads(blocks[0])
    standalone = http.get(f"/dataset/{slug}.schema.json")
    assert standalone.headers["content-type"].startswith("application/ld+json")
    assert embedded == standalone.json()
    assert embedded["@type"] == "Dataset" and embedded["distribution"]
    if slug == "uji-keamanan":
        assert embedded["name"] == XSS_TITLE and "</script>" in embedded["name"]
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # no inline script is allowed: JSON-LD is data, never run
    for path in ["/", "/cari", "/opd/dinkes", "/dataset/jumlah-penduduk-kecamatan/rilis/1"]:
        assert not embedded_jsonld(http.get(path).text), path


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_canonical_url_title_description_and_open_graph(
    http: httpx.Client, site: Site, path: str
) -> None:
    page = parse(http.get(path).text)
    links = {link["rel"]: link["href"] for link in page.all("link") if link.get("rel") in ("canonical",)}
    assert links["canonical"].startswith(site.url + urlparse(path).path)
    metas = {m.get("property") or m.get("name"): m.get("content") for m in page.all("meta")}
    assert metas["description"] and metas["og:title"] and metas["og:url"] and metas["og:description"]
    assert "<title>" in http.get(path).text
    alternates = {link["hreflang"] for link in page.all("link") if link.get("rel") == "alternate"}
    assert {"id", "en", "x-default"} <= alternates


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_load_nothing_from_other_hosts_and_weigh_under_150_kb(http: httpx.Client, site: Site, path: str) -> None:
    response = http.get(path)
    page = parse(response.text)
    assets = [s["src"] for s in page.all("script") if "src" in s]
    assets += [link["href"] for link in page.all("link") if link.get("rel") in ("stylesheet", "icon")]
    assets += [i["src"] for i in page.all("img")]
    total = len(response.content)
    for asset in assets:
        url = urljoin(site.url + path, asset)
        assert urlparse(url).netloc == urlparse(site.url).netloc, asset
        fetched = http.get(url)
        assert fetched.status_code == 200, asset
        total += len(fetched.content)
    assert total < 150_000, f"{path}: {total} bytes (counted uncompressed)"
    assert response.headers["content-encoding"] == "gzip"  # httpx asks for it, as browsers do
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_language_switch_is_remembered_and_formats_numbers(site: Site) -> None:
    http = site.client()
    indonesian = http.get("/dataset/proyeksi-penduduk")
    assert indonesian.text.startswith('<!doctype html>\n<html lang="id">') and "687.900" in indonesian.text
    english = http.get("/dataset/proyeksi-penduduk", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "687,900" in english.text and "Release history" in english.text
    assert english.cookies.get("lang") == "en"
    assert "Release history" in http.get("/dataset/proyeksi-penduduk").text  # the cookie remembers
    assert "Riwayat rilis" in http.get("/dataset/proyeksi-penduduk", params={"lang": "id"}).text
    canonical = next(link for link in parse(english.text).all("link") if link.get("rel") == "canonical")
    assert "lang=" not in canonical["href"]  # one canonical URL: the Indonesian page


def test_every_message_is_translated_in_both_languages() -> None:
    root = Path(__file__).resolve().parents[2]
    mapping = [("catalog/web/**.py", "python"), ("catalog/web/templates/**.html", "jinja2")]
    options = {"catalog/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    wanted = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            root,
            method_map=mapping,
            options_map=options,
            keywords={"_": None, "ngettext": (1, 2)},
        )
    }
    assert len(wanted) > 100
    assert CATALOGUES.is_dir() and set(LOCALES) == {"id", "en"}
    for locale in LOCALES:
        with po_path(locale).open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
        untranslated = {
            m.id for m in catalog if m.id and not all([m.string] if isinstance(m.string, str) else m.string)
        }
        assert not (wanted - translated), f"{locale}: missing {sorted(wanted - translated)[:5]}"
        assert not untranslated, f"{locale}: empty {list(untranslated)[:5]}"
