from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app import vocabulary
from app.accounts import validation
from app.web.forms import MultiCheckboxField, Normalised, options


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Stay signed in on this device"))


def password_fields():
    return (
        PasswordField(
            _l("Password"),
            validators=[DataRequired(), Normalised(validation.check_password_strength)],
        ),
        PasswordField(
            _l("Repeat password"),
            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        ),
    )


class OrganisationFields(FlaskForm):
    """The details of a school or company, shared by sign-up and editing."""

    kind = SelectField(
        _l("We are a"),
        choices=options({"school": _l("School"), "company": _l("Company")}),
        validators=[DataRequired()],
    )
    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Street and number"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"), validators=[DataRequired(), Normalised(validation.normalise_postcode)]
    )
    city = StringField(_l("Town"), validators=[DataRequired(), Length(max=100)])
    holiday_region = SelectField(
        _l("School holiday region"), choices=options(vocabulary.HOLIDAY_REGIONS), default="noord"
    )
    brin = StringField(
        _l("BRIN code (schools)"), validators=[Optional(), Normalised(validation.normalise_brin)]
    )
    location_number = StringField(
        _l("Location number (schools)"),
        validators=[Optional(), Normalised(validation.normalise_location_number)],
    )
    kvk = StringField(
        _l("KvK number (companies)"), validators=[Optional(), Normalised(validation.normalise_kvk)]
    )
    sectors = MultiCheckboxField(_l("Sectors (companies)"), choices=options(vocabulary.SECTORS))
    profiles = MultiCheckboxField(
        _l("Technical profiles offered (schools)"), choices=options(vocabulary.PROFILES)
    )
    website = StringField(_l("Website"), validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.kind.data == "school":
            if not self.brin.data and not self.brin.errors:
                self.brin.errors.append(_l("Schools give their BRIN code."))
                ok = False
            if not self.location_number.data and not self.location_number.errors:
                self.location_number.data = "00"
        if self.kind.data == "company":
            if not self.kvk.data and not self.kvk.errors:
                self.kvk.errors.append(_l("Companies give their KvK number."))
                ok = False
            if not self.sectors.data:
                self.sectors.errors = [*self.sectors.errors, _l("Choose at least one sector.")]
                ok = False
        return ok


class RegistrationForm(OrganisationFields):
    contact_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField(
        _l("Your e-mail address"),
        validators=[DataRequired(), Normalised(validation.normalise_email)],
    )
    password, password_again = password_fields()


class CoordinatorOrganisationForm(OrganisationFields):
    """A coordinator adds an organisation (approved at once) and invites its first contact."""

    kind = SelectField(
        _l("Kind"), choices=options(vocabulary.ORGANISATION_KINDS), validators=[DataRequired()]
    )
    contact_name = StringField(_l("Name of the contact"), validators=[Optional(), Length(max=200)])
    contact_email = EmailField(
        _l("E-mail address of the contact"),
        validators=[Optional(), Normalised(validation.normalise_email)],
    )


class OrganisationProfileForm(OrganisationFields):
    """An organisation's own details, edited by its administrator. Its kind
    stays what it is: the view sets it from the organisation."""

    kind = HiddenField()


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Normalised(validation.normalise_email)]
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[])


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password, password_again = password_fields()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])


class ResetPasswordForm(FlaskForm):
    password, password_again = password_fields()


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    locale = SelectField(_l("Language"), choices=options({"nl": "Nederlands", "en": "English"}))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password, password_again = password_fields()


class ApiTokenForm(FlaskForm):
    token_name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])
