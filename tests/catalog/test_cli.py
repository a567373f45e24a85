"""The terbuka command: accounts and tokens."""

import hashlib

from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.models import ApiToken, Organization, User

runner = CliRunner()


def test_user_add_and_token_create(session: Session) -> None:
    session.add(Organization(slug="dinkes", name="Dinas Kesehatan", abbreviation="Dinkes"))
    session.commit()
    result = runner.invoke(app, ["user", "add", "siti", "--role", "produsen", "--org", "dinkes"])
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.username == "siti")).one()
    assert user.role == "produsen" and user.organization_id is not None

    created = runner.invoke(app, ["token", "create", "siti"])
    assert created.exit_code == 0
    token = created.stdout.strip()
    assert token.startswith("tbk_") and len(token) > 40
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.model_dump_json()


def test_cli_errors_are_clear(session: Session) -> None:
    no_org = runner.invoke(app, ["user", "add", "budi", "--role", "produsen"])
    assert no_org.exit_code == 1 and "organization_required" in no_org.output
    unknown = runner.invoke(app, ["user", "add", "budi", "--role", "produsen", "--org", "x"])
    assert unknown.exit_code == 1 and "no organization 'x'" in unknown.output
    bad_role = runner.invoke(app, ["user", "add", "budi", "--role", "raja"])
    assert bad_role.exit_code == 2
    missing = runner.invoke(app, ["token", "create", "nobody"])
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output
    assert runner.invoke(app, ["user", "add", "wali", "--role", "walidata"]).exit_code == 0
    duplicate = runner.invoke(app, ["user", "add", "wali", "--role", "walidata"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
