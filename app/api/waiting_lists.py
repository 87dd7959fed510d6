"""Waiting lists: a school leaves a list or accepts an offered place; the
region's promotion rule (bookings.waiting_list, docs/decisions/0020)."""

from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from app.api.blueprint import bp
from app.api.bookings import BookingOut, PromotionRule, booking_out, load_booking
from app.api.spec import forbidden, operation, require_user
from app.bookings import waiting_list
from app.bookings.permissions import can_cancel, can_set_waiting_list_rule
from app.extensions import db


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/leave-waiting-list",
    summary="Take a waiting group off the waiting list (the school); declines an offer too",
    tag="bookings",
    response=BookingOut,
    errors=(403, 404, 409),
)
def leave_waiting_list(booking_id: int) -> BookingOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    if not can_cancel(user, booking):
        raise forbidden(_("Only the school can take its group off a waiting list."))
    waiting_list.leave_waiting_list(user, booking)
    db.session.commit()
    return booking_out(booking)


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/accept-offer",
    summary="Accept the places offered to a waiting group before the offer's deadline",
    tag="bookings",
    response=BookingOut,
    errors=(403, 404, 409),
)
def accept_offer(booking_id: int) -> BookingOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    if not can_cancel(user, booking):
        raise forbidden(_("Only the school can accept a place for its group."))
    waiting_list.accept_offer(user, booking)
    db.session.commit()
    return booking_out(booking)


class WaitingListRuleOut(BaseModel):
    rule: PromotionRule = Field(
        description="first_come: in the order of joining; fewest_first: the schools with "
        "the fewest activities in the slot's school year first, ties by the order of joining. "
        "Either way a group has to fit the free places."
    )


class WaitingListRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: PromotionRule


@operation(
    bp,
    "GET",
    "/waiting-list-rule",
    summary="Who gets freed places first, in the whole region",
    tag="bookings",
    response=WaitingListRuleOut,
)
def get_waiting_list_rule() -> WaitingListRuleOut:
    require_user()
    return WaitingListRuleOut(rule=waiting_list.current_rule())


@operation(
    bp,
    "PUT",
    "/waiting-list-rule",
    summary="Choose who gets freed places first (coordinators)",
    tag="bookings",
    body=WaitingListRuleIn,
    response=WaitingListRuleOut,
    errors=(403,),
)
def set_waiting_list_rule(body: WaitingListRuleIn) -> WaitingListRuleOut:
    user = require_user()
    if not can_set_waiting_list_rule(user):
        raise forbidden(_("Only coordinators choose the waiting lists' rule."))
    waiting_list.set_rule(user, body.rule)
    db.session.commit()
    return WaitingListRuleOut(rule=waiting_list.current_rule())
