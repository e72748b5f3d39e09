"""Sign-in is rate-limited per address and per e-mail (its own server: the limit is per address)."""

from __future__ import annotations

import pytest
from harness import start_server

from squatlab.web.config import WebSettings


@pytest.mark.parametrize("fresh_db_url", ["sqlite", "postgresql"], indirect=True)
def test_sign_in_is_rate_limited(tmp_path, fresh_db_url):
    with start_server(tmp_path, fresh_db_url) as server:
        coach = server.coach()
        coach.post("/api/logout")
        limit = WebSettings().login_max_failures
        for _ in range(limit):
            response = coach.post("/api/login", json={"email": coach.email, "password": "wrong guess"})
            assert response.status_code == 401
        blocked = coach.post("/api/login", json={"email": coach.email, "password": coach.password})
        assert blocked.status_code == 429
        assert "too many failed sign-ins" in blocked.json()["detail"]
        assert int(blocked.headers["retry-after"]) > 0
        # The sign-in form says the same.
        page = coach.post("/login", data={"email": coach.email, "password": coach.password, "csrf_token": coach.csrf})
        assert page.status_code == 429
        assert "too many failed sign-ins" in page.text
