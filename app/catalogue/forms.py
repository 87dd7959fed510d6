"""Forms of the company's activity and slot pages.

The forms check formats and technical bounds; the rules (a title, at least one
year, a slot in the future, ...) belong to catalogue.service, whose refusals the
views put on the field they concern."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app import vocabulary
from app.catalogue import service
from app.curriculum import service as curriculum
from app.curriculum.service import TAG_DIMENSIONS
from app.web.forms import MultiCheckboxField, PlausibleDate, options, strip


def _optional_id(value):
    """The contact select's value: a user id, or none chosen."""
    if value in (None, "", "None"):
        return None
    return int(value)


WEEKDAYS = {
    0: _l("Monday"),
    1: _l("Tuesday"),
    2: _l("Wednesday"),
    3: _l("Thursday"),
    4: _l("Friday"),
    5: _l("Saturday"),
    6: _l("Sunday"),
}


def at_least_one(message):
    """A group of checkboxes needs one ticked. Not DataRequired: its `required`
    flag would ask the browser to tick every box of the group."""

    def check(form, field):
        if not field.data:
            raise ValidationError(message)

    return check


class ActivityForm(FlaskForm):
    kind = SelectField(
        _l("Kind of activity"),
        choices=options(vocabulary.ACTIVITY_KINDS),
        validators=[DataRequired()],
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(), Length(max=service.TEXT_LIMITS["title"])],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Plain text. An empty line starts a new paragraph."),
        validators=[Optional(), Length(max=service.TEXT_LIMITS["description"])],
    )
    sectors = MultiCheckboxField(_l("Sectors"), choices=options(vocabulary.SECTORS))
    profiles = MultiCheckboxField(
        _l("Technical profiles (none: suits every profile)"), choices=options(vocabulary.PROFILES)
    )
    # Checked here as well as in the service, so that the form shows every
    # missing choice at once rather than one per submit.
    years = MultiCheckboxField(
        _l("School years"),
        choices=options(vocabulary.YEARS),
        validators=[at_least_one(_l("Choose at least one school year."))],
    )
    paths = MultiCheckboxField(
        _l("Learning paths"),
        choices=options(vocabulary.PATHS),
        validators=[at_least_one(_l("Choose at least one learning path."))],
    )
    venue = SelectField(_l("Where"), choices=options(vocabulary.VENUES), default="company")
    address = StringField(
        _l("Street and number"),
        filters=[strip],
        validators=[Optional(), Length(max=service.TEXT_LIMITS["address"])],
    )
    postcode = StringField(_l("Postcode"), filters=[strip], validators=[Optional()])
    city = StringField(
        _l("Town"),
        filters=[strip],
        validators=[Optional(), Length(max=service.TEXT_LIMITS["city"])],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=120,
        validators=[InputRequired(), NumberRange(max=service.MAX_DURATION_MINUTES)],
    )
    max_group_size = IntegerField(
        _l("Largest group (students)"),
        default=30,
        validators=[InputRequired(), NumberRange(max=service.MAX_GROUP_SIZE)],
    )
    min_notice_days = IntegerField(
        _l("Minimum notice (days)"),
        default=7,
        validators=[InputRequired(), NumberRange(max=service.MAX_NOTICE_DAYS)],
    )
    requires_approval = BooleanField(_l("We confirm each booking ourselves"), default=True)
    contact_id = SelectField(_l("Contact person"), coerce=_optional_id, choices=[])
    # The curriculum's tags, named by their dimension (app/curriculum). The
    # service checks the codes, so an unknown one is its field's error.
    module = SelectMultipleField(
        _l("Profile modules it serves"), validate_choice=False, render_kw={"size": 8}
    )
    keuzevak = SelectMultipleField(
        _l("Keuzevakken it serves"), validate_choice=False, render_kw={"size": 8}
    )
    skill = MultiCheckboxField(_l("Skills it practises"), validate_choice=False)
    competence = MultiCheckboxField(_l("Career competences it addresses"), validate_choice=False)

    def set_tag_choices(self) -> None:
        """The entries to choose from: modules and keuzevakken grouped by profile,
        those of the activity's chosen profiles first, as suggestions. Retired
        entries only where the activity has them already."""
        profiles = set(self.profiles.data or ())
        grouped = curriculum.entries_by_kind()
        for dimension in TAG_DIMENSIONS:
            field = self[dimension]
            chosen = set(field.data or ())
            visible = [e for e in grouped[dimension] if not e.is_retired or e.code in chosen]
            if dimension not in ("module", "keuzevak"):
                field.choices = [SelectChoice(e.code, e.label) for e in visible]
                continue
            groups: dict[str, list[SelectChoice]] = {}
            suggested = [e for e in visible if e.profile in profiles]
            if suggested:
                groups[str(_l("Suggested for the chosen profiles"))] = [
                    SelectChoice(e.code, e.label) for e in suggested
                ]
            for entry in visible:
                if entry.profile not in profiles:
                    label = str(vocabulary.PROFILES.get(entry.profile, entry.profile))
                    groups.setdefault(label, []).append(SelectChoice(entry.code, entry.label))
            field.choices = groups

    def set_contacts(self, company) -> None:
        people = sorted((m.user for m in company.memberships), key=lambda u: u.name.lower())
        self.contact_id.choices = [SelectChoice("", _l("(nobody in particular)"))] + [
            SelectChoice(str(person.id), person.name) for person in people
        ]

    def values(self) -> dict:
        """What catalogue.service.create_activity / update_activity take."""
        return {
            name: getattr(self, name).data
            for name in service.ACTIVITY_FIELDS
            if name in self._fields
        } | {
            "description": self.description.data or "",
            "address": self.address.data or "",
            "postcode": self.postcode.data or "",
            "city": self.city.data or "",
            "tags": {dimension: self[dimension].data or [] for dimension in TAG_DIMENSIONS},
        }


class SlotForm(FlaskForm):
    """One slot; date and times in local (Amsterdam) time."""

    day = DateField(_l("Date"), validators=[InputRequired(), PlausibleDate()])
    start = TimeField(_l("Start"), validators=[InputRequired()])
    end = TimeField(_l("End"), validators=[InputRequired()])
    capacity = IntegerField(
        _l("Capacity (students)"),
        validators=[InputRequired(), NumberRange(max=service.MAX_CAPACITY)],
    )


class SeriesForm(FlaskForm):
    first_day = DateField(_l("First day"), validators=[InputRequired(), PlausibleDate()])
    last_day = DateField(_l("Last day"), validators=[InputRequired(), PlausibleDate()])
    weekdays = MultiCheckboxField(
        _l("On"),
        coerce=int,
        choices=[SelectChoice(str(number), label) for number, label in WEEKDAYS.items()],
    )
    start = TimeField(_l("Start"), validators=[InputRequired()])
    end = TimeField(_l("End"), validators=[InputRequired()])
    capacity = IntegerField(
        _l("Capacity (students)"),
        validators=[InputRequired(), NumberRange(max=service.MAX_CAPACITY)],
    )
    skip_holidays = BooleanField(_l("Skip the school holidays"), default=True)


class RescheduleForm(SlotForm):
    reason = TextAreaField(
        _l("Reason (the schools that booked read it)"), validators=[Optional(), Length(max=1000)]
    )


class CancelSlotForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the schools that booked read it)"),
        filters=[strip],
        validators=[Length(max=1000)],
    )
