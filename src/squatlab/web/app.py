"""The FastAPI application: middleware, error pages, the docs page, and the routers.

Every asset is served by the app itself, and the Content-Security-Policy tells the browser
to load nothing from anywhere else.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from squatlab import __version__
from squatlab.store.db import make_engine, session_factory
from squatlab.store.repo import NotFoundError
from squatlab.web import security
from squatlab.web.config import ServerConfig
from squatlab.web.deps import LoginRequiredError
from squatlab.web.uploads import too_large_message

_HERE = Path(__file__).parent
# Pages: scripts and styles only from this server. Inline styles for the report (self-contained by
# design) and matplotlib's SVG; data: pictures for the report's embedded keyframes and plots.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; font-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
# The docs page starts Swagger UI with an inline script (FastAPI's page); still nothing from elsewhere.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
# Room for the multipart envelope and the form's other fields around the file itself.
_FORM_OVERHEAD = 1024 * 1024

templates = Jinja2Templates(directory=str(_HERE / "templates"))


class ContentLengthLimit:
    """Answer an announced oversized body at once, in words (FastAPI's ``max_body_size`` catches the rest)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.limit:
                await _refuse(scope, send, 413, too_large_message(self.limit - _FORM_OVERHEAD))
                return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, kind = _error_html(status, message).encode(), b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _error_html(status: int, message: str) -> str:
    return templates.get_template("error.html").render(status=status, message=message, coach=None, csrf="")


def create_app(config: ServerConfig) -> FastAPI:
    from squatlab.web.supervisor import Supervisor

    engine = make_engine(config.db_url)
    factory = session_factory(engine)
    config.uploads_dir.mkdir(parents=True, exist_ok=True)
    config.results_dir.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        supervisor = Supervisor(config, factory)
        app.state.supervisor = supervisor
        if config.start_workers:
            supervisor.start()
        try:
            yield
        finally:
            if config.start_workers:
                supervisor.stop()
            engine.dispose()

    app = FastAPI(
        title="squatlab workspace",
        version=__version__,
        description="The JSON API behind the squatlab web workspace. Sign in with POST /api/login; "
        "every POST repeats the `squatlab_csrf` cookie in the `X-CSRF-Token` header (GET /api/csrf gives one).",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.config, app.state.factory = config, factory
    _add_middleware(app, config)
    _add_error_handlers(app)
    app.mount("/static/docs", StaticFiles(directory=_swagger_assets()), name="docs-assets")
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json", title="squatlab workspace API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js", swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg", swagger_ui_parameters={"validatorUrl": None},
        )  # fmt: skip
        page.headers["content-security-policy"] = DOCS_CSP
        return page

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True}

    from squatlab.web import api, pages

    # Bodies without a Content-Length are cut off while they arrive, before they fill the disk.
    limit = config.web.max_upload_bytes + _FORM_OVERHEAD
    app.include_router(api.router, max_body_size=limit)
    app.include_router(pages.router, max_body_size=limit)
    return app


def _swagger_assets() -> str:
    return str(Path(str(resources.files("fastapi_offline") / "static")))


def _add_middleware(app: FastAPI, config: ServerConfig) -> None:
    @app.middleware("http")
    async def csrf_cookie_and_headers(request: Request, call_next):
        token = request.cookies.get(security.CSRF_COOKIE)
        fresh = token is None
        if fresh:
            token = security.new_csrf_token()
        request.state.csrf = token
        response = await call_next(request)
        if fresh:
            response.set_cookie(
                security.CSRF_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https"
            )
        response.headers.setdefault("content-security-policy", CSP)
        response.headers.setdefault("x-content-type-options", "nosniff")
        response.headers.setdefault("referrer-policy", "same-origin")
        response.headers.setdefault("x-frame-options", "SAMEORIGIN")
        return response

    app.add_middleware(ContentLengthLimit, limit=config.web.max_upload_bytes + _FORM_OVERHEAD)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, _exc: NotFoundError):
        return _error(request, 404, "not found")

    @app.exception_handler(LoginRequiredError)
    async def login_required(_request: Request, _exc: LoginRequiredError):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = str(exc.detail)
        if exc.status_code == 413 and message == "Content Too Large":  # the body limit's own words
            message = too_large_message(request.app.state.config.web.max_upload_bytes)
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))


def _error(request: Request, status: int, message: str, headers: dict | None = None):
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return HTMLResponse(_error_html(status, message), status_code=status, headers=headers)
