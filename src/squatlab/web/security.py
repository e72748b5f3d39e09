"""Passwords, sign-in sessions, CSRF tokens and the sign-in rate limit.

- Passwords: Argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile).
- Sessions: a random token in an HttpOnly, SameSite=Lax cookie; the database keeps only its
  SHA-256, so a leaked database opens no account.
- CSRF: a random token in its own cookie that every state-changing request must repeat, in
  the form field ``csrf_token`` or the ``X-CSRF-Token`` header (the double-submit pattern;
  another site can neither read the cookie nor set it).
- Rate limit: failed sign-ins are counted per client address and per e-mail over a window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from squatlab.store.models import Coach, LoginAttempt, LoginSession, utcnow
from squatlab.web.config import WebSettings

SESSION_COOKIE = "squatlab_session"
CSRF_COOKIE = "squatlab_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(coach: Coach | None, password: str) -> bool:
    try:
        return _hasher.verify(coach.password_hash if coach else _DUMMY_HASH, password) and coach is not None
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, coach: Coach, settings: WebSettings) -> str:
    """A new sign-in for ``coach``; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=settings.session_days)
    db.add(LoginSession(token_sha256=_digest(token), coach_id=coach.id, expires_at=expires))
    db.flush()
    return token


def coach_for_token(db: Session, token: str | None) -> Coach | None:
    if not token:
        return None
    query = (
        select(Coach)
        .join(LoginSession, LoginSession.coach_id == Coach.id)
        .where(LoginSession.token_sha256 == _digest(token), LoginSession.expires_at > utcnow())
    )
    return db.scalar(query)


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(LoginSession).where(LoginSession.token_sha256 == _digest(token)))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie) and bool(sent) and hmac.compare_digest(cookie.encode(), sent.encode())


def login_blocked(db: Session, email: str, client: str, settings: WebSettings) -> bool:
    """True when this address or this e-mail has failed too often within the window."""
    since = utcnow() - timedelta(seconds=settings.login_window_s)
    recent = select(LoginAttempt).where(LoginAttempt.at > since)
    by_client = db.scalar(select(func.count()).select_from(recent.where(LoginAttempt.client == client).subquery()))
    by_email = db.scalar(select(func.count()).select_from(recent.where(LoginAttempt.email == email).subquery()))
    return max(by_client or 0, by_email or 0) >= settings.login_max_failures


def record_failure(db: Session, email: str, client: str, settings: WebSettings) -> None:
    old = utcnow() - timedelta(seconds=settings.login_window_s)
    db.execute(delete(LoginAttempt).where(or_(LoginAttempt.at < old)))
    db.add(LoginAttempt(email=email, client=client))
    db.flush()
