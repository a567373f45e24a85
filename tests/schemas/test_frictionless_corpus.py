"""frictionless-py's own test files, each with its schema, give plain frictionless's verdict through
both of Terbuka's engines: the same ``valid`` and the same (type, rowNumber, fieldName) multiset,
task-level errors included. The differences that remain are listed, with their reasons, in
``KNOWN_DIFFERENCES`` and in docs/validation.md; such a case must still differ (strict xfail), so a
fix shows up as a failure until the list is updated."""

from __future__ import annotations

import pytest

from schemas.validation import Engine
from tests.schemas.frictionless_corpus import Case, cases, matches, plain_report, terbuka_report
from tests.schemas.parity import verdict

KNOWN_DIFFERENCES: dict[tuple[str, Engine], str] = {}


def _params() -> list[object]:
    params = []
    for case in cases():
        for engine in ("frictionless", "fast"):
            marks = []
            reason = KNOWN_DIFFERENCES.get((case.id, engine))
            if reason is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            params.append(pytest.param(case, engine, id=f"{case.id}-{engine}", marks=marks))
    return params


@pytest.mark.parametrize(("case", "engine"), _params())
def test_same_verdict_as_frictionless(case: Case, engine: Engine) -> None:
    assert verdict(terbuka_report(case, engine)) == verdict(plain_report(case))


def test_the_corpus_covers_what_the_issue_names() -> None:
    ids = {case.id for case in cases()}
    assert len(ids) == len(cases()) >= 200
    for named in ("issue-811.csv:inferred", "dialect.csv:inferred", "skip-rows.csv:inferred", "text.txt:text"):
        assert named in ids
    assert matches(next(c for c in cases() if c.id == "issue-811.csv:inferred"), "auto")
