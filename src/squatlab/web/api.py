"""The JSON API behind the pages (documented at /docs). Every route filters by the signed-in coach."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from squatlab.store import repo
from squatlab.store.models import Athlete, Job, TrainingSession, Upload
from squatlab.web import security, service, uploads
from squatlab.web.deps import ApiCoach, Db, client_address, require_csrf

router = APIRouter(prefix="/api", tags=["workspace"], dependencies=[Depends(require_csrf)])


class Credentials(BaseModel):
    email: str
    password: str


class AthleteIn(BaseModel):
    name: str
    sex: str | None = Field(None, description="female or male (changes what is typical)")
    bodyweight_kg: float | None = None
    notes: str = ""


class SessionIn(BaseModel):
    date: dt.date | None = Field(None, description="the day of the set (default: today)")
    load_kg: float | None = None
    stance: str | None = Field(None, description="narrow, medium or wide")
    footwear: str = Field("", description="footwear or heel, e.g. 'flat shoes', '2.5 cm wedge'")
    notes: str = ""


def _form_error(exc: service.FormError) -> HTTPException:
    return HTTPException(422, str(exc))


@router.get("/csrf", summary="A CSRF token (also set as the squatlab_csrf cookie)")
def csrf(request: Request) -> dict:
    return {"csrf_token": request.state.csrf}


@router.post("/signup", status_code=201, summary="Create a coach account and sign in")
def signup(body: Credentials, request: Request, response: Response, db: Db) -> dict:
    config = request.app.state.config
    try:
        coach = service.signup(db, body.email, body.password, config.web)
    except service.FormError as exc:
        raise _form_error(exc) from None
    _set_session(request, response, security.start_session(db, coach, config.web))
    return {"id": coach.id, "email": coach.email}


@router.post("/login", summary="Sign in (rate-limited per address and per e-mail)")
def login(body: Credentials, request: Request, response: Response, db: Db) -> dict:
    config = request.app.state.config
    try:
        coach = service.login(db, body.email, body.password, client_address(request), config.web)
    except service.RateLimitedError as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(int(config.web.login_window_s))}) from None
    except service.FormError as exc:
        # The failure must be recorded even though the request fails.
        db.commit()
        raise HTTPException(401, str(exc)) from None
    _set_session(request, response, security.start_session(db, coach, config.web))
    return {"id": coach.id, "email": coach.email}


def _set_session(request: Request, response: Response, token: str) -> None:
    days = request.app.state.config.web.session_days
    response.set_cookie(
        security.SESSION_COOKIE, token, max_age=int(days * 86400), httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


@router.post("/logout", summary="Sign out")
def logout(request: Request, response: Response, db: Db) -> dict:
    security.end_session(db, request.cookies.get(security.SESSION_COOKIE))
    response.delete_cookie(security.SESSION_COOKIE)
    return {"ok": True}


@router.get("/me")
def me(coach: ApiCoach) -> dict:
    return {"id": coach.id, "email": coach.email}


@router.get("/athletes")
def list_athletes(coach: ApiCoach, db: Db) -> list[dict]:
    return [service.athlete_json(a) for a in repo.athletes(db, coach.id)]


@router.post("/athletes", status_code=201)
def create_athlete(body: AthleteIn, coach: ApiCoach, db: Db) -> dict:
    try:
        athlete = service.add_athlete(
            db, coach, name=body.name, sex=body.sex, bodyweight_kg=body.bodyweight_kg, notes=body.notes
        )
    except service.FormError as exc:
        raise _form_error(exc) from None
    return service.athlete_json(athlete)


@router.get("/athletes/{athlete_id}")
def get_athlete(athlete_id: int, coach: ApiCoach, db: Db) -> dict:
    athlete = repo.owned(db, Athlete, athlete_id, coach.id)
    sessions = repo.sessions_of(db, coach.id, athlete_id)
    return {**service.athlete_json(athlete), "sessions": [service.session_json(s) for s in sessions]}


@router.get("/athletes/{athlete_id}/trends", summary="One point per analysed session, oldest first")
def athlete_trends(athlete_id: int, request: Request, coach: ApiCoach, db: Db) -> list[dict]:
    return service.trend(db, request.app.state.config, coach, athlete_id)


@router.post("/athletes/{athlete_id}/sessions", status_code=201)
def create_session(athlete_id: int, body: SessionIn, coach: ApiCoach, db: Db) -> dict:
    try:
        session = service.add_session(
            db, coach, athlete_id, day=body.date, load_kg=body.load_kg, stance=body.stance,
            footwear=body.footwear, notes=body.notes,
        )  # fmt: skip
    except service.FormError as exc:
        raise _form_error(exc) from None
    return service.session_json(session)


@router.get("/sessions/{session_id}", summary="A session with its uploads, jobs and the latest analysis")
def get_session(session_id: int, request: Request, coach: ApiCoach, db: Db) -> dict:
    view = service.session_view(db, request.app.state.config, coach, session_id)
    return {
        **service.session_json(view.session),
        "athlete": service.athlete_json(view.athlete),
        "uploads": [service.upload_json(u) for u in view.uploads],
        "jobs": [service.job_json(j) for j in view.jobs],
        "analysis": None
        if view.latest is None
        else {
            "job_id": view.latest.id,
            "reps": view.rows,
            "findings": (view.results or {}).get("findings", {}).get("summary"),
            "warnings": (view.results or {}).get("warnings", []),
            "report": f"/jobs/{view.latest.id}/report.html",
            "results": f"/jobs/{view.latest.id}/results.json",
            "overlay": f"/jobs/{view.latest.id}/overlay.mp4" if view.keyframes else None,
            "keyframes": [f"/jobs/{view.latest.id}/keyframes/{i}.jpg" for i in view.keyframes],
        },
    }


@router.post("/sessions/{session_id}/uploads", status_code=201, summary="Upload a video or a lab/IMU file")
def create_upload(
    session_id: int,
    request: Request,
    coach: ApiCoach,
    db: Db,
    file: Annotated[UploadFile, File(description="a squat video, or a C3D/TRC/.mot/IMU CSV recording")],
    imu_sensors: Annotated[str, Form(description="IMU CSV only: ROLE=NAME pairs, e.g. 'pelvis=s0, thigh=s1'")] = "",
) -> dict:
    try:
        upload, job = service.add_upload(
            db, request.app.state.config, coach, session_id, source=file.file, sent_name=file.filename,
            imu_sensors=imu_sensors,
        )  # fmt: skip
    except uploads.TooLargeError as exc:
        raise HTTPException(413, str(exc)) from None
    except uploads.UnsupportedFileError as exc:
        raise HTTPException(415, str(exc)) from None
    return {"upload": service.upload_json(upload), "job": service.job_json(job)}


@router.get("/uploads/{upload_id}")
def get_upload(upload_id: int, coach: ApiCoach, db: Db) -> dict:
    return service.upload_json(repo.owned(db, Upload, upload_id, coach.id))


@router.get("/uploads/{upload_id}/file", summary="Download the uploaded file as it was sent")
def download_upload(upload_id: int, request: Request, coach: ApiCoach, db: Db) -> FileResponse:
    upload = repo.owned(db, Upload, upload_id, coach.id)
    path = request.app.state.config.uploads_dir / upload.stored_name
    return FileResponse(path, filename=upload.display_name, media_type="application/octet-stream")


@router.get("/jobs/{job_id}", summary="An analysis's status and progress (0-1)")
def get_job(job_id: int, coach: ApiCoach, db: Db) -> dict:
    return service.job_json(repo.owned(db, Job, job_id, coach.id))


@router.get("/jobs")
def list_jobs(coach: ApiCoach, db: Db) -> list[dict]:
    return [service.job_json(j) for j in repo.jobs_for_coach(db, coach.id)]


@router.get("/compare", summary="`squatlab compare` on two sessions' latest analyses")
def compare(a: int, b: int, request: Request, coach: ApiCoach, db: Db) -> dict:
    for session_id in (a, b):
        repo.owned(db, TrainingSession, session_id, coach.id)
    try:
        return service.comparison(db, request.app.state.config, coach, a, b)
    except service.FormError as exc:
        raise HTTPException(409, str(exc)) from None
