"""The schema registry over HTTP, and inference for stewards without a schema."""

from tests.catalog.conftest import Catalogue


def test_registry_is_listed_and_served(catalogue: Catalogue) -> None:
    listed = catalogue.client.get("/api/v1/schemas").json()
    names = {s["name"] for s in listed}
    assert {"penduduk-kecamatan", "sekolah", "fasilitas-kesehatan", "apbd"} <= names
    one = catalogue.client.get("/api/v1/schemas/penduduk-kecamatan/1.0")
    assert one.status_code == 200 and one.json()["fields"]
    latest = catalogue.client.get("/api/v1/schemas/penduduk-kecamatan").json()
    assert latest["version"] == max(s["version"] for s in listed if s["name"] == "penduduk-kecamatan")
    missing = catalogue.client.get("/api/v1/schemas/penduduk-kecamatan/9.9")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "schema_not_found"


def test_infer_a_schema_from_a_sample(catalogue: Catalogue) -> None:
    sample = b"kecamatan;jumlah;tanggal\nPontianak Kota;1200;2024-06-30\nPontianak Barat;980;2024-06-30\n"
    response = catalogue.client.post(
        "/api/v1/schemas/infer",
        headers=catalogue.dinkes.headers,
        files=[("file", ("sampel.csv", sample, "text/csv"))],
    )
    assert response.status_code == 200, response.text
    fields = {f["name"]: f["type"] for f in response.json()["fields"]}
    assert fields == {"kecamatan": "string", "jumlah": "integer", "tanggal": "date"}
    pdf = catalogue.client.post(
        "/api/v1/schemas/infer",
        headers=catalogue.dinkes.headers,
        files=[("file", ("a.pdf", b"%PDF", "application/pdf"))],
    )
    assert pdf.status_code == 422 and pdf.json()["error"]["code"] == "unsupported_format"
    anonymous = catalogue.client.post("/api/v1/schemas/infer", files=[("file", ("s.csv", sample, "text/csv"))])
    assert anonymous.status_code == 401
