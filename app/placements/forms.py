"""Placement and candidate-pool forms.

The forms check only that something readable was sent; the rules (1 to 40
hours, school days only, the last date not before the first, the clash rule)
are placements.service's, whose refusals land on the field they concern. So a
browser form and an API call are refused with the same words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from app import vocabulary
from app.db_types import as_id
from app.text import LINE, TEXT
from app.web.forms import MultiCheckboxField, PlausibleDate, options, strip


class TermsForm(FlaskForm):
    """The time terms of a proposal or a counter."""

    hours_per_week = IntegerField(
        _l("Hours per week"),
        validators=[InputRequired(message=_l("Give the hours per week."))],
    )
    # Any code is let through: the service answers a Saturday with its own words.
    weekdays = MultiCheckboxField(
        _l("School days"), choices=options(vocabulary.WEEKDAYS), validate_choice=False
    )
    start_time = TimeField(_l("From"), validators=[InputRequired(message=_l("Give a time."))])
    end_time = TimeField(_l("Until"), validators=[InputRequired(message=_l("Give a time."))])
    first_date = DateField(
        _l("First date"), validators=[InputRequired(message=_l("Give a date.")), PlausibleDate()]
    )
    last_date = DateField(
        _l("Last date"), validators=[InputRequired(message=_l("Give a date.")), PlausibleDate()]
    )

    def fill(self, placement) -> None:
        self.hours_per_week.data = placement.hours_per_week
        self.weekdays.data = placement.weekday_codes
        self.start_time.data = placement.start_time
        self.end_time.data = placement.end_time
        self.first_date.data = placement.first_date
        self.last_date.data = placement.last_date


class ProposalForm(TermsForm):
    professional = SelectField(
        _l("Professional"),
        coerce=as_id,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a professional."))],
    )
    school = SelectField(
        _l("School"),
        coerce=as_id,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a school."))],
    )
    subjects = StringField(
        _l("Subjects"), filters=[strip], validators=[Optional(), Length(max=LINE)]
    )
    profiles = MultiCheckboxField(
        _l("Profiles"), choices=options(vocabulary.PROFILES), validate_choice=False
    )
    remarks = TextAreaField(
        _l("Remarks for the other side"),
        filters=[strip],
        validators=[Optional(), Length(max=TEXT)],
    )


class CounterForm(TermsForm):
    message = TextAreaField(
        _l("Message"), filters=[strip], validators=[Optional(), Length(max=TEXT)]
    )
    next = HiddenField()


class ReasonForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[InputRequired(message=_l("Give a reason.")), Length(max=TEXT)],
    )
    next = HiddenField()


class OptionalReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), filters=[strip], validators=[Optional(), Length(max=TEXT)])
    next = HiddenField()


class EndForm(ReasonForm):
    ended_on = DateField(_l("Last day with a lesson"), validators=[Optional(), PlausibleDate()])


class AnswerForm(FlaskForm):
    next = HiddenField()


class MoveLessonForm(FlaskForm):
    new_date = DateField(
        _l("New date"), validators=[InputRequired(message=_l("Give a date.")), PlausibleDate()]
    )
    start_time = TimeField(_l("From"), validators=[InputRequired(message=_l("Give a time."))])
    end_time = TimeField(_l("Until"), validators=[InputRequired(message=_l("Give a time."))])
    reason = StringField(_l("Reason"), filters=[strip], validators=[Optional(), Length(max=TEXT)])


class CandidateForm(FlaskForm):
    """A professional's entry in the pool, by a company contact or by themselves."""

    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[InputRequired(message=_l("Give a name.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Background"), choices=options(vocabulary.CANDIDATE_KINDS), validate_choice=False
    )
    expertise = TextAreaField(
        _l("Expertise"),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Say what the professional is good at.")),
            Length(max=TEXT),
        ],
    )
    subjects = StringField(
        _l("Subjects they could teach"),
        filters=[strip],
        validators=[Optional(), Length(max=LINE)],
    )
    profiles = MultiCheckboxField(
        _l("Profiles"), choices=options(vocabulary.PROFILES), validate_choice=False
    )
    weekdays = MultiCheckboxField(
        _l("Available on"), choices=options(vocabulary.WEEKDAYS), validate_choice=False
    )
    hours_per_week = IntegerField(_l("Hours per week available"), validators=[Optional()])
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), filters=[strip], validators=[Optional(), Length(max=100)])
    consent = BooleanField(
        _l(
            "The professional agrees to be listed in the pool, "
            "visible to schools and coordinators of the region."
        )
    )


class CompanyCandidateForm(CandidateForm):
    company = SelectField(_l("Company"), coerce=as_id, validate_choice=False)


class SelfRegistrationForm(CandidateForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Give an e-mail address, so a coordinator can reach you.")),
            Length(max=254),
        ],
    )
    consent = BooleanField(
        _l(
            "I agree that Techniekpoort keeps these details to find me a "
            "school, shows them to schools and coordinators of the region, "
            "and deletes them when I ask."
        )
    )


class ApproveCandidateForm(FlaskForm):
    company = SelectField(
        _l("Company that offers this professional"),
        coerce=as_id,
        validate_choice=False,
        validators=[Optional()],
    )


class PoolSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200)])
    profile = SelectField(_l("Profile"), validate_choice=False, validators=[Optional()])
    weekday = SelectField(_l("Available on"), validate_choice=False, validators=[Optional()])
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=100)])
    region = StringField(_l("Region"), filters=[strip], validators=[Optional(), Length(max=100)])

    def offer(self) -> None:
        self.profile.choices = [SelectChoice("", _l("All profiles")), *options(vocabulary.PROFILES)]
        self.weekday.choices = [SelectChoice("", _l("Any day")), *options(vocabulary.WEEKDAYS)]


class HrForm(FlaskForm):
    """What the school's HR asks (placements.service.hr)."""

    vog_date = DateField(
        _l("Date of the certificate of conduct (VOG)"),
        validators=[InputRequired(message=_l("Give a date.")), PlausibleDate()],
    )
    qualified = BooleanField(_l("Holds a teaching qualification"))
    supervisor = SelectField(
        _l("Supervising teacher"), coerce=as_id, validate_choice=False, validators=[Optional()]
    )
    qualification_route = StringField(
        _l("Route to a qualification"), filters=[strip], validators=[Optional(), Length(max=200)]
    )
