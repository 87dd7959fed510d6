from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from app.text import TEXT

ONE_A_LINE = _l("One a line.")


def _lines(label):
    return TextAreaField(label, validators=[Optional(), Length(max=TEXT)])


class SheetForm(FlaskForm):
    """The teacher's changes to the sheet for this booking's class."""

    goals = _lines(_l("Goals of this activity for the class"))
    prepare = _lines(_l("Extra questions to prepare"))
    look_for = _lines(_l("Extra things to look for"))
    follow_up = _lines(_l("Follow-up plan"))


class QuestionsForm(FlaskForm):
    """The company's own questions on every sheet of the activity."""

    prepare = _lines(_l("Questions the pupils prepare"))
    look_for = _lines(_l("What the pupils look for during the activity"))
