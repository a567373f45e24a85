"""Dependencies shared by the routers: the database session (one unit of work) and the signed-in user."""

from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from catalog.db import commit, get_engine, rollback
from catalog.errors import Forbidden, Unauthorized
from catalog.models import User
from catalog.services.users import token_for

READING_METHODS = {"GET", "HEAD", "OPTIONS"}
READING_POSTS = {"/api/v1/datastore/sql"}  # a POST that only reads: a query too long for a URL


def _untouched(session: Session) -> bool:
    """Nothing asked of the database and nothing to write: closing it needs no round trip."""
    return not (session.in_transaction() or session.new or session.dirty or session.deleted or session.info)


def _close(session: Session) -> None:
    # Closing rolls back; on a connection the database dropped that fails too. The answer has been
    # given by then, so the failure must not escape and cut the client's kept-alive connection.
    with suppress(SQLAlchemyError):
        session.close()


def _settle(session: Session, failed: bool) -> None:
    try:
        if failed:
            with suppress(SQLAlchemyError):  # the database may be gone: the first error is the one to tell
                rollback(session)
        else:
            commit(session)
    finally:
        _close(session)


async def get_session() -> AsyncIterator[Session]:
    """The request's one unit of work: committed once the handler and its serialisation succeed, before
    the response is sent (``scope="function"``), and rolled back on any error, so a failed request never
    commits anything. Database work runs in the thread pool; a request answered without touching the
    database (one the public cache answers) costs no thread at all."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    except BaseException:
        if not _untouched(session):
            await run_in_threadpool(_settle, session, True)
        raise
    if not _untouched(session):
        await run_in_threadpool(_settle, session, False)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def optional_user(request: Request, session: SessionDep) -> User | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    return await run_in_threadpool(_user_for, request, session, header)


def _user_for(request: Request, session: Session, header: str) -> User:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
    record = token_for(session, token=token.strip())
    if record.read_only and request.method not in READING_METHODS and request.url.path not in READING_POSTS:
        raise Forbidden(
            "this API token may only read: create a token without --read-only to write", code="token_read_only"
        )
    return record.user


async def required_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise Unauthorized("this needs an API token: 'Authorization: Bearer <token>'", code="token_required")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(required_user)]


# Bounded so that an absurd number is a 422, not a database overflow.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RowIdQuery = Annotated[int, Query(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
