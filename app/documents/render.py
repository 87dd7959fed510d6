"""HTML templates to PDF with WeasyPrint, fetching nothing from outside.

WeasyPrint fetches every URL a document mentions (images, stylesheets,
`<link rel="attachment">`), including `file:///etc/passwd`, internal
addresses and whatever a redirect points to (docs/INTEROPERABILITY.md, rule 26). Two walls:

1. Every user-written text reaches the templates as text and is escaped by
   Jinja's autoescaping, so nobody can add an element with a URL at all.
2. The URL fetcher below answers only the app's own static files, under a
   made-up origin on the reserved `.invalid` domain, read from the static
   folder on disk, and `data:` URLs. It refuses everything else without
   opening a connection, so there is no request to redirect either.

Fonts come from the system (fontconfig: fonts-dejavu-core), never downloaded.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

from app.locales import speaking

STATIC_ORIGIN = "https://static.techniekpoort.invalid"
STATIC_PREFIX = STATIC_ORIGIN + "/static/"
LANGUAGES = ("nl", "en")

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A document asked for a URL it may not have."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the static folder and data: URLs.

    `refused` lists what was asked for and not given, for logs and tests."""

    def __init__(self, static_folder: str | Path):
        # No network: fail_on_errors=False lets a refused image simply be left out.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_folder = str(static_folder)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self._data(url)
        if url.startswith(STATIC_PREFIX):
            return self._static(url)
        return self._refuse(url)

    def _refuse(self, url: str):
        self.refused.append(url)
        log.warning("document asked for a URL outside the app's static files: %.200s", url)
        raise RefusedURL(f"not served to documents: {url[:200]}")

    def _static(self, url: str):
        # Query and fragment mean nothing to a file; ".." cannot leave the folder.
        relative = unquote(urlsplit(url).path).removeprefix("/static/")
        path = safe_join(self.static_folder, relative)
        if path is None or not Path(path).is_file():
            return self._refuse(url)
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        body = Path(path).read_bytes()
        headers = {"Content-Type": mimetype + ("; charset=utf-8" if mimetype == "text/css" else "")}
        return URLFetcherResponse(url, body, headers)

    def _data(self, url: str):
        header, comma, payload = url[5:].partition(",")
        if not comma:
            return self._refuse(url)
        is_base64 = header.endswith(";base64")
        mimetype = (header.removesuffix(";base64").split(";")[0] or "text/plain").strip()
        try:
            body = (
                base64.b64decode(payload, validate=False)
                if is_base64
                else unquote_to_bytes(payload)
            )
        except ValueError:
            return self._refuse(url)
        return URLFetcherResponse(url, body, {"Content-Type": mimetype})


def static_url(filename: str) -> str:
    return STATIC_PREFIX + filename


def html_to_pdf(
    html: str, fetcher: StaticOnlyFetcher | None = None, *, forms: bool = False
) -> bytes:
    """PDF bytes of a finished HTML document; tagged (PDF/UA-1) for screen readers.
    With `forms`, the document's <input> elements become fields a PDF reader
    fills in (the agreement's names, dates and places beside the signatures)."""
    fetcher = fetcher or StaticOnlyFetcher(current_app.static_folder)
    document = HTML(string=html, base_url=STATIC_ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_forms=forms)


def render_pdf(
    template: str,
    *,
    lang: str,
    fetcher: StaticOnlyFetcher | None = None,
    forms: bool = False,
    **context,
) -> bytes:
    """Renders app/templates/documents/<template> in `lang` and prints it."""
    if lang not in LANGUAGES:
        lang = LANGUAGES[0]
    with speaking(lang):
        html = render_template(f"documents/{template}", lang=lang, static_url=static_url, **context)
    return html_to_pdf(html, fetcher, forms=forms)
