from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField

from app.enrolment.models import MOST_PUPILS


def cell_name(cell: tuple[str, str, str]) -> str:
    year, path, profile = cell
    return f"n-{year}-{path}-{profile or 'none'}"


class EnrolmentForm(FlaskForm):
    """The grid of a location's pupil numbers: one number box per cell, read
    from the posted form by `numbers` (the cells depend on the profiles)."""

    def numbers(self, cells, formdata) -> tuple[dict, dict[str, str]]:
        """The posted numbers per cell (None where empty) and the errors per box."""
        found, errors = {}, {}
        for cell in cells:
            raw = (formdata.get(cell_name(cell)) or "").strip()
            if raw == "":
                found[cell] = None
                continue
            try:
                value = int(raw)
            except ValueError:
                value = -1
            if not 0 <= value <= MOST_PUPILS:
                errors[cell_name(cell)] = str(
                    _l("A whole number from 0 to %(most)d.", most=MOST_PUPILS)
                )
            else:
                found[cell] = value
        return found, errors


class ImportForm(FlaskForm):
    school_year = SelectField(_l("School year"))
    file = FileField(_l("CSV file from DUO"))
    # After the preview, the file's text travels back with the confirmation,
    # so the coordinator does not choose the file twice.
    content = HiddenField()
