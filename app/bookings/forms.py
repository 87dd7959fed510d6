from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from app import vocabulary
from app.text import TEXT


class BookingForm(FlaskForm):
    """Booking a slot for one group.

    The year, path and profile lists offer what the activity targets, but do not
    refuse other codes themselves: bookings.service.check_bookable says why a
    choice does not fit, in words a teacher understands."""

    school = SelectField(_l("School"), coerce=int, validate_choice=False)
    group_size = IntegerField(
        _l("Number of students"),
        validators=[InputRequired(message=_l("Give the number of students."))],
    )
    year = SelectField(_l("School year"), validate_choice=False)
    path = SelectField(_l("Learning path"), validate_choice=False)
    profile = SelectField(_l("Profile"), validate_choice=False, validators=[Optional()])
    teacher = SelectField(_l("Responsible teacher"), coerce=int, validate_choice=False)
    remarks = TextAreaField(
        _l("Remarks for the company"), validators=[Optional(), Length(max=TEXT)]
    )
    accept_waitlist = BooleanField(_l("Put us on the waiting list if the group does not fit"))
    # A one-time token: the same form sent twice makes one booking.
    token = HiddenField()

    def offer(self, activity, schools, teachers) -> None:
        """Fills the choices for this activity and this person's schools."""
        self.school.choices = [SelectChoice(s.id, s.name) for s in schools]
        self.year.choices = [
            SelectChoice(code, label)
            for code, label in vocabulary.YEARS.items()
            if code in activity.years
        ]
        self.path.choices = [
            SelectChoice(code, label)
            for code, label in vocabulary.PATHS.items()
            if code in activity.paths
        ]
        profiles = activity.profiles or vocabulary.PROFILES.keys()
        self.profile.choices = [SelectChoice("", _l("No profile (years 1 and 2)"))] + [
            SelectChoice(code, label)
            for code, label in vocabulary.PROFILES.items()
            if code in profiles
        ]
        several_schools = len(schools) > 1
        self.teacher.choices = [
            SelectChoice(
                person.id, f"{person.name} ({school.name})" if several_schools else person.name
            )
            for school, person in teachers
        ]


class ReasonForm(FlaskForm):
    """Cancelling or declining: the other party reads the reason."""

    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(message=_l("Give a reason.")), Length(max=TEXT)],
    )
    next = HiddenField()


class ConfirmForm(FlaskForm):
    next = HiddenField()


class WaitingListRuleForm(FlaskForm):
    """The region's promotion rule (bookings.waiting_list.RULES)."""

    rule = RadioField(
        _l("Who gets freed places first"),
        validators=[InputRequired(message=_l("Choose one of the options."))],
    )
