"""The shared PDF renderer: A4 pages from a template, and no fetch beyond our own static files."""

import io

import pytest
from pypdf import PdfReader

from school_tracker.documents.pdf import DOCUMENT_ORIGIN, OwnStaticFiles, RefusedFetch, render_pdf


@pytest.fixture
def fetcher(app) -> OwnStaticFiles:
    return OwnStaticFiles(app.static_folder, app.static_url_path)


def test_a_document_is_an_a4_pdf_with_its_title_school_and_page_numbers(app):
    with app.test_request_context():
        pdf = render_pdf("documents/base.html")
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    points = (page.mediabox.width, page.mediabox.height)
    assert tuple(round(float(v) * 25.4 / 72) for v in points) == (210, 297)  # A4 in mm
    assert "Page 1 of 1" in page.extract_text()
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged for screen readers (PDF/UA)
    assert root["/Lang"] == "en-GB"


def test_our_stylesheet_is_served_from_the_static_folder(fetcher):
    response = fetcher.fetch(f"{DOCUMENT_ORIGIN}/static/css/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_data_urls_are_decoded_in_memory(fetcher):
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/print.css",  # another host
        "http://documents.invalid/static/css/print.css",  # another scheme
        "file:///etc/passwd",
        f"{DOCUMENT_ORIGIN}/static/../config.py",  # out of the static folder
        f"{DOCUMENT_ORIGIN}/static/%2e%2e/config.py",
        f"{DOCUMENT_ORIGIN}/reports/governors.xlsx",  # a page of ours, not a static file
        f"{DOCUMENT_ORIGIN}/static/css/missing.css",
    ],
)
def test_anything_but_our_static_files_is_refused(fetcher, url):
    with pytest.raises((RefusedFetch, ValueError)):
        fetcher.fetch(url)


def test_a_template_that_asks_for_the_network_still_renders_without_it(app, tmp_path, caplog):
    """The refused image is logged and left out; the PDF is still made."""
    app.jinja_loader.searchpath.append(str(tmp_path))  # type: ignore[union-attr]
    (tmp_path / "remote.html").write_text(
        '{% extends "documents/base.html" %}{% block title %}Remote{% endblock %}'
        '{% block content %}<img src="https://example.com/tracker.png" alt="">{% endblock %}'
    )
    with app.test_request_context():
        pdf = render_pdf("remote.html")
    assert pdf.startswith(b"%PDF")
    assert "example.com" in caplog.text and "RefusedFetch" in caplog.text
