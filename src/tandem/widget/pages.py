"""The customer's side: the embeddable chat (`/widget.js` → an iframe at `/widget/frame`) and a demo shop page.

The widget runs in an iframe served from the desk, so it talks to the API same-origin (no CORS to
configure on the host site) and the host page's styles cannot break it. All it does goes through the
public API with the conversation's customer token, like any other integration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from tandem.demo import catalogue
from tandem.widget import live
from tandem.widget.reads import read_store
from tandem.workspace import service as workspace

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
pages = APIRouter(include_in_schema=False)

# The chat frame may be embedded by any site; the demo page by none. Scripts and styles come from us only.
FRAME_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors *"
PAGE_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"


def register(app: FastAPI) -> None:
    app.include_router(live.router, prefix="/api/v1")
    app.include_router(pages)
    app.mount("/widget/static", StaticFiles(directory=HERE / "static"), name="widget-static")


@pages.get("/", response_class=HTMLResponse)
async def demo_shop(request: Request) -> HTMLResponse:
    store = await _store_settings(request)
    products = [names[0] for names, _prices in list(catalogue.PRODUCT_LINES.values())[:3]]
    context = {"store_name": store.get("name") or "Our store", "products": products}
    response = templates.TemplateResponse(request, "demo.html", context)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@pages.get("/widget.js")
async def widget_script() -> FileResponse:
    # Short cache: sites embed this one URL, and a fix should reach them within minutes.
    return FileResponse(
        HERE / "static" / "embed.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


@pages.get("/widget/frame", response_class=HTMLResponse)
async def chat_frame(request: Request) -> HTMLResponse:
    store = await _store_settings(request)
    response = templates.TemplateResponse(request, "frame.html", {"store_name": store.get("name") or "Support"})
    response.headers["Content-Security-Policy"] = FRAME_CSP
    return response


async def _store_settings(request: Request) -> dict[str, Any]:
    store = read_store(request.app)

    def load() -> dict[str, Any]:
        with store.session() as session:
            value = workspace.get(session, "store", {})
            return value if isinstance(value, dict) else {}

    return await anyio.to_thread.run_sync(load, limiter=live.POLL_THREADS)
