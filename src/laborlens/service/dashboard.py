"""The dashboard: one static page and its script, served by the API's app; charts use the
plotly.js that ships inside the plotly package, so nothing loads from a CDN."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(str(files("laborlens.service") / "static"))


def _plotly_js() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        msg = f"plotly.min.js not found at {path}; reinstall plotly"
        raise FileNotFoundError(msg)
    return path


def mount_dashboard(app: FastAPI) -> None:
    """``/`` serves the page; ``/static`` its script, styles and plotly.js."""
    plotly_js = _plotly_js()
    index = (STATIC / "index.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return index

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(
            plotly_js, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
