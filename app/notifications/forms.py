from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from app.notifications.reminders import MAX_EVALUATION_DAYS_AFTER


class PreferencesForm(FlaskForm):
    digests = BooleanField(_l("Send me the weekly digest"))


class ReminderPolicyForm(FlaskForm):
    days_before = StringField(
        _l("Reminders, days before"),
        validators=[Length(max=40)],
        description=_l("For example 7, 1. Empty: no reminders."),
    )
    evaluation_days_after = IntegerField(
        _l("Evaluation request, days after"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_EVALUATION_DAYS_AFTER)],
    )
