"""Accounts and API tokens. Tokens are shown once and stored only as a SHA-256 hash."""

import hashlib
import secrets
import threading
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select

from catalog import permissions
from catalog.db import get_engine
from catalog.errors import Conflict, Invalid, NotFound, Unauthorized
from catalog.models import ApiToken, Organization, Role, User, utcnow
from catalog.services import activity

TOKEN_PREFIX = "tbk_"
_hasher = PasswordHasher()


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; passwords use argon2.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    username: str,
    role: Role,
    organization_slug: str | None = None,
    full_name: str = "",
    email: str | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"user {username!r} already exists", code="duplicate_username")
    organization = None
    if organization_slug:
        organization = session.exec(select(Organization).where(Organization.slug == organization_slug)).first()
        if organization is None:
            raise NotFound(f"no organization {organization_slug!r}", code="organization_not_found")
    if role == Role.produsen and organization is None:
        raise Invalid("a produsen account belongs to one OPD: give --org", code="organization_required")
    user = User(
        username=username,
        role=role,
        organization_id=organization.id if organization else None,
        full_name=full_name,
        email=email,
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        detail={"username": username, "role": role.value, "organization": organization_slug},
    )
    return user


ADMIN_ONLY = "only an admin manages accounts"


def list_users(session: Session, *, actor: User | None) -> list[User]:
    permissions.require_admin(actor, refusal=ADMIN_ONLY)
    return list(session.exec(select(User).order_by(col(User.username))).all())


def update_user(
    session: Session,
    *,
    username: str,
    actor: User | None,
    role: Role | None = None,
    organization_slug: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change an account's role, OPD or status; deactivating it also stops its tokens."""
    permissions.require_admin(actor, refusal=ADMIN_ONLY)
    user = get_user(session, username=username)
    changes: dict[str, object] = {}
    if organization_slug is not None:
        organization = session.exec(select(Organization).where(Organization.slug == organization_slug)).first()
        if organization is None:
            raise NotFound(f"no organization {organization_slug!r}", code="organization_not_found")
        user.organization_id = organization.id
        changes["organization"] = organization_slug
    if role is not None:
        user.role = role
        changes["role"] = role.value
    if is_active is not None:
        user.is_active = is_active
        changes["is_active"] = is_active
    if user.role == Role.produsen and user.organization_id is None:
        raise Invalid("a produsen account belongs to one OPD", code="organization_required")
    session.add(user)
    activity.record(session, actor=actor, action="user.update", object_type="user", object_id=user.id, detail=changes)
    session.flush()
    return user


def get_user(session: Session, *, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username!r}", code="user_not_found")
    return user


MAX_FAILED_LOGINS = 5  # in a row; then the account waits LOCKOUT before it may try again
LOCKOUT = timedelta(minutes=15)
# Checked against when the user name is unknown, so that a wrong name costs as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("terbuka: no such account")


def verify_password(session: Session, *, username: str, password: str) -> User:
    """The account behind a user name and password; five failures in a row lock it for 15 minutes.

    Failures, lockouts and successes go to the audit log in a transaction of their own: the request that
    was refused rolls its own back, and the record of the attempt must stay."""
    user = session.exec(select(User).where(User.username == username)).first()
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
        raise Unauthorized(f"too many failed sign-ins: try again in {minutes} minutes", code="account_locked")
    stored = user.password_hash if user is not None and user.is_active else None
    try:
        _hasher.verify(stored or _UNKNOWN_USER_HASH, password)
    except VerificationError as exc:
        if user is not None:
            _record_failed_login(user.id or 0, now)
        raise Unauthorized("wrong user name or password", code="bad_credentials") from exc
    if stored is None or user is None:
        raise Unauthorized("wrong user name or password", code="bad_credentials")
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        session.add(user)
    activity.record(session, actor=user, action="auth.login", object_type="user", object_id=user.id)
    session.flush()
    return user


def _record_failed_login(user_id: int, now: datetime) -> None:
    with Session(get_engine()) as own:
        user = own.get(User, user_id)
        if user is None:
            return
        user.failed_logins += 1
        detail: dict[str, object] = {"failed_logins": user.failed_logins}
        action = "auth.failure"
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            action, detail["locked_until"] = "auth.lockout", user.locked_until.isoformat()
        own.add(user)
        activity.record(own, actor=user, action=action, object_type="user", object_id=user.id, detail=detail)
        own.commit()


def create_token(
    session: Session, *, user: User, name: str = "", expires_in_days: int | None = None, read_only: bool = False
) -> str:
    """Create a token and return it in clear: the only time it is ever visible."""
    if expires_in_days is not None and expires_in_days < 1:
        raise Invalid("a token lasts at least one day", code="invalid_expiry")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token),
            prefix=token[:10],
            name=name,
            expires=expires,
            read_only=read_only,
        )
    )
    detail = {
        "prefix": token[:10],
        "name": name,
        "expires": expires.isoformat() if expires else None,
        "read_only": read_only,
    }
    activity.record(session, actor=user, action="token.create", object_type="user", object_id=user.id, detail=detail)
    session.flush()
    return token


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))).all())


def revoke_token(session: Session, *, prefix: str, actor: User | None = None) -> ApiToken:
    """Revoke the token whose first characters (as `terbuka token list` shows them) are ``prefix``."""
    record = session.exec(select(ApiToken).where(ApiToken.prefix == prefix)).first()
    if record is None:
        raise NotFound(f"no token {prefix!r}", code="token_not_found")
    record.revoked = True
    session.add(record)
    activity.record(
        session,
        actor=actor or record.user,
        action="token.revoke",
        object_type="user",
        object_id=record.user_id,
        detail={"prefix": prefix},
    )
    session.flush()
    return record


def token_for(session: Session, *, token: str) -> ApiToken:
    """The valid token record behind a token: not unknown, revoked, expired, or of a deactivated account."""
    found = select(ApiToken).where(ApiToken.token_hash == hash_token(token)).options(joinedload(ApiToken.user))  # type: ignore[arg-type]
    record = session.exec(found).first()
    if record is None or record.revoked or not record.user.is_active:
        raise Unauthorized("the API token is not valid", code="invalid_token")
    now = utcnow()
    if record.expires is not None and record.expires <= now:
        raise Unauthorized("the API token has expired: create a new one", code="token_expired")
    if _use_to_record(record, now):
        record.last_used = now
        session.add(record)
        session.flush()
    return record


USE_RECORDED_EVERY = 60  # seconds
_uses_recorded: dict[str, datetime] = {}  # by this process: token hash → when
_uses_lock = threading.Lock()


def _use_to_record(record: ApiToken, now: datetime) -> bool:
    """Whether this request records the token's use. Recording every use would make each API call a write;
    once a minute is enough for audits, and by one request of the process: when every request in flight
    with a busy token updated its row, each waited for the row lock the one before it held to its end."""
    if record.last_used is not None and (now - record.last_used).total_seconds() <= USE_RECORDED_EVERY:
        return False
    with _uses_lock:
        before = _uses_recorded.get(record.token_hash)
        if before is not None and (now - before).total_seconds() <= USE_RECORDED_EVERY:
            return False  # another request of this process is recording it
        _uses_recorded[record.token_hash] = now
    return True


def user_for_token(session: Session, *, token: str) -> User:
    return token_for(session, token=token).user
