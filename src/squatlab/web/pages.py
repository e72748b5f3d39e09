"""The HTML pages: server-rendered, a little local script for live progress, nothing from elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from squatlab.store import repo
from squatlab.store.models import Athlete, Coach, Job, TrainingSession, Upload
from squatlab.web import plots, security, service, uploads
from squatlab.web.app import templates
from squatlab.web.deps import Db, MaybeCoach, PageCoach, client_address, require_csrf
from squatlab.web.results import TREND_METRICS

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
# The analysis's own report is a finished page: its styles and pictures inline, no script, and it may
# only be framed by this app.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def render(request: Request, name: str, code: int = 200, **context) -> HTMLResponse:
    context.setdefault("coach", None)
    context["csrf"] = request.state.csrf
    context["max_upload_bytes"] = request.app.state.config.web.max_upload_bytes
    return templates.TemplateResponse(request, name, context, status_code=code)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(coach: MaybeCoach) -> RedirectResponse:
    return see_other("/athletes" if coach else "/login")


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", mode="login")


@router.get("/signup")
def signup_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", mode="signup")


@router.post("/login")
def login(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()], db: Db) -> Response:
    config = request.app.state.config
    try:
        coach = service.login(db, email, password, client_address(request), config.web)
    except service.RateLimitedError as exc:
        return render(request, "login.html", 429, mode="login", error=str(exc), email=email)
    except service.FormError as exc:
        db.commit()
        return render(request, "login.html", 401, mode="login", error=str(exc), email=email)
    return _signed_in(request, db, coach)


@router.post("/signup")
def signup(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()], db: Db) -> Response:
    try:
        coach = service.signup(db, email, password, request.app.state.config.web)
    except service.FormError as exc:
        return render(request, "login.html", 422, mode="signup", error=str(exc), email=email)
    return _signed_in(request, db, coach)


def _signed_in(request: Request, db: Session, coach: Coach) -> Response:
    from squatlab.web.api import _set_session

    response = see_other("/athletes")
    _set_session(request, response, security.start_session(db, coach, request.app.state.config.web))
    return response


@router.post("/logout")
def logout(request: Request, db: Db) -> Response:
    security.end_session(db, request.cookies.get(security.SESSION_COOKIE))
    response = see_other("/login")
    response.delete_cookie(security.SESSION_COOKIE)
    return response


@router.get("/athletes")
def athletes_page(request: Request, coach: PageCoach, db: Db):
    return render(request, "athletes.html", coach=coach, athletes=repo.athletes(db, coach.id))


@router.post("/athletes")
def add_athlete(
    request: Request,
    coach: PageCoach,
    db: Db,
    name: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    bodyweight_kg: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    try:
        athlete = service.add_athlete(db, coach, name=name, sex=sex or None, bodyweight_kg=bodyweight_kg, notes=notes)
    except service.FormError as exc:
        return render(request, "athletes.html", 422, coach=coach, athletes=repo.athletes(db, coach.id), error=str(exc))
    return see_other(f"/athletes/{athlete.id}")


def _athlete_context(db: Session, request: Request, coach: Coach, athlete_id: int) -> dict:
    athlete = repo.owned(db, Athlete, athlete_id, coach.id)
    points = service.trend(db, request.app.state.config, coach, athlete_id)
    sessions = repo.sessions_of(db, coach.id, athlete_id)
    status = {s.id: [j.status for j in repo.jobs_of(db, coach.id, s.id)] for s in sessions}
    return {
        "coach": coach, "athlete": athlete, "sessions": sessions, "status": status, "points": points,
        "metrics": TREND_METRICS, "plots": plots.trend_svgs(points), "stances": service.STANCES,
    }  # fmt: skip


@router.get("/athletes/{athlete_id}")
def athlete_page(athlete_id: int, request: Request, coach: PageCoach, db: Db) -> HTMLResponse:
    return render(request, "athlete.html", **_athlete_context(db, request, coach, athlete_id))


@router.post("/athletes/{athlete_id}/sessions")
def add_session(
    athlete_id: int,
    request: Request,
    coach: PageCoach,
    db: Db,
    day: Annotated[str, Form()] = "",
    load_kg: Annotated[str, Form()] = "",
    stance: Annotated[str, Form()] = "",
    footwear: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    try:
        session = service.add_session(
            db, coach, athlete_id, day=day, load_kg=load_kg, stance=stance or None, footwear=footwear, notes=notes
        )
    except service.FormError as exc:
        context = _athlete_context(db, request, coach, athlete_id)
        return render(request, "athlete.html", 422, error=str(exc), **context)
    return see_other(f"/sessions/{session.id}")


def _session_page(
    request: Request, db: Session, coach: Coach, session_id: int, code: int = 200, job: int | None = None, **extra
):
    view = service.session_view(db, request.app.state.config, coach, session_id, job)
    names = {u.id: u.display_name for u in view.uploads}
    return render(request, "session.html", code, coach=coach, view=view, names=names, **extra)


@router.get("/sessions/{session_id}")
def session_page(session_id: int, request: Request, coach: PageCoach, db: Db, job: int | None = None) -> HTMLResponse:
    """The session, showing its newest finished analysis or the one named by ``?job=``."""
    return _session_page(request, db, coach, session_id, job=job)


@router.post("/sessions/{session_id}/uploads")
def upload_files(
    session_id: int,
    request: Request,
    coach: PageCoach,
    db: Db,
    files: list[UploadFile],
    imu_sensors: Annotated[str, Form()] = "",
) -> Response:
    repo.owned(db, TrainingSession, session_id, coach.id)
    errors = []
    for file in files:
        try:
            service.add_upload(
                db, request.app.state.config, coach, session_id, source=file.file, sent_name=file.filename,
                imu_sensors=imu_sensors,
            )  # fmt: skip
        except uploads.TooLargeError as exc:
            errors.append((413, f"{uploads.display_name(file.filename)}: {exc}"))
        except uploads.UnsupportedFileError as exc:
            errors.append((415, str(exc)))
    if errors:
        db.commit()  # the files that were fine stay queued
        return _session_page(request, db, coach, session_id, max(c for c, _ in errors), errors=[m for _, m in errors])
    return see_other(f"/sessions/{session_id}")


@router.get("/uploads/{upload_id}/file")
def upload_file(upload_id: int, request: Request, coach: PageCoach, db: Db) -> FileResponse:
    upload = repo.owned(db, Upload, upload_id, coach.id)
    path = request.app.state.config.uploads_dir / upload.stored_name
    return FileResponse(path, filename=upload.display_name, media_type="application/octet-stream")


def _job_folder(db: Session, request: Request, coach: Coach, job_id: int) -> Path:
    job = repo.owned(db, Job, job_id, coach.id)
    folder = service.result_dir(request.app.state.config, job)
    if folder is None:
        raise HTTPException(404, "this analysis has not finished")
    return folder


@router.get("/jobs/{job_id}/report.html")
def job_report(job_id: int, request: Request, coach: PageCoach, db: Db):
    response = FileResponse(_job_folder(db, request, coach, job_id) / "report.html", media_type="text/html")
    response.headers["content-security-policy"] = REPORT_CSP
    return response


_MEDIA = {"overlay.mp4": "video/mp4", "results.json": "application/json", "timeseries.csv": "text/csv"}


@router.get("/jobs/{job_id}/{name}")
def job_file(job_id: int, name: str, request: Request, coach: PageCoach, db: Db) -> FileResponse:
    if name not in _MEDIA:
        raise HTTPException(404, "not found")
    path = _job_folder(db, request, coach, job_id) / name
    if not path.exists():
        raise HTTPException(404, "not found")
    return FileResponse(path, media_type=_MEDIA[name])


@router.get("/jobs/{job_id}/keyframes/{rep}.jpg")
def keyframe(job_id: int, rep: int, request: Request, coach: PageCoach, db: Db) -> FileResponse:
    path = _job_folder(db, request, coach, job_id) / "keyframes" / f"rep{rep}.jpg"
    if not path.exists():
        raise HTTPException(404, "not found")
    return FileResponse(path, media_type="image/jpeg")


def _choices(db: Session, coach: Coach) -> list[tuple[int, str]]:
    return [
        (s.id, service.session_label(db, coach, s))
        for s in repo.all_sessions(db, coach.id)
        if repo.latest_done_job(db, coach.id, s.id) is not None
    ]


@router.get("/compare")
def compare_page(
    request: Request,
    coach: PageCoach,
    db: Db,
    a: int | None = None,
    b: int | None = None,
) -> HTMLResponse:
    result, error = None, None
    if a is not None and b is not None:
        try:
            result = service.comparison(db, request.app.state.config, coach, a, b)
        except service.FormError as exc:
            error = str(exc)
    return render(request, "compare.html", coach=coach, choices=_choices(db, coach), a=a, b=b, result=result,
                  error=error)  # fmt: skip


@router.get("/compare/report")
def compare_report(a: int, b: int, request: Request, coach: PageCoach, db: Db) -> HTMLResponse:
    from squatlab.findings.compare_html import render_html

    try:
        result = service.comparison(db, request.app.state.config, coach, a, b)
    except service.FormError as exc:
        raise HTTPException(409, str(exc)) from None
    return HTMLResponse(render_html(result), headers={"content-security-policy": REPORT_CSP})
