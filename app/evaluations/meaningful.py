"""What makes an encounter with an employer meaningful, as the school judges it
afterwards: a clear purpose and learning goals, interaction with the
professionals, the pupils' own reflection, and a planned follow-up (the
standard the UK's Gatsby benchmarks set for employer encounters). The school's
evaluation answers each with yes or no; the company reads the shares over its
evaluations (`evaluations.service.meaningfulness_of`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# In the order the form asks them; each is a nullable column of Evaluation:
# empty for the company's side and for evaluations given before they were asked.
CRITERIA = {
    "clear_purpose": _l("The activity had a clear purpose and learning goals"),
    "professionals_interaction": _l("The pupils talked and worked with the professionals"),
    "pupils_reflected": _l("The pupils reflected on it themselves afterwards"),
    "follow_up_planned": _l("A follow-up is planned"),
}
