"""Reading the catalogue's results in tests."""

from __future__ import annotations

import re


def result_ids(page: str) -> list[int]:
    """The slots listed in the catalogue's results, in order."""
    return [int(i) for i in re.findall(r'<li class="result" data-slot="(\d+)"', page)]


def distances(page: str) -> list[str]:
    return re.findall(r'<span class="distance">([^<]*)</span>', page)
