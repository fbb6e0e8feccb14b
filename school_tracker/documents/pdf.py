"""PDFs from Jinja templates with WeasyPrint, never touching the network.

A document template extends `documents/base.html` (A4, static/css/print.css, running header and
page numbers) and is rendered like any page; WeasyPrint then lays it out. Its only way to reach a
file is `OwnStaticFiles`: a URL under our own /static/ path is read from the static folder, a
`data:` URL is decoded, and anything else (http, file, another host) is refused, so a template or
a value in it can neither leak a request nor read the disk (docs/security.md R40's no-CDN rule
applies to documents too). Fonts come from the machine (DejaVu), never from a web font.
"""

from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, has_request_context, render_template, send_file
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse
from werkzeug.security import safe_join

# A base URL no request can reach: relative links in a template resolve against it, and only
# the fetcher below ever sees it.
DOCUMENT_ORIGIN = "https://documents.invalid"
CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RefusedFetch(ValueError):
    """A document asked for something outside our static files."""


class OwnStaticFiles(URLFetcher):
    """Serves /static/... from the app's static folder and data: URLs; refuses the rest."""

    def __init__(self, static_folder: str, static_url_path: str) -> None:
        super().__init__(allowed_protocols=("https", "data"), allow_redirects=False)
        self.static_folder = static_folder
        self.static_prefix = static_url_path.rstrip("/") + "/"

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != DOCUMENT_ORIGIN:
            raise RefusedFetch(f"documents fetch only our own static files, not {url}")
        path = unquote(parts.path)
        if not path.startswith(self.static_prefix):
            raise RefusedFetch(f"documents fetch only our own static files, not {url}")
        file_path = safe_join(self.static_folder, path.removeprefix(self.static_prefix))
        if file_path is None or not Path(file_path).is_file():
            raise RefusedFetch(f"no static file at {path}")
        body = Path(file_path).read_bytes()
        content_type = CONTENT_TYPES.get(Path(file_path).suffix, "application/octet-stream")
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(template_name: str, **context: Any) -> bytes:
    """The template rendered with `context` and laid out as an A4 PDF (needs an app context)."""
    app = current_app
    if has_request_context():
        html = render_template(template_name, **context)
    else:  # a CLI command: url_for needs a request to build /static/... paths
        with app.test_request_context():
            html = render_template(template_name, **context)
    fetcher = OwnStaticFiles(app.static_folder or "", app.static_url_path or "/static")
    document = HTML(string=html, base_url=DOCUMENT_ORIGIN + "/", url_fetcher=fetcher)
    # PDF/UA: tagged, so a screen reader finds the headings, tables and reading order.
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def pdf_response(pdf: bytes, filename: str) -> Response:
    """Send a PDF as an attachment that is never cached or sniffed (like every download)."""
    response = send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
