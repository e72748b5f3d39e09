"""Request dependencies: the database session, the signed-in coach, the CSRF check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from squatlab.store.models import Coach
from squatlab.web import security


class LoginRequiredError(Exception):
    """A page needs a signed-in coach: the app answers with a redirect to the sign-in page."""


def get_db(request: Request) -> Iterator[Session]:
    """A session per request: committed when the route succeeds, rolled back when it raises.

    A route may commit earlier on purpose (a failed sign-in is recorded although the request fails).
    """
    with request.app.state.factory() as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise


# "function": committed before the response leaves, so the next request sees the change.
Db = Annotated[Session, Depends(get_db, scope="function")]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def optional_coach(request: Request, db: Db) -> Coach | None:
    return security.coach_for_token(db, request.cookies.get(security.SESSION_COOKIE))


MaybeCoach = Annotated[Coach | None, Depends(optional_coach)]


def api_coach(coach: MaybeCoach) -> Coach:
    if coach is None:
        raise HTTPException(401, "sign in first (POST /api/login)")
    return coach


def page_coach(coach: MaybeCoach) -> Coach:
    if coach is None:
        raise LoginRequiredError
    return coach


ApiCoach = Annotated[Coach, Depends(api_coach)]
PageCoach = Annotated[Coach, Depends(page_coach)]


async def require_csrf(request: Request) -> None:
    """Every state-changing request repeats the CSRF cookie in a header or a form field."""
    if request.method in security.SAFE_METHODS:
        return
    sent = request.headers.get(security.CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await request.form()
        value = form.get(security.CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), sent):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and send the form again")
