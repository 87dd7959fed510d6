"""Reading the PDFs the tests print (pypdf)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def read(body: bytes) -> PdfReader:
    assert body.startswith(b"%PDF-"), body[:100]
    return PdfReader(io.BytesIO(body))


def text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squeezed(value: str) -> str:
    """Without white space: text extraction breaks lines where the page did."""
    return re.sub(r"\s+", "", value)


def outline_titles(reader: PdfReader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles
