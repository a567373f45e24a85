"""Hand-made files exercising every check: the fast path must report what frictionless reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.schemas.parity import assert_same_errors, error_keys, run_both, sorted_errors, write

KECAMATAN = [
    "Pontianak Selatan",
    "Pontianak Timur",
    "Pontianak Barat",
    "Pontianak Utara",
    "Pontianak Kota",
    "Pontianak Tenggara",
]


def schema(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"fields": list(fields), **extra}


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "clean": (
        schema({"name": "id", "type": "integer"}, {"name": "nama", "type": "string"}),
        "id,nama\n1,Ani\n2,Budi\n",
    ),
    "integer": (
        schema({"name": "n", "type": "integer"}),
        "n\n1\n-0\n007\n+5\n 12 \n1_000\n1.0\nx\n99999999999999999999999\n1e3\n",
    ),
    "integer-not-bare": (
        schema({"name": "n", "type": "integer", "bareNumber": False}),
        "n\nRp 100\n100 orang\n-5 kg\nabc\n",
    ),
    "number-default": (
        schema({"name": "x", "type": "number"}),
        "x\n1.5\n-0.25\n1e3\nNaN\ninf\n1,5\n.5\n5.\n01.50\nabc\n 2.5\n",
    ),
    "number-indonesian": (
        schema(
            {
                "name": "x",
                "type": "number",
                "groupChar": ".",
                "decimalChar": ",",
                "constraints": {"minimum": 0, "maximum": 2000000},
            }
        ),
        "x\n1.234.567,89\n1234567,89\n12,5\n1.5\n-3\n0,001\n2.000.001\n1.23,4\nRp 5\n",
    ),
    "number-bare-false": (
        schema({"name": "x", "type": "number", "bareNumber": False, "decimalChar": ","}),
        "x\n€ 12,5\n12,5 %\n12.5\n",
    ),
    "boolean": (
        schema(
            {
                "name": "b",
                "type": "boolean",
                "trueValues": ["ya", "Y"],
                "falseValues": ["tidak", "T"],
                "constraints": {"enum": ["ya"]},
            }
        ),
        "b\nya\nY\ntidak\nT\ntrue\n\n",
    ),
    "dates": (
        schema(
            {"name": "d", "type": "date", "format": "%d/%m/%Y", "constraints": {"minimum": "01/01/2020"}},
            {"name": "e", "type": "date"},
            {"name": "f", "type": "date", "format": "%d-%m-%Y"},
        ),
        "d,e,f\n31/12/2024,2024-12-31,31-12-2024\n1/2/2024,2024-2-1,31/12/2024\n31/12/2019,2024-02-30,x\n"
        "30/02/2024,20241231,01-01-2024\n",
    ),
    "dates-default-format": (
        schema(
            {"name": "d", "type": "date", "constraints": {"unique": True, "minimum": "2000-01-01"}},
            {"name": "e", "type": "date", "constraints": {"enum": ["2024-12-31", "0999-01-01"]}},
        ),
        "d,e\n2024-12-31,2024-12-31\n2024-1-31,0999-01-01\n0999-01-01,10000-01-01\n0000-01-01,2024-12-31 \n"
        "1999-12-31,2023-02-29\n2024-12-31,2024-02-29\n2024-01-31,+2024-12-31\n",
    ),
    "integer-keys": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True, "maximum": 10**20}},
            {"name": "y", "type": "year", "constraints": {"unique": True}},
        ),
        "id,y\n1,2024\n01,0024\n-0,24\n0,2024\n+1,-123\n123456789012345678901,1999\n00000000000000000001,1999\n",
    ),
    "unique-errors-on-valid-rows": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "s", "type": "string"},
            {"name": "x", "type": "number", "constraints": {"unique": True}},
        ),
        'id,s,x\n1,a,1.50\n2,b,2\n1,c,1.5\n3,d,e,f\n2,"g",2.0\n',
    ),
    "two-foreign-keys": (
        schema(
            {"name": "id", "type": "integer"},
            {"name": "induk", "type": "integer"},
            {"name": "kode", "type": "string"},
            foreignKeys=[
                {"fields": ["induk"], "reference": {"resource": "", "fields": ["id"]}},
                {"fields": ["kode"], "reference": {"resource": "wilayah", "fields": ["kode_kemendagri"]}},
            ],
        ),
        "id,induk,kode\n1,,61.71\n2,1,xx\n3,9,61.71.01\n4,9,yy\n",
    ),
    "datetime-time-year": (
        schema(
            {"name": "dt", "type": "datetime"},
            {"name": "t", "type": "time"},
            {"name": "y", "type": "year", "constraints": {"maximum": 2030}},
            {"name": "a", "type": "date", "format": "any"},
        ),
        "dt,t,y,a\n2024-01-01T10:00:00,10:00:00,2024,31 Dec 2024\n2024-01-01,10:00,24,x\n"
        "2024-01-01T10:00:00Z,25:00:00,2031,2024/01/02\n",
    ),
    "datetime-default": (
        schema(
            {"name": "dt", "type": "datetime", "constraints": {"unique": True}},
            {"name": "w", "type": "datetime", "constraints": {"required": True}},
        ),
        "dt,w\n2024-01-01T10:00:00Z,2024-02-29T23:59:59\n2024-01-01T10:00:00+00:00,2023-02-29T00:00:00\n"
        "2024-01-01 10:00:00.5+07:00,2024-01-01T24:00:00\n2024-01-01T10:00:00.500+07:00,2024-12-31T24:00:00\n"
        "2024-01-01T10:00:00.000-00:00,2024-01-01T10:00:00+24:00\n2024-01-01T10:00:00,2024-01-01T10:00:00,5\n"
        "2024-01-01T10:00:00.000000,2024-01-01x10:00:00\n1999-12-31T23:59:59-03:30,2024-01-01T10:00\n"
        "0999-01-01T00:00:00,20240101T100000\n2024-13-01T00:00:00,2024-01-01T10:00:00.1234567z\n"
        "2024-06-30T12:00:00+0700,2024-06-30T12:00:60\n2024-06-30T12:00:00.1234567,\n"
        "2024-06-30T12:00:00.123456,2024-06-30t12:00:00-00\n",
    ),
    "time-default": (
        schema({"name": "t", "type": "time", "constraints": {"unique": True}}, {"name": "u", "type": "time"}),
        "t,u\n10:00:00,00:00:00\n10:00:00.000,24:00:00\n23:59:59.999999,24:00:01\n00:00:00+07:00,25:00:00\n"
        "00:00:00Z,10:00\n00:00:00+00:00,10:60:00\n00:00:00-00:00,10:00:00.1234567\n12:30:00-03:30,1000:00\n"
        "12:30:00.5,12:30:00,5\n12:30:00.500000,x\n",
    ),
    "geopoint-default": (
        schema({"name": "g", "type": "geopoint"}, {"name": "k", "type": "geopoint", "constraints": {"unique": True}}),
        'g,k\n"109.3, -0.03","109.3, -0.03"\n"-180,90","109.30,-0.030"\n"180.0,-90.0","0,0"\n'
        '"180.1,0","-0,1"\n"0,90.5","1e2,0"\n"109.3,-0.03,1","0.00001,1"\n" 109 , 0 ","180,90"\n'
        '"1e2,0","180.00,90.0"\n"007,1",x\n"-0,-0","-180,-90"\n"179.999999999,89.999999999","1, 2"\n'
        '"1 , 2","1,2"\n',
    ),
    "uuid-and-uri": (
        schema(
            {"name": "i", "type": "string", "format": "uuid", "constraints": {"unique": True, "maxLength": 36}},
            {"name": "u", "type": "string", "format": "uri", "constraints": {"pattern": "https?:.*"}},
        ),
        "i,u\n8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3a,https://data.pontianak.go.id\n"
        "8F14E45F-CEEA-467F-A8F6-1C3B2F0F5B3A,http://x\n8f14e45fceea467fa8f61c3b2f0f5b3a,mailto:a@b.id\n"
        "{8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3a},no scheme\n8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3a,1http://x\n"
        "8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3g,h+t.t-p:\n,:x\n",
    ),
    "dates-other-formats": (
        schema(
            {"name": "a", "type": "date", "format": "%d/%m/%y", "constraints": {"unique": True}},
            {"name": "b", "type": "date", "format": "%d %b %Y", "constraints": {"minimum": "01 Jan 2000"}},
            {"name": "c", "type": "date", "format": "%d %B %Y"},
            {"name": "d", "type": "date", "format": "%Y%m%d"},
            {"name": "e", "type": "date", "format": "%d.%m.%Y", "constraints": {"enum": ["1.2.2024"]}},
        ),
        "a,b,c,d,e\n31/12/24,31 Dec 2024,31 December 2024,20241231,01.02.2024\n"
        "1/2/68,1 jan 2024,1 january 2024,2024131,1.2.2024\n01/02/69,29 FEB 2023,29 February 2024,20240229,29.2.2023\n"
        "31/12/2024,31 Des 2024,31 Dec 2024,2024-12-31,32.1.2024\n01/02/2068,01 Jan 1999,01  January 2024,"
        "00010101,1.13.2024\n29/02/00,1  Jan 2024,1 May 2024,99991231,01.02.24\n29/02/00,x,y,z,w\n"
        "1/2/69,31 Dec 2024,31 december 2024,20240230,1.2.2024 \n",
    ),
    "datetime-time-formats": (
        schema(
            {"name": "w", "type": "datetime", "format": "%d/%m/%Y %H:%M", "constraints": {"unique": True}},
            {"name": "j", "type": "time", "format": "%H:%M", "constraints": {"unique": True}},
            {"name": "k", "type": "time", "format": "%H.%M.%S", "constraints": {"enum": ["07.00.00"]}},
        ),
        "w,j,k\n31/12/2024 13:45,07:05,07.00.00\n1/2/2024 7:05,7:05,7.0.0\n01/02/2024 07:05,24:00,23.59.60\n"
        "29/2/2023 10:00,7:60,x\n31/12/2024 13:45:00,13.45,07.00\n1/2/2024 07:5,  7:05,07.00.00\n",
    ),
    "integer-in-text": (
        schema({"name": "n", "type": "integer", "bareNumber": False, "constraints": {"unique": True, "minimum": 0}}),
        "n\nRp 100\n100 orang\n-5 kg\nabc\n+7\nRp -0\n100\nRp 1.000\n-Rp 5\nRp 00\nke-3\n"
        "\u0663 buah\n12 m\u00b2\nRp 12\u0663\n Rp 100 \n007\n",
    ),
    "geopoint-and-formats": (
        schema(
            {"name": "g", "type": "geopoint"},
            {"name": "m", "type": "string", "format": "email"},
            {"name": "u", "type": "string", "format": "uri"},
            {"name": "i", "type": "string", "format": "uuid"},
        ),
        'g,m,u,i\n"109.3, -0.03",a@b.id,https://data.pontianak.go.id,8f14e45f-ceea-467f-a8f6-1c3b2f0f5b3a\n'
        '"200, 0",not-an-email,no scheme,123\n',
    ),
    "string-constraints": (
        schema(
            {
                "name": "kode",
                "type": "string",
                "constraints": {"pattern": "[0-9]{2}\\.[0-9]{2}", "minLength": 5, "maxLength": 5},
            },
            {"name": "kec", "type": "string", "constraints": {"enum": KECAMATAN, "required": True}},
        ),
        "kode,kec\n61.71,Pontianak Kota\n61.7,pontianak kota\n61.711,\n6a.71,Pontianak Barat\n",
    ),
    "missing-values": (
        schema(
            {"name": "n", "type": "integer", "constraints": {"required": True}},
            {"name": "s", "type": "string"},
            missingValues=["", "-", "NA"],
        ),
        "n,s\n-,a\nNA,-\n1,NA\n,\n",
    ),
    "field-missing-values": (
        schema({"name": "n", "type": "integer", "missingValues": ["x"]}, {"name": "s", "type": "string"}),
        "n,s\nx,\n,a\n",
    ),
    "numeric-constraints": (
        schema(
            {"name": "umur", "type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
            {"name": "n", "type": "integer", "constraints": {"enum": [1, 2]}},
        ),
        "umur,n\n0,1\n120,2\n121,3\n-1,02\n",
    ),
    "unique-and-primary-key": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "s", "type": "string"},
            primaryKey=["id"],
        ),
        "id,s\n1,a\n01,b\n1,c\n,d\nx,e\n2,f\n",
    ),
    "composite-primary-key": (
        schema(
            {"name": "tahun", "type": "year"},
            {"name": "semester", "type": "integer"},
            {"name": "kode", "type": "string"},
            primaryKey=["tahun", "semester", "kode"],
        ),
        "tahun,semester,kode\n2024,1,a\n2024,2,a\n2024,1,a\n2024,,a\n2024,,a\n,,\n",
    ),
    "unique-number-and-string": (
        schema(
            {"name": "x", "type": "number", "constraints": {"unique": True}},
            {"name": "s", "type": "string", "constraints": {"unique": True}},
        ),
        "x,s\n1.0,a\n1,a\n1.50,b\n1.5,B\n",
    ),
    "structure": (
        schema(
            {"name": "a", "type": "string"},
            {"name": "b", "type": "integer", "constraints": {"required": True}},
            {"name": "c", "type": "string"},
        ),
        'a,b,c\n1,2,3\n4\n\n5,6,7,8,9\n,,\n"x,y",1,"multi\nline"\n7,8,9\n',
    ),
    "extra-cells-only": (
        schema({"name": "a", "type": "integer"}, {"name": "b", "type": "string"}),
        'a,b\n1,x,"y,z",w\n2,x\nq,1,2\n3\n',
    ),
    "header-errors": (
        schema({"name": "a", "type": "string"}, {"name": "b", "type": "string"}, {"name": "c", "type": "string"}),
        "a,B,a\n1,2,3\n",
    ),
    "extra-label": (
        schema({"name": "a", "type": "string"}),
        "a,b\n1,2\n3\n",
    ),
    "missing-label": (
        schema({"name": "a", "type": "string"}, {"name": "b", "type": "string"}),
        "a\n1\n2,3\n",
    ),
    "foreign-key-wilayah": (
        schema(
            {"name": "kode_kecamatan", "type": "string"},
            {"name": "jumlah", "type": "integer"},
            foreignKeys=[
                {"fields": ["kode_kecamatan"], "reference": {"resource": "wilayah", "fields": ["kode_kemendagri"]}}
            ],
        ),
        "kode_kecamatan,jumlah\n61.71.01,1\n61.71.07,2\n,3\n6171010,4\n",
    ),
    "foreign-key-self": (
        schema(
            {"name": "id", "type": "integer"},
            {"name": "induk", "type": "integer"},
            foreignKeys=[{"fields": ["induk"], "reference": {"resource": "", "fields": ["id"]}}],
        ),
        "id,induk\n1,\n2,1\n3,9\n4,x\n",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_reports_what_frictionless_reports(tmp_path: Path, name: str) -> None:
    descriptor, text = CASES[name]
    assert_same_errors(write(tmp_path, text), descriptor)


def test_the_dirty_cases_are_really_dirty(tmp_path: Path) -> None:
    """Guards the parity test against comparing two empty reports."""
    for name, (descriptor, text) in CASES.items():
        reference, _ = run_both(write(tmp_path, text, f"{name}.csv"), descriptor)
        assert reference["valid"] is (name == "clean"), name


def test_blank_row_suppresses_the_row_s_cell_errors(tmp_path: Path) -> None:
    descriptor = schema(
        {"name": "a", "type": "integer", "constraints": {"required": True}}, {"name": "b", "type": "string"}
    )
    reference = assert_same_errors(write(tmp_path, "a,b\n,\n1,x\n"), descriptor)
    assert error_keys(reference) == {("blank-row", 2, "")}


def test_a_cell_failing_its_type_gets_no_constraint_error(tmp_path: Path) -> None:
    descriptor = schema({"name": "a", "type": "integer", "constraints": {"minimum": 5, "enum": [7]}})
    reference = assert_same_errors(write(tmp_path, "a\nx\n3\n"), descriptor)
    assert error_keys(reference) == {("type-error", 2, "a"), ("constraint-error", 3, "a")}


def test_a_missing_required_cell_is_reported_twice(tmp_path: Path) -> None:
    """frictionless reports the absent cell and the broken ``required`` constraint, printing the
    absent value as "None"; Terbuka keeps both errors as they are."""
    descriptor = schema(
        {"name": "a", "type": "string"}, {"name": "b", "type": "string", "constraints": {"required": True}}
    )
    reference = assert_same_errors(write(tmp_path, "a,b\nx\n"), descriptor)
    errors = reference["tasks"][0]["errors"]
    assert [(e["type"], e["cell"]) for e in errors] == [("constraint-error", "None"), ("missing-cell", "")]


def test_error_limit_keeps_the_first_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "a\n" + "x\n" * 20)
    reference, fast = run_both(path, schema({"name": "a", "type": "integer"}), limit_errors=5)
    assert fast["tasks"][0]["errors"] == reference["tasks"][0]["errors"]
    assert len(fast["tasks"][0]["errors"]) == 5


def test_large_files_take_the_fast_path_and_report_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import schemas.validation

    path = write(tmp_path, "a\n" + "".join(f"{i}\n" for i in range(500)) + "x\n")
    monkeypatch.setattr(schemas.validation, "FAST_PATH_BYTES", 1024)
    seen: list[tuple[int, int]] = []
    report = schemas.validation.validate_file(
        path, schema({"name": "a", "type": "integer"}), progress=lambda done, total: seen.append((done, total))
    )
    assert "rows" in report["tasks"][0]["stats"] and report["tasks"][0]["stats"]["rows"] == 501
    assert error_keys(report) == {("type-error", 502, "a")}
    # The fast path reports while it reads; frictionless only once at the end.
    assert len(seen) >= 2
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_a_pattern_re2_cannot_run_is_checked_by_frictionless(tmp_path: Path) -> None:
    descriptor = schema({"name": "kode", "type": "string", "constraints": {"pattern": "(?!00)[0-9]{2}"}})
    reference = assert_same_errors(write(tmp_path, "kode\n12\n00\n"), descriptor)
    assert error_keys(reference) == {("constraint-error", 3, "kode")}


RECORDS_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "blank-lines": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "s", "type": "string"},
            primaryKey=["id"],
        ),
        "id,s\n1,a\n\n2,b\n\n\n3,c\n1,d\nx,e\n\n",
    ),
    "blank-lines-crlf": (
        schema({"name": "id", "type": "integer"}, {"name": "s", "type": "string", "constraints": {"required": True}}),
        "id,s\r\n1,a\r\n\r\n2,\r\n3,c,extra\r\n\r\n",
    ),
    "quoted-line-breaks": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "alamat", "type": "string"},
            {"name": "n", "type": "integer"},
        ),
        'id,alamat,n\n1,"Jl. Gajah Mada\nPontianak",1\n2,"baris\n\ntiga",x\n\n3,"a,""b""\nc",2,lebih\n'
        '1,biasa,3\n4,"akhir\n",4\n5\n',
    ),
    "quoted-line-breaks-crlf": (
        schema(
            {"name": "id", "type": "integer"}, {"name": "alamat", "type": "string", "constraints": {"maxLength": 8}}
        ),
        'id,alamat\r\n1,"Jl. Tanjungpura\r\nPontianak"\r\n\r\n2,"ok"\r\nx,"dua\r\nbaris"\r\n',
    ),
    "many-blank-lines": (
        schema({"name": "id", "type": "integer", "constraints": {"unique": True}}),
        "id\n" + "".join(f"{i}\n\n" if i % 3 else f"{i}\n\n\n" for i in range(1, 60)) + "1\nx\n",
    ),
    "key-errors-after-line-breaks": (
        schema(
            {"name": "id", "type": "integer", "constraints": {"unique": True}},
            {"name": "s", "type": "string"},
            foreignKeys=[{"fields": ["id"], "reference": {"resource": "", "fields": ["id"]}}],
        ),
        'id,s\n1,"a\nb"\n\n2,c\n1,"d\ne"\n2,f\n',
    ),
}
# Odd lines the fast path leaves to Python's csv module (a normalized copy).
NORMALIZED_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "stray-quote-in-a-cell": (
        schema({"name": "id", "type": "integer"}, {"name": "s", "type": "string"}),
        'id,s\n1,12" pipa\n\n2,b\n3,"c\nd"\nx,e\n',
    ),
    "quote-left-open": (
        schema({"name": "id", "type": "integer"}, {"name": "s", "type": "string"}),
        'id,s\n1,a\n\n2,"b\n3,c\n',
    ),
}


@pytest.mark.parametrize("name", sorted(RECORDS_CASES))
def test_blank_lines_and_quoted_line_breaks_are_read_by_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The rows keep frictionless's numbers without the normalized copy (which the test forbids)."""
    import frictionless

    from schemas.fastpath import engine
    from schemas.sniff import sniff_dialect

    descriptor, text = RECORDS_CASES[name]
    path = write(tmp_path, text)
    reference = assert_same_errors(path, descriptor)
    assert not reference["valid"]

    def refused(*args: Any) -> Any:
        raise AssertionError("normalized copy")

    monkeypatch.setattr(engine, "normalized_source", refused)
    task = engine.validate_csv(path, frictionless.Schema.from_descriptor(descriptor), sniff_dialect(path))
    assert sorted_errors({"tasks": [task]}) == sorted_errors(reference)


@pytest.mark.parametrize("name", sorted(NORMALIZED_CASES))
def test_odd_quoting_still_gets_frictionless_s_rows(tmp_path: Path, name: str) -> None:
    import frictionless

    from schemas.fastpath import engine
    from schemas.sniff import sniff_dialect

    descriptor, text = NORMALIZED_CASES[name]
    path = write(tmp_path, text)
    reference = assert_same_errors(path, descriptor)
    assert not reference["valid"]
    task = engine.validate_csv(path, frictionless.Schema.from_descriptor(descriptor), sniff_dialect(path))
    assert sorted_errors({"tasks": [task]}) == sorted_errors(reference)
