from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from app import vocabulary
from app.web.forms import PlausibleDate, options


class HolidayForm(FlaskForm):
    region = SelectField(_l("Region"), choices=options(vocabulary.HOLIDAY_REGIONS))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    start_date = DateField(_l("First day"), validators=[InputRequired(), PlausibleDate()])
    end_date = DateField(_l("Last day"), validators=[InputRequired(), PlausibleDate()])
