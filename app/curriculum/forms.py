"""The form of a school location's offer: profiles and keuzevakken, per school year."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app import vocabulary
from app.curriculum.models import CODE_LENGTH
from app.text import LINE
from app.web.forms import MultiCheckboxField, options, strip


class OfferForm(FlaskForm):
    profiles = MultiCheckboxField(_l("Profiles"), choices=options(vocabulary.PROFILES))
    # The service checks the codes: an unknown one is this field's error.
    keuzevakken = MultiCheckboxField(_l("Keuzevakken"), validate_choice=False)

    def set_keuzevakken(self, entries, stored: set[str]) -> None:
        """Current keuzevakken, and retired ones only where the offer has them."""
        self.keuzevakken.choices = [
            SelectChoice(e.code, e.label) for e in entries if not e.is_retired or e.code in stored
        ]


class EntryForm(FlaskForm):
    """A coordinator's new or corrected entry; the service checks the rules."""

    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()], validate_choice=False)
    code = StringField(_l("Code"), filters=[strip], validators=[Length(max=CODE_LENGTH)])
    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=LINE)])
    profile = SelectField(
        _l("Profile (modules and keuzevakken)"), choices=[], validate_choice=False
    )
    paths = MultiCheckboxField(_l("Learning paths (modules)"), choices=options(vocabulary.PATHS))
    question = StringField(_l("Question (career competences)"), filters=[strip])
    source = StringField(_l("Source"), filters=[strip])
    verified = BooleanField(_l("Checked against its source"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options(KIND_LABELS)
        self.profile.choices = [SelectChoice("", "—"), *options(vocabulary.PROFILES)]

    def values(self) -> dict:
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


KIND_LABELS = {
    "module": _l("Profile module"),
    "keuzevak": _l("Keuzevak"),
    "skill": _l("Skill"),
    "competence": _l("Career competence"),
}
