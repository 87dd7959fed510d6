from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    understood = BooleanField(
        _l("I understand that my account and my name are removed for good"),
        validators=[DataRequired(message=_l("Tick this box to delete your account."))],
    )
