"""Forms of the request pages. They check formats; the rules (a period not in
the past, a profile from year 3, a date the group can book) are
school_requests.service's, whose refusals the views put on the field they
concern."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app import text, vocabulary
from app.school_requests import service
from app.school_requests.models import KIND_LABELS
from app.web.forms import MultiCheckboxField, PlausibleDate, options, strip


def _optional_int(value):
    """An id from a select: anything that is no id in the database's range is none."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


class RequestForm(FlaskForm):
    school = SelectField(_l("School"), coerce=_optional_int, validate_choice=False)
    kind = SelectField(
        _l("What are you looking for?"), choices=options(KIND_LABELS), validators=[InputRequired()]
    )
    topic = StringField(
        _l("Topic"),
        filters=[strip],
        description=_l("For example: a workshop on solar panels, a visit to a car workshop."),
        validators=[
            InputRequired(message=_l("Say what you are looking for.")),
            Length(max=text.LINE),
        ],
    )
    group_size = IntegerField(
        _l("Number of students"),
        validators=[
            InputRequired(message=_l("Give the number of students.")),
            NumberRange(min=1, max=1000),
        ],
    )
    year = SelectField(
        _l("School year"), choices=options(vocabulary.YEARS), validators=[InputRequired()]
    )
    path = SelectField(
        _l("Learning path"), choices=options(vocabulary.PATHS), validators=[InputRequired()]
    )
    profile = SelectField(
        _l("Profile"),
        validators=[Optional()],
        choices=[SelectChoice("", _l("No profile (years 1 and 2)")), *options(vocabulary.PROFILES)],
    )
    first_day = DateField(_l("From"), validators=[InputRequired(), PlausibleDate()])
    last_day = DateField(_l("Until"), validators=[InputRequired(), PlausibleDate()])
    venues = MultiCheckboxField(
        _l("Where"), choices=options(vocabulary.VENUES), default=list(vocabulary.VENUES)
    )
    max_km = IntegerField(
        _l("How far can the class travel (km)?"),
        description=_l("Leave empty when distance does not matter."),
        validators=[Optional(), NumberRange(min=1, max=service.MAX_KM)],
    )
    remarks = TextAreaField(
        _l("Remarks for the companies"), validators=[Optional(), Length(max=text.TEXT)]
    )

    def values(self) -> service.RequestInput:
        return service.RequestInput(
            kind=self.kind.data,
            topic=self.topic.data or "",
            group_size=self.group_size.data,
            year=self.year.data,
            path=self.path.data,
            profile=self.profile.data or None,
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            venues=frozenset(self.venues.data or ()),
            max_km=self.max_km.data,
            remarks=self.remarks.data or "",
        )


class AnswerForm(FlaskForm):
    """A company's proposal: one of three options, each with its own fields.
    Which fields are required depends on the option (check_option)."""

    company = SelectField(_l("Company"), coerce=_optional_int, validate_choice=False)
    option = RadioField(
        _l("What do you propose?"),
        choices=options(service.OPTION_LABELS),
        default="slot",
        validators=[InputRequired()],
    )
    slot = SelectField(_l("Date"), coerce=_optional_int, validate_choice=False)
    activity = SelectField(_l("Activity"), coerce=_optional_int, validate_choice=False)
    day = DateField(_l("Date"), validators=[Optional(), PlausibleDate()])
    start = TimeField(_l("Start"), validators=[Optional()])
    end = TimeField(_l("End"), validators=[Optional()])
    capacity = IntegerField(
        _l("Capacity (students)"), validators=[Optional(), NumberRange(min=1, max=10000)]
    )
    professional = SelectField(_l("Professional"), coerce=_optional_int, validate_choice=False)
    hours_per_week = IntegerField(
        _l("Hours per week"), validators=[Optional(), NumberRange(min=1, max=40)]
    )
    weekdays = MultiCheckboxField(_l("On"), choices=options(vocabulary.WEEKDAYS))
    lesson_start = TimeField(_l("From"), validators=[Optional()])
    lesson_end = TimeField(_l("Until"), validators=[Optional()])
    first_date = DateField(_l("First day"), validators=[Optional(), PlausibleDate()])
    last_date = DateField(_l("Last day"), validators=[Optional(), PlausibleDate()])
    message = TextAreaField(
        _l("Message for the school"), validators=[Optional(), Length(max=text.TEXT)]
    )

    REQUIRED = {
        "slot": ("slot",),
        "new_slot": ("activity", "day", "start", "end", "capacity"),
        "placement": (
            "professional",
            "hours_per_week",
            "weekdays",
            "lesson_start",
            "lesson_end",
            "first_date",
            "last_date",
        ),
    }

    def check_option(self) -> bool:
        """The fields the chosen option needs are filled in."""
        ok = True
        for name in self.REQUIRED.get(self.option.data, ()):
            field = self[name]
            if field.data in (None, "", []) and not field.errors:
                field.errors = [*field.errors, _l("Fill this in for this option.")]
                ok = False
        return ok


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Reason (the companies that answered read it)"),
        filters=[strip],
        validators=[Optional(), Length(max=text.TEXT)],
    )


class AcceptForm(FlaskForm):
    next = HiddenField()
