from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from app import vocabulary
from app.calendar import content
from app.web.forms import MultiCheckboxField, options


class FeedForm(FlaskForm):
    """A new calendar link. The choices depend on the person (offer()); the
    service judges whether the chosen organisation and filters are allowed."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Shows"))
    organisation_id = SelectField(
        _l("Organisation"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    regions = MultiCheckboxField(
        _l("Holiday region of the company"), choices=options(vocabulary.HOLIDAY_REGIONS)
    )
    sectors = MultiCheckboxField(_l("Sectors"), choices=options(vocabulary.SECTORS))
    profiles = MultiCheckboxField(_l("Profiles"), choices=options(vocabulary.PROFILES))
    kinds = MultiCheckboxField(_l("Kinds of activity"), choices=options(content.FEED_KINDS))
    schools = SelectMultipleField(_l("Booked by these schools"), coerce=int, validate_choice=False)
    companies = SelectMultipleField(
        _l("Offered by these companies"), coerce=int, validate_choice=False
    )

    def offer(self, *, organisations, coordinator: bool, schools=(), companies=()) -> None:
        kinds = [SelectChoice("personal", _l("My own: my bookings and my company's activities"))]
        if organisations:
            kinds.append(SelectChoice("organisation", _l("All of one organisation")))
        if coordinator:
            kinds.append(SelectChoice("filtered", _l("A selection of the region (coordinators)")))
        self.kind.choices = kinds
        self.organisation_id.choices = [SelectChoice(o.id, o.name) for o in organisations]
        self.schools.choices = [SelectChoice(o.id, o.name) for o in schools]
        self.companies.choices = [SelectChoice(o.id, o.name) for o in companies]

    def filters(self) -> dict:
        return {
            "regions": self.regions.data or [],
            "sectors": self.sectors.data or [],
            "profiles": self.profiles.data or [],
            "kinds": self.kinds.data or [],
            "schools": self.schools.data or [],
            "companies": self.companies.data or [],
        }
