"""Accounts under attack: guessing is locked out, tokens expire and can be revoked or limited to reading,
and every such event is in the audit log."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.errors import Unauthorized
from catalog.models import Activity, ApiToken, Role, User, utcnow
from catalog.services import users

runner = CliRunner()


@pytest.fixture
def siti(session: Session) -> User:
    user = users.create_user(session, username="siti", role=Role.walidata, password="kata-sandi-yang-panjang")
    session.commit()
    return user


def attempt(session: Session, password: str, username: str = "siti") -> str:
    try:
        users.verify_password(session, username=username, password=password)
        session.commit()
        return "ok"
    except Unauthorized as exc:
        session.rollback()  # as the edge does with a refused request
        return exc.code


def actions(session: Session) -> list[str]:
    session.expire_all()
    return [a.action for a in session.exec(select(Activity).where(col(Activity.action).like("auth.%"))).all()]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(session: Session, siti: User) -> None:
    assert [attempt(session, "salah") for _ in range(5)] == ["bad_credentials"] * 5
    assert attempt(session, "kata-sandi-yang-panjang") == "account_locked"
    assert actions(session) == ["auth.failure"] * 4 + ["auth.lockout"]  # kept although each request rolled back

    session.expire_all()
    locked = session.get(User, siti.id)
    assert locked is not None and locked.locked_until is not None
    locked.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes later
    session.add(locked)
    session.commit()
    assert attempt(session, "kata-sandi-yang-panjang") == "ok"
    session.expire_all()
    assert session.get(User, siti.id).failed_logins == 0  # type: ignore[union-attr]
    assert actions(session)[-1] == "auth.login"


def test_an_unknown_name_and_a_wrong_password_answer_alike(session: Session, siti: User) -> None:
    assert attempt(session, "apa saja", username="tidak-ada") == "bad_credentials"
    assert attempt(session, "salah") == "bad_credentials"


def test_expired_revoked_and_read_only_tokens(client: TestClient, session: Session, siti: User) -> None:
    everyday = users.create_token(session, user=siti, name="harian")
    reader = users.create_token(session, user=siti, name="dasbor", read_only=True, expires_in_days=30)
    session.commit()
    me = {"Authorization": f"Bearer {everyday}"}
    assert client.get("/api/v1/me", headers=me).status_code == 200

    reading = {"Authorization": f"Bearer {reader}"}
    assert client.get("/api/v1/review-queue", headers=reading).status_code == 200
    refused = client.post("/api/v1/releases/1/approve", headers=reading)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "token_read_only"

    record = session.exec(select(ApiToken).where(ApiToken.name == "dasbor")).one()
    record.expires = utcnow() - timedelta(minutes=1)
    session.add(record)
    session.commit()
    expired = client.get("/api/v1/me", headers=reading)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"

    users.revoke_token(session, prefix=everyday[:10])
    session.commit()
    revoked = client.get("/api/v1/me", headers=me)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "invalid_token"
    logged = [a.detail for a in session.exec(select(Activity).where(Activity.action == "token.revoke")).all()]
    assert logged == [{"prefix": everyday[:10]}]


def test_token_commands_create_list_and_revoke(session: Session, siti: User) -> None:
    made = runner.invoke(app, ["token", "create", "siti", "--name", "skrip", "--expires-days", "90", "--read-only"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    listed = runner.invoke(app, ["token", "list", "siti"])
    assert token[:10] in listed.output and "read" in listed.output and token not in listed.output
    assert runner.invoke(app, ["token", "revoke", token[:10]]).exit_code == 0
    session.expire_all()
    assert session.exec(select(ApiToken)).one().revoked
    assert runner.invoke(app, ["token", "create", "siti", "--expires-days", "0"]).exit_code == 1
