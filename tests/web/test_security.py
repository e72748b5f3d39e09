"""Security: one coach's data stays that coach's; names, sizes and types of uploads; CSRF."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image

from squatlab.demo import demo_clip


def _first_coach_with_data(server):
    first = server.coach()
    athlete = first.athlete("Private Person")
    session = first.session(athlete["id"], date="2026-02-02")
    body = first.upload(session["id"]).json()
    job = first.wait_for(body["job"]["id"])
    assert job["status"] == "done", job
    return first, athlete, session, body["upload"], job


def test_another_coach_gets_404_for_every_id(server):
    first, athlete, session, upload, job = _first_coach_with_data(server)
    second = server.coach()
    api = [
        f"/api/athletes/{athlete['id']}",
        f"/api/athletes/{athlete['id']}/trends",
        f"/api/sessions/{session['id']}",
        f"/api/uploads/{upload['id']}",
        f"/api/uploads/{upload['id']}/file",
        f"/api/jobs/{job['id']}",
    ]
    pages = [
        f"/athletes/{athlete['id']}",
        f"/sessions/{session['id']}",
        f"/sessions/{session['id']}?job={job['id']}",
        f"/uploads/{upload['id']}/file",
        f"/jobs/{job['id']}/report.html",
        f"/jobs/{job['id']}/overlay.mp4",
        f"/jobs/{job['id']}/results.json",
        f"/jobs/{job['id']}/keyframes/1.jpg",
        f"/compare?a={session['id']}&b={session['id']}",
        f"/compare/report?a={session['id']}&b={session['id']}",
    ]
    for url in [*api, *pages]:
        assert first.get(url).status_code == 200, url
        response = second.get(url)
        assert response.status_code == 404, url
        assert "Private Person" not in response.text
    assert second.get(f"/api/compare?a={session['id']}&b={session['id']}").status_code == 404
    # Writing into someone else's records is refused the same way.
    assert second.post(f"/api/athletes/{athlete['id']}/sessions", json={}).status_code == 404
    assert second.upload(session["id"]).status_code == 404
    form = {"csrf_token": second.csrf}
    assert second.post(f"/athletes/{athlete['id']}/sessions", data=form).status_code == 404
    assert second.get("/api/athletes").json() == []
    assert first.get(f"/sessions/{session['id']}?job=999999").status_code == 404
    assert second.get("/api/jobs").json() == []
    # An id that exists nowhere looks exactly the same as someone else's.
    assert second.get("/api/athletes/999999").json() == second.get(f"/api/athletes/{athlete['id']}").json()


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_sent_file_name_never_becomes_a_path(server, tmp_path):
    coach = server.coach()
    session = coach.session(coach.athlete()["id"])
    passwd = Path("/etc/passwd")
    passwd_before = hashlib.sha256(passwd.read_bytes()).hexdigest()
    uploads = server.data_dir / "uploads"
    before = _files_under(uploads)
    clip = demo_clip().read_bytes()
    for name, shown in [
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\windows\\squat.mp4", "squat.mp4"),
        ("../../../../tmp/x/../evil.mp4", "evil.mp4"),
    ]:
        response = coach.upload(session["id"], clip, name=name)
        assert response.status_code == 201, response.text
        assert response.json()["upload"]["name"] == shown
    assert hashlib.sha256(passwd.read_bytes()).hexdigest() == passwd_before
    added = _files_under(uploads) - before
    assert len(added) == 4
    for path in added:
        assert path.parent == uploads
        assert len(path.stem) == 32
        assert all(c in "0123456789abcdef" for c in path.stem)
    download = coach.get(f"/api/uploads/{response.json()['upload']['id']}/file")
    assert download.content == clip
    assert 'filename="evil.mp4"' in download.headers["content-disposition"]


def test_an_oversized_upload_is_refused_with_the_limit(server):
    coach = server.coach()
    session = coach.session(coach.athlete()["id"])
    big = b"\x00" * (2 * 1024 * 1024)  # the test server's limit is 1 MB
    response = coach.upload(session["id"], big, name="long_set.mp4")
    assert response.status_code == 413
    assert "larger than the upload limit of 1 MB" in response.json()["detail"]

    def chunks():  # a well-formed multipart body without Content-Length: the limit holds while it arrives
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
        for _ in range(40):
            yield b"\x00" * 65536
        yield b"\r\n--xyz--\r\n"

    streamed = coach.post(
        f"/api/sessions/{session['id']}/uploads",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert streamed.status_code == 413
    assert "larger than the upload limit of 1 MB" in streamed.json()["detail"]
    page = coach.post(
        f"/sessions/{session['id']}/uploads", files={"files": ("long_set.mp4", big)}, data={"csrf_token": coach.csrf}
    )
    assert page.status_code == 413
    assert "larger than the upload limit" in page.text
    assert coach.get(f"/api/sessions/{session['id']}").json()["uploads"] == []
    assert list((server.data_dir / "uploads").glob("*")) == [] or all(
        p.stat().st_size < 1024 * 1024 for p in (server.data_dir / "uploads").glob("*")
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(out, format="PNG")
    return out.getvalue()


def test_files_that_are_not_what_their_name_says_are_refused(server):
    coach = server.coach()
    session = coach.session(coach.athlete()["id"])
    uploads = server.data_dir / "uploads"
    before = _files_under(uploads)
    cases = [
        (b"this is a shopping list and not a squat\n", "squat.mp4", "not a readable video: a text file"),
        (b"time,ax,ay,az\n0,1,2,3\n", "squat.mp4", "a CSV text table"),
        (_png(), "squat.mp4", "a still image"),
        (bytes(range(256)) * 64, "squat.mp4", "squat.mp4: "),
        (b"\x00\x01garbage" * 100, "mystery.bin", "cannot tell the format"),
    ]
    for content, name, says in cases:
        response = coach.upload(session["id"], content, name=name)
        assert response.status_code == 415, (name, response.text)
        detail = response.json()["detail"]
        assert says in detail, detail
        assert str(server.data_dir) not in detail  # the stored path is never shown
        assert "--format" not in detail
    page = coach.post(
        f"/sessions/{session['id']}/uploads",
        files={"files": ("notes.mp4", b"just text\n")},
        data={"csrf_token": coach.csrf},
    )
    assert page.status_code == 415
    assert "notes.mp4: not a readable video" in page.text
    assert _files_under(uploads) == before  # refused files are not kept
    assert coach.get(f"/api/sessions/{session['id']}").json()["uploads"] == []


def test_forms_and_api_calls_without_the_csrf_token_are_refused(server):
    coach = server.coach()
    athlete = coach.athlete()
    client = coach.client
    for url, data in [
        ("/athletes", {"name": "Sneaky"}),
        (f"/athletes/{athlete['id']}/sessions", {}),
        ("/logout", {}),
    ]:
        missing = client.post(url, data=data)
        assert missing.status_code == 403, url
        assert "CSRF token" in missing.text
        wrong = client.post(url, data={**data, "csrf_token": "x" * 43})
        assert wrong.status_code == 403, url
    assert client.post("/api/athletes", json={"name": "Sneaky"}).status_code == 403
    assert client.post("/api/athletes", json={"name": "Sneaky"}, headers={"X-CSRF-Token": "nope"}).status_code == 403
    names = [a["name"] for a in coach.get("/api/athletes").json()]
    assert "Sneaky" not in names
    ok = client.post("/athletes", data={"name": "Allowed", "csrf_token": coach.csrf})
    assert ok.status_code == 303
    assert "Allowed" in [a["name"] for a in coach.get("/api/athletes").json()]
