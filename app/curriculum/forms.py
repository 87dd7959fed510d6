"""The form of a school location's offer: profiles and keuzevakken, per school year."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app import vocabulary
from app.web.forms import MultiCheckboxField, options


class OfferForm(FlaskForm):
    profiles = MultiCheckboxField(_l("Profiles"), choices=options(vocabulary.PROFILES))
    # The service checks the codes: an unknown one is this field's error.
    keuzevakken = MultiCheckboxField(_l("Keuzevakken"), validate_choice=False)

    def set_keuzevakken(self, entries, stored: set[str]) -> None:
        """Current keuzevakken, and retired ones only where the offer has them."""
        self.keuzevakken.choices = [
            SelectChoice(e.code, e.label) for e in entries if not e.is_retired or e.code in stored
        ]
