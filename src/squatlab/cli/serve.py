"""``squatlab serve``: the local web workspace (needs the ``web`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from squatlab.errors import InputError


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 lets phones on the same network in (plain HTTP).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL [default: SQLite in DATA], e.g. postgresql+psycopg://...")
    ] = None,
    data: Annotated[Path, typer.Option("--data", help="Folder for the database, uploads and results.")] = Path(
        "squatlab-data"
    ),
    workers: Annotated[int | None, typer.Option(min=1, help="Analysis processes [default: web.workers].")] = None,
    max_upload_mb: Annotated[
        float | None, typer.Option(min=0.01, help="Largest file accepted, MB [default: web.max_upload_mb].")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Add a demo account with the built-in example.")] = False,
) -> None:
    """Start the web workspace: athletes, sessions, uploads, history and comparison, in the browser."""
    try:
        import uvicorn

        from squatlab.store.db import default_url, migrate
        from squatlab.web.app import create_app
        from squatlab.web.config import ServerConfig, WebSettings
        from squatlab.web.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo
    except ImportError as exc:
        raise InputError(
            f"the web workspace needs the web extra ({exc.name} is missing): pip install 'squatlab[web]'"
        ) from None
    from dataclasses import replace

    data.mkdir(parents=True, exist_ok=True)
    url = db or default_url(data)
    overrides = {"workers": workers, "max_upload_mb": max_upload_mb}
    web = replace(WebSettings(), **{k: v for k, v in overrides.items() if v is not None})
    config = ServerConfig(data_dir=data.resolve(), db_url=url, web=web)
    migrate(url)
    console = Console(stderr=True)
    if demo:
        seed_demo(config)
        console.print(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}", highlight=False)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"squatlab workspace on http://{shown}:{port}  (data in {data}; Ctrl-C stops it)", highlight=False)
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", timeout_graceful_shutdown=10)
