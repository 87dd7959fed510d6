from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.evaluations.meaningful import CRITERIA
from app.text import TEXT

RATINGS = [
    SelectChoice("5", _l("5 – excellent")),
    SelectChoice("4", _l("4 – good")),
    SelectChoice("3", _l("3 – fair")),
    SelectChoice("2", _l("2 – poor")),
    SelectChoice("1", _l("1 – bad")),
]


class EvaluationForm(FlaskForm):
    """A party's few answers after the activity. The school also counts heads;
    the company's form has no such field (see `for_side`)."""

    students_attended = IntegerField(
        _l("Students who actually took part"),
        validators=[
            InputRequired(message=_l("Give the number of students who took part.")),
            NumberRange(min=0, message=_l("Not a negative number.")),
        ],
    )
    rating = RadioField(
        _l("Overall rating"),
        choices=RATINGS,
        validators=[InputRequired(message=_l("Give a rating from 1 to 5."))],
    )
    went_well = TextAreaField(_l("What went well"), validators=[Optional(), Length(max=TEXT)])
    could_be_better = TextAreaField(
        _l("What could be better"), validators=[Optional(), Length(max=TEXT)]
    )

    booked: int | None = None

    @classmethod
    def for_side(cls, side: str, booked: int, **kwargs) -> EvaluationForm:
        form = cls(**kwargs)
        form.booked = booked
        if side != "school":
            del form.students_attended
            for code in CRITERIA:
                delattr(form, code)
        return form

    def meaningful(self) -> dict[str, bool]:
        """The school's yes-or-no per criterion (empty for the company's form)."""
        return {code: self[code].data == "yes" for code in CRITERIA if code in self}

    def validate_students_attended(self, field) -> None:
        # The service says the same; here it shows together with the other errors.
        if field.data is not None and self.booked is not None and field.data > self.booked:
            raise ValidationError(
                lazy_ngettext(
                    "Between 0 and the %(size)d student booked.",
                    "Between 0 and the %(size)d students booked.",
                    self.booked,
                    size=self.booked,
                )
            )


YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]

# One yes-or-no question per criterion of app/evaluations/meaningful.py, after
# the rating: the school's form asks all four, the company's none.
for _code, _question in CRITERIA.items():
    setattr(
        EvaluationForm,
        _code,
        RadioField(
            _question,
            choices=YES_NO,
            validators=[InputRequired(message=_l("Answer yes or no."))],
        ),
    )
