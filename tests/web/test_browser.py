"""The portal in a real browser: Debian's Chromium driven by Playwright against the app on 127.0.0.1.

Screenshots are kept under tests/web/screenshots/ (ignored by git) as the run's artefacts."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.web.conftest import PASSWORD, Site

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PUBLIC_PAGES = {
    "home": "/",
    "search": "/cari?q=penduduk",
    "dataset": "/dataset/jumlah-penduduk-kecamatan",
    "opd": "/opd/disdukcapil",
}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get)")


@pytest.fixture(scope="module")
def playwright(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playwright]:
    # The driver keeps the browser's profile under TMPDIR, which an earlier test of this process may have
    # pointed at a folder since removed: give it one of its own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("chromium")))
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()


def off_host_requests(context: BrowserContext, site: Site) -> list[str]:
    """Collects every request the pages make to another host (there must be none)."""
    seen: list[str] = []
    host = urlparse(site.url).netloc
    context.on("request", lambda request: seen.append(request.url) if urlparse(request.url).netloc != host else None)
    return seen


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    elsewhere = off_host_requests(context, site)
    yield context.new_page()
    context.close()
    assert not elsewhere, f"requests off the app's host: {elsewhere}"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_citizens_journey_from_home_to_the_downloaded_csv(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    shot(page, "journey-1-home")
    page.get_by_label("Cari dataset").fill("penduduk")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cari\?q=penduduk"))
    expect(page.get_by_role("heading", name="2 dataset ditemukan")).to_be_visible()
    page.get_by_label("Disdukcapil").check()
    page.get_by_role("button", name="Terapkan filter").click()
    expect(page).to_have_url(re.compile(r"organization=disdukcapil"))
    expect(page.get_by_role("heading", name="1 dataset ditemukan")).to_be_visible()
    shot(page, "journey-2-search")
    page.get_by_role("link", name="Jumlah Penduduk per Kecamatan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jumlah Penduduk per Kecamatan")
    preview = page.get_by_role("region", name="Pratinjau baris-baris pertama")
    expect(preview.get_by_role("row")).to_have_count(7)  # the header and six kecamatan
    expect(preview).to_contain_text("Pontianak Tenggara")
    shot(page, "journey-3-dataset")
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("Unduh penduduk-2024.csv")).click()
    download = started.value
    assert download.suggested_filename == "penduduk-2024.csv"
    assert Path(download.path()).read_bytes() == site.files["jumlah-penduduk-kecamatan"]


def test_language_switch(page: Page, site: Site) -> None:
    page.goto(site.url + "/dataset/proyeksi-penduduk")
    expect(page.get_by_role("heading", name="Riwayat rilis")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Release history")).to_be_visible()
    page.get_by_role("link", name="Departments", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Departments (OPD)")  # the choice is remembered
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perangkat Daerah (OPD)")
    shot(page, "language-id")


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_phone_width_has_no_sideways_scrolling(browser: Browser, site: Site, name: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    phone.goto(site.url + PUBLIC_PAGES[name])
    width = phone.evaluate("document.documentElement.scrollWidth")
    shot(phone, f"phone-{name}")
    context.close()
    assert width <= 360, f"{name} is {width}px wide at 360px"


def test_reading_pages_work_without_javascript(browser: Browser, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    page.get_by_label("Cari dataset").fill("penduduk")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.get_by_label("Bappeda").check()
    page.get_by_role("button", name="Terapkan filter").click()
    page.get_by_role("link", name="Proyeksi Penduduk Kota Pontianak").click()
    page.get_by_role("link", name=re.compile("^jumlah_penduduk")).click()  # sort the preview by a column
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("jumlah_penduduk")
    expect(page.locator("svg.chart")).to_be_visible()
    page.get_by_role("link", name="Rilis 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("rilis 1")
    shot(page, "no-javascript-release")
    context.close()


def test_keyboard_reaches_search_and_skip_link(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Langsung ke isi")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"


@pytest.mark.skipif(not AXE.exists(), reason="needs npm ci (axe-core)")
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser: Browser, site: Site, name: str) -> None:
    context = browser.new_context(bypass_csp=True)  # axe is injected by the test, not served by the app
    page = context.new_page()
    page.goto(site.url + PUBLIC_PAGES[name])
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']}})"
    )
    context.close()
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def test_xss_attempts_stay_text(page: Page, site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.url + "/dataset/uji-keamanan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uji <script>alert('judul')</script> keamanan")
    expect(page.locator("[onerror], [onclick], [onload]")).to_have_count(0)
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    page.get_by_text("tautan jahat").click()  # a javascript: link turns into plain text or a dead link
    page.goto(site.url + "/cari?q=keamanan")
    shot(page, "xss-search")
    assert dialogs == []
    assert page.evaluate("typeof window.xssRan") == "undefined"


WITH_ERRORS = (
    "tahun,semester,kode_kecamatan,kecamatan,laki_laki,perempuan,jumlah,kepala_keluarga\n"
    "2025,1,61.71.01,Pontianak Selatan,50100,50200,100300,31000\n"
    "2025,1,61.71.09,Pontianak Timur,tiga ribu,53300,106900,31000\n"
    "2025,3,61.71.03,Pontianak Barat,76800,77100,153900,31000\n"
)
CORRECTED = (
    "tahun,semester,kode_kecamatan,kecamatan,laki_laki,perempuan,jumlah,kepala_keluarga\n"
    "2025,1,61.71.01,Pontianak Selatan,50100,50200,100300,31000\n"
    "2025,1,61.71.02,Pontianak Timur,53600,53300,106900,31000\n"
    "2025,1,61.71.03,Pontianak Barat,76800,77100,153900,31000\n"
)


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pekerjaan saya")


def test_stewards_journey_from_upload_to_search(page: Page, site: Site, tmp_path: Path) -> None:
    sign_in(page, site, "disdukcapil-data")
    page.get_by_role("link", name="Dataset baru").first.click()
    page.get_by_label("Judul").fill("Rekap Warga Kecamatan Semester I 2025")
    page.get_by_label("Alamat (huruf kecil, angka, dan tanda hubung)").fill("rekap-warga-2025")
    page.get_by_label("Deskripsi (Markdown)").fill("Rekap warga per kecamatan, posisi 30 Juni 2025.")
    page.get_by_label("Frekuensi pembaruan").select_option("semesteran")
    page.get_by_role("button", name="Buat dataset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekap Warga Kecamatan Semester I 2025")

    broken = tmp_path / "warga-2025.csv"
    broken.write_text(WITH_ERRORS)
    page.get_by_label("Berkas (CSV, XLSX…)").set_input_files(str(broken))
    page.get_by_label("Table Schema (nama di registri, opsional)").fill("penduduk-kecamatan")
    page.get_by_label("Catatan rilis").fill("Semester I 2025")
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_role("heading", name="Laporan validasi")).to_be_visible()
    report = page.locator("section.resource").first
    expect(report).to_contain_text("tiga ribu")  # the cell, with its row and column
    expect(report.get_by_role("row", name=re.compile("3 laki_laki tiga ribu"))).to_be_visible()
    shot(page, "steward-1-report")
    page.get_by_role("button", name="Ajukan untuk ditinjau").click()
    expect(page.get_by_role("alert")).to_contain_text("validation errors")  # refused while errors remain

    fixed = tmp_path / "warga-2025-perbaikan.csv"
    fixed.write_text(CORRECTED)
    page.get_by_label("Ganti dengan berkas yang sudah diperbaiki").set_input_files(str(fixed))
    page.get_by_role("button", name="Ganti", exact=True).click()
    expect(page.locator("section.resource").first).to_contain_text("valid")
    page.get_by_role("button", name="Ajukan untuk ditinjau").click()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()
    shot(page, "steward-2-submitted")
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, site, "walidata")
    page.get_by_role("link", name="Antrean tinjauan").first.click()
    page.get_by_role("link", name="Rekap Warga Kecamatan Semester I 2025").click()
    expect(page.get_by_role("heading", name="Daftar periksa metadata")).to_be_visible()
    page.get_by_role("button", name="Setujui dan terbitkan").click()
    expect(page.get_by_text("Tidak ada yang menunggu tinjauan.")).to_be_visible()

    page.goto(site.url + "/cari?q=rekap+warga")
    expect(page.get_by_role("link", name=re.compile("Rekap Warga Kecamatan"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Rekap Warga Kecamatan")).click()
    expect(page.get_by_role("region", name="Pratinjau baris-baris pertama")).to_contain_text("Pontianak Timur")
    shot(page, "steward-3-published")


def test_datastore_preview_chart_and_exports_without_javascript(browser: Browser, site: Site) -> None:
    """The loaded table's page with JavaScript off: sort by a header link, the chart's bars, the table as JSON."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(site.url + "/dataset/jumlah-penduduk-kecamatan")
    expect(page.locator("svg.chart rect")).to_have_count(6)
    page.get_by_role("link", name=re.compile("^perempuan")).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("perempuan")
    preview = page.get_by_role("region", name="Pratinjau baris-baris pertama")
    expect(preview.get_by_role("row").nth(1)).to_contain_text("Pontianak Selatan")  # the fewest women
    expect(page.get_by_role("link", name="Kueri tabel ini melalui API")).to_be_visible()
    with page.expect_download() as started:
        page.get_by_role("link", name="JSON — penduduk-2024.csv").click()
    records = json.loads(Path(started.value.path()).read_text())
    assert [r["kecamatan"] for r in records][:2] == ["Pontianak Selatan", "Pontianak Timur"] and len(records) == 6
    shot(page, "datastore-preview")
    context.close()
