"""CSV and XLSX exports of the dashboard's tables.

Spreadsheets run what looks like a formula: a school called
`=HYPERLINK("http://evil.test", "Klik")` would be a live link (or worse) in
the coordinator's Excel. Every text cell that starts with = + - @ (or a tab or
carriage return, which some spreadsheets skip before reading the formula) gets
a leading apostrophe, and in XLSX is stored as text whatever it looks like.
Numbers are written as numbers: we produce them, nobody types them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list]

    def cells(self) -> list[list]:
        return [[neutralise(str(h)) for h in self.headers]] + [
            [neutralise(v) for v in row] for row in self.rows
        ]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table.cells():
        writer.writerow(["" if v is None else v for v in row])
    # The byte order mark makes Excel read UTF-8 (ë in "Oldenzaal-Noord", é, …).
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    # Sheet titles may not hold []:*?/\ and are at most 31 characters.
    sheet.title = "".join(c for c in table.title if c not in "[]:*?/\\")[:31] or "Sheet"
    for r, row in enumerate(table.cells(), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                # openpyxl reads any string starting with "=" as a formula.
                cell.data_type = "s"
    for column in sheet.columns:
        width = max((len(str(cell.value or "")) for cell in column), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
