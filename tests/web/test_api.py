"""The JSON API against a real server, on SQLite and on PostgreSQL (the ``server`` fixture's two params)."""

from __future__ import annotations

import pytest


def test_signup_sign_in_and_out(server):
    coach = server.coach()
    assert coach.get("/api/me").json()["email"] == coach.email
    assert coach.post("/api/logout").status_code == 200
    assert coach.get("/api/me").status_code == 401
    wrong = coach.post("/api/login", json={"email": coach.email, "password": "not it at all"})
    assert wrong.status_code == 401
    assert "wrong e-mail or password" in wrong.json()["detail"]
    assert coach.post("/api/login", json={"email": coach.email.upper(), "password": coach.password}).status_code == 200
    assert coach.get("/api/me").status_code == 200


def test_session_cookie_is_httponly_and_samesite(server):
    coach = server.coach()
    response = coach.post("/api/login", json={"email": coach.email, "password": coach.password})
    cookie = response.headers["set-cookie"].lower()
    assert "squatlab_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


@pytest.mark.parametrize(
    ("email", "password", "says"),
    [("not-an-email", "long enough pw", "valid e-mail"), ("x@example.org", "short", "at least 8 characters")],
)
def test_signup_refuses_bad_input(server, email, password, says):
    coach = server.coach()
    response = coach.post("/api/signup", json={"email": email, "password": password})
    assert response.status_code == 422
    assert says in response.json()["detail"]


def test_signup_refuses_an_existing_email(server):
    first = server.coach()
    response = first.post("/api/signup", json={"email": first.email, "password": "another password"})
    assert response.status_code == 422
    assert "exists" in response.json()["detail"]


def test_athletes_and_sessions_are_stored_and_validated(server):
    coach = server.coach()
    athlete = coach.athlete("Sam", sex="female", bodyweight_kg=61.5, notes="knee-to-wall 9 cm")
    assert athlete["sex"] == "female"
    assert athlete["bodyweight_kg"] == 61.5
    session = coach.session(athlete["id"], date="2026-03-14", load_kg=60, stance="narrow", footwear="2.5 cm wedge")
    assert session["date"] == "2026-03-14"
    assert session["footwear"] == "2.5 cm wedge"
    listed = coach.get(f"/api/athletes/{athlete['id']}").json()
    assert [s["id"] for s in listed["sessions"]] == [session["id"]]
    assert coach.get("/api/athletes").json() == [{k: v for k, v in listed.items() if k != "sessions"}]
    bad = coach.post("/api/athletes", json={"name": "X", "sex": "other"})
    assert bad.status_code == 422
    assert "sex must be one of" in bad.json()["detail"]
    bad = coach.post(f"/api/athletes/{athlete['id']}/sessions", json={"stance": "sumo"})
    assert bad.status_code == 422


def test_requests_without_sign_in_are_refused(server):
    coach = server.coach()
    coach.post("/api/logout")
    for url in ("/api/athletes", "/api/jobs", "/api/athletes/1", "/api/sessions/1"):
        assert coach.get(url).status_code == 401
    page = coach.get("/athletes")
    assert page.status_code == 303
    assert page.headers["location"] == "/login"


def test_uploads_are_analysed_with_trends_and_comparison(server):
    """Two sessions, two clips uploaded back to back: both analysed, then the trend and the comparison."""
    coach = server.coach()
    athlete = coach.athlete("Jo", sex="male", bodyweight_kg=80)
    before = coach.session(athlete["id"], date="2026-03-01", load_kg=40, stance="medium", footwear="flat shoes")
    after = coach.session(athlete["id"], date="2026-03-15", load_kg=42.5, stance="medium", footwear="wedge")
    jobs = []
    for session in (before, after):
        response = coach.upload(session["id"], name="IMG_0001.MP4")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["upload"]["kind"] == "video"
        assert body["upload"]["name"] == "IMG_0001.MP4"
        assert body["job"]["status"] == "queued"
        jobs.append(body["job"]["id"])
    for job_id in jobs:
        job = coach.wait_for(job_id)
        assert job["status"] == "done", job
        assert job["reps"] == 2

    view = coach.get(f"/api/sessions/{after['id']}").json()
    analysis = view["analysis"]
    assert [r["index"] for r in analysis["reps"]] == [1, 2]
    # The demo's 20 deg wink reads at about 12 deg, right at the findings' threshold on this
    # body (docs/validation.md): graded or not, its size is carried, well clear of rep 1's.
    first, second = analysis["reps"]
    assert second["wink"] in ("none", "mild", "moderate", "large", "severe")
    assert second["wink_deg"] >= 8.0 and first["wink_deg"] < 3.0
    assert "does not diagnose" in analysis["findings"]
    assert len(analysis["keyframes"]) == 2
    for url in (analysis["report"], analysis["overlay"], analysis["results"], *analysis["keyframes"]):
        assert coach.get(url).status_code == 200, url
    report = coach.get(analysis["report"])
    assert "<html" in report.text.lower()
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    results = coach.get(analysis["results"]).json()
    assert results["context"]["load_kg"] == 42.5
    assert results["input"]["path"] == "IMG_0001.MP4"  # the name the coach knows, not where it is stored
    assert coach.get(analysis["overlay"]).headers["content-type"] == "video/mp4"

    trend = coach.get(f"/api/athletes/{athlete['id']}/trends").json()
    assert [p["date"] for p in trend] == ["2026-03-01", "2026-03-15"]
    # The trend's largest wink counts flagged winks only (0 = none flagged): the demo's wink
    # sits at the threshold, so the point follows whether it was flagged.
    flagged = [r["wink_deg"] for r in analysis["reps"] if r["wink"] not in (None, "none")]
    assert trend[1]["wink_deg"] == pytest.approx(max(flagged, default=0.0))
    assert trend[0]["wink_deg"] == pytest.approx(trend[1]["wink_deg"])  # the same clip twice
    page = coach.get(f"/athletes/{athlete['id']}").text
    assert page.count('<tr data-session="') == 2
    assert 'id="trend-wink_deg"' in page

    compared = coach.get("/api/compare", params={"a": before["id"], "b": after["id"]}).json()
    assert compared["a"]["reps"] == compared["b"]["reps"] == 2
    assert any(m["key"].startswith("butt_wink") for m in compared["metrics"])
    page = coach.get("/compare", params={"a": before["id"], "b": after["id"]})
    assert page.status_code == 200
    assert 'id="compare-table"' in page.text
    assert coach.get("/compare/report", params={"a": before["id"], "b": after["id"]}).status_code == 200


def test_docs_are_served_without_a_cdn(server):
    coach = server.coach()
    docs = coach.get("/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text
    assert "https://" not in docs.text
    for asset in ("/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css"):
        assert coach.get(asset).status_code == 200
    spec = coach.get("/openapi.json").json()
    assert "/api/sessions/{session_id}/uploads" in spec["paths"]
