"""CSV and XLSX exports of the dashboard's tables.

Spreadsheets run what looks like a formula: a school called
`=HYPERLINK("http://evil.test", "Klik")` would be a live link (or worse) in
the coordinator's Excel. As OWASP's page on CSV injection advises, every text
cell that starts with = + - @ (or a tab or carriage return, which some
spreadsheets skip before reading the formula) gets a leading apostrophe, and
in XLSX is stored as text whatever it looks like. In CSV every text cell is
quoted, and a formula character right after a "," or ";" gets the apostrophe
too: Dutch Excel splits at the semicolon, where a name such as
`Naam;=HYPERLINK(...)` would otherwise start a new cell with a formula.
Numbers are written as numbers: we produce them, nobody types them.

Text stored before app.text's rule, or by hand, may hold control characters,
which XML and so XLSX cannot (openpyxl refuses them): every text cell passes
the same rule first, so an export of anything stored never fails.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from app.text import clean_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_A_SEPARATOR = re.compile(r"""([,;][\s"']*)([=+\-@])""")


def neutralise(value):
    if not isinstance(value, str):
        return value
    # Cleaned first: a control character must not hide a formula behind it.
    value = clean_text(value, multiline=True)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    for row in table.cells():
        writer.writerow(
            [
                ""
                if v is None
                else _AFTER_A_SEPARATOR.sub(r"\1'\2", v)
                if isinstance(v, str)
                else v
                for v in row
            ]
        )
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
