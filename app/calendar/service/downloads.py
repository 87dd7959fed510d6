"""Single downloads and mail attachments: one booking or one slot as .ics."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import User
from app.bookings.models import Booking
from app.calendar import content, ics
from app.catalogue.models import Slot
from app.locales import speaking


def _contact_line(user: User | None) -> str:
    if user is None:
        return ""
    details = ", ".join(part for part in (user.name, user.email, user.phone) if part)
    return _("Contact: %(details)s", details=details)


def booking_ics(booking: Booking, reader: User) -> bytes:
    """One booking as .ics for a party of it (the "add to calendar" download,
    and the attachment of booking mails): with the other party's contact
    person, which a feed never carries."""
    row = content.booking_rows(Booking.id == booking.id, as_of=None)[0]
    members = {m.organisation_id for m in reader.memberships}
    side = (
        "company"
        if (booking.slot.activity.company_id in members and booking.school_id not in members)
        else "school"
    )
    locale = reader.locale or "nl"
    with speaking(locale):
        other = booking.slot.activity.contact if side == "school" else booking.teacher
        contact = _contact_line(other)
        name = _("Techniekpoort booking")
    event = content.booking_event(
        row, content.words(locale), content.Links(), side=side, redacted=False, contact=contact
    )
    return ics.serialize_events([event], name=name)


def slot_ics(slot: Slot, reader: User | None, *, view: str) -> bytes:
    """One slot as .ics; `view` "company" or "coordinator" lists its groups."""
    rows = content.slot_rows(Slot.id == slot.id, as_of=None, visible_only=False)
    row, activity, found = rows[0]
    locale = getattr(reader, "locale", None) or "nl"
    with speaking(locale):
        name = _("Techniekpoort activity")
    event = content.slot_event(
        row, activity, found, content.words(locale), content.Links(), view=view
    )
    return ics.serialize_events([event], name=name)
