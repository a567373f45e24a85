"""Accounts and API tokens. Tokens are shown once and stored only as a SHA-256 hash."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlmodel import Session, col, select

from catalog import permissions
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


def verify_password(session: Session, *, username: str, password: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.password_hash or not user.is_active:
        raise Unauthorized("wrong user name or password", code="bad_credentials")
    try:
        _hasher.verify(user.password_hash, password)
    except VerificationError as exc:
        raise Unauthorized("wrong user name or password", code="bad_credentials") from exc
    return user


def create_token(session: Session, *, user: User, name: str = "") -> str:
    """Create a token and return it in clear: the only time it is ever visible."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:10], name=name))
    activity.record(session, actor=user, action="token.create", object_type="user", object_id=user.id)
    session.flush()
    return token


def user_for_token(session: Session, *, token: str) -> User:
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if record is None or record.revoked or not record.user.is_active:
        raise Unauthorized("the API token is not valid", code="invalid_token")
    now = utcnow()
    # Recording every use would make each API call a write; once a minute is enough for audits.
    if record.last_used is None or (now - record.last_used).total_seconds() > 60:
        record.last_used = now
        session.add(record)
        session.flush()
    return record.user
