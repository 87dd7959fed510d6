"""Imports every model module, so that the metadata (and Alembic) knows all tables."""

from app.accounts import models as accounts_models  # noqa: F401
from app.bookings import models as bookings_models  # noqa: F401
from app.calendar import models as calendar_models  # noqa: F401
from app.catalogue import models as catalogue_models  # noqa: F401
from app.curriculum import models as curriculum_models  # noqa: F401
from app.enrolment import models as enrolment_models  # noqa: F401
from app.evaluations import models as evaluations_models  # noqa: F401
from app.events import models as events_models  # noqa: F401
from app.holidays import models as holidays_models  # noqa: F401
from app.insights import models as insights_models  # noqa: F401
from app.lob import models as lob_models  # noqa: F401
from app.notifications import models as notifications_models  # noqa: F401
from app.placements import models as placements_models  # noqa: F401
from app.scheduler_state import SchedulerHeartbeat  # noqa: F401
from app.school_requests import models as school_requests_models  # noqa: F401
from app.throttle import models as throttle_models  # noqa: F401
