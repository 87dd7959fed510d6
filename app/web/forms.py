"""Form pieces every domain's forms share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import ValidationError

from app.errors import Conflict, DomainError
from app.extensions import db
from app.text import clean_text
from app.timeutil import FIRST_YEAR, today_local


def _one_line(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(item) if isinstance(item, str) else item for item in value]
    return value


def _lines(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _bind_field(meta, form, unbound_field, options):
    """Every field's value passes app.text's rule before its own filters: as
    one line, or with its lines for a text area. Passwords pass untouched:
    they are never stored or shown, and a secret must not change."""
    kind = unbound_field.field_class
    filters = list(unbound_field.kwargs.get("filters", ()))
    if not issubclass(kind, PasswordField):
        filters.insert(0, _lines if issubclass(kind, TextAreaField) else _one_line)
    return unbound_field.bind(form=form, filters=filters, **options)


def install_text_rule() -> None:
    """For every FlaskForm, those of every domain and any added later, without
    each having to remember a base class (docs/decisions/0007-hostile-input.md)."""
    FlaskForm.Meta.bind_field = _bind_field


def strip(value):
    """A field filter: surrounding white space never counts."""
    return value.strip() if isinstance(value, str) else value


class Normalised:
    """Runs one of accounts.validation's normalisers: the cleaned value replaces
    the input, and its ValueError becomes the field's error message."""

    def __init__(self, normaliser):
        self.normaliser = normaliser

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = self.normaliser(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


def options(words: dict) -> list[SelectChoice]:
    """Choices from one of vocabulary's word lists, or any {code: label} dict.

    The labels stay lazy, so every page shows them in its own language (str()
    at import time would freeze them in English). SelectChoice, because WTForms
    deprecates choices given as tuples."""
    return [SelectChoice(code, label) for code, label in words.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PlausibleDate:
    """Dates a person could mean for a school activity: from FIRST_YEAR
    (app.timeutil) to five years from today, in Amsterdam."""

    def __call__(self, form, field):
        if field.data is not None and not (FIRST_YEAR <= field.data.year <= today_local().year + 5):
            raise ValidationError(_l("Choose a date within the next five years."))


def apply_domain_error(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Shows a service's refusal at the field it concerns, or above the form.
    Services name the input as the API does (school_id); the form's field
    for it is the same name without "_id" (school), or the one `aliases`
    gives (a slot's starts_at is the form's day)."""
    name = (aliases or {}).get(error.field, error.field) if error.field else None
    target = (
        (form._fields.get(name) or form._fields.get(name.removesuffix("_id"))) if name else None
    )
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


@dataclass(frozen=True)
class Outcome:
    """What became of a state-changing form: done, or not, with the status the
    page answers. True when done, so `if carried_out(...)` reads as it says."""

    done: bool
    status: int = 200
    refusal: DomainError | None = None
    # What the service returned (warnings to show, the row it made).
    value: object = None

    def __bool__(self) -> bool:
        return self.done

    @property
    def message(self) -> str | None:
        return self.refusal.message if self.refusal else None


def refusal_status(error: DomainError) -> int:
    """The status of a page that shows a service's refusal, the one the API
    answers for it: 409 for a Conflict (the state does not allow the step,
    app.transitions.NotAllowed, or it clashes with what is there: a full slot,
    a clashing placement); 422 for a rule about the input."""
    return error.status if isinstance(error, Conflict) else 422


def carried_out(
    form,
    act: Callable[[], object],
    *,
    aliases: dict[str, str] | None = None,
    reload: object | None = None,
) -> Outcome:
    """Every form view's steps after loading and checking access: validate
    the form, call the service (act), commit once.

    Not sent (a GET): not done, 200. Invalid: 422. Refused by the service:
    rolled back, `reload` (the row the page shows) read again, the refusal
    shown on the form (apply_domain_error with `aliases`), with
    refusal_status. Done: committed, with act's result as the value."""
    if not form.is_submitted():
        return Outcome(False, 200)
    if not form.validate():
        return Outcome(False, 422)
    try:
        value = act()
    except DomainError as error:
        db.session.rollback()
        if reload is not None:
            db.session.refresh(reload)
        apply_domain_error(form, error, aliases)
        return Outcome(False, refusal_status(error), error)
    db.session.commit()
    return Outcome(True, value=value)
