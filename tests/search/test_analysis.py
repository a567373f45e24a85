"""Indonesian analysis: stemming, stop words, synonyms, typo distance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import analysis


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("kependudukan", "penduduk"),
        ("penduduk", "penduduk"),
        ("pendidikan", "didik"),
        ("pelayanan", "layan"),
        ("perizinan", "izin"),
        ("kesehatan", "sehat"),
        ("pengelolaan", "kelola"),
        ("kemiskinan", "miskin"),
        ("pertanian", "tani"),
        ("schools", "school"),
        ("districts", "district"),
        ("pontianak", "pontianak"),
    ],
)
def test_stem(word: str, root: str) -> None:
    assert analysis.stem(word) == root


def test_stop_words_are_dropped_unless_nothing_else_was_typed() -> None:
    assert analysis.terms("Jumlah Penduduk di Pontianak Timur") == ["jumlah", "penduduk", "pontianak", "timur"]
    assert analysis.terms("dan yang") == ["dan", "yang"]


def test_synonyms_go_both_ways() -> None:
    assert {"dinkes"} <= analysis.synonyms_in(analysis.words("Dinas Kesehatan Kota"))
    assert {"dinas", "kesehatan"} <= analysis.synonyms_in(["dinkes"])
    assert {"benua", "melayu"} <= analysis.synonyms_in(["benuamelayu"])
    assert "pallima" in analysis.synonyms_in(["pal", "lima"])


def test_every_synonym_group_has_two_members() -> None:
    assert all(len(group) >= 2 for group in analysis.synonym_groups())


def test_fold_removes_accents() -> None:
    assert analysis.words("Kecamatan Pontianak Tenggara, Café") == ["kecamatan", "pontianak", "tenggara", "cafe"]


@given(st.text(alphabet="abcdefghij", min_size=1, max_size=10), st.integers(min_value=0, max_value=9))
def test_one_deletion_is_within_one_edit(word: str, position: int) -> None:
    position %= len(word)
    other = word[:position] + word[position + 1 :]
    assert analysis.within_one_edit(word, other)
    assert analysis.deletes(word) & analysis.deletes(other)


def test_within_one_edit() -> None:
    assert analysis.within_one_edit("penduduk", "pendudk")
    assert analysis.within_one_edit("pasien", "pasein")
    assert analysis.within_one_edit("sekolah", "sekilah")
    assert not analysis.within_one_edit("sekolah", "sekilih")
    assert not analysis.within_one_edit("penduduk", "duduk")
