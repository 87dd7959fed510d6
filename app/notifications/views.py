"""Notification pages: the in-app list and its unread badge, the person's
preferences, the signed unsubscribe link of digests, the coordinators'
reminder settings and the coordinator organisation's mail queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import vocabulary
from app.errors import DomainError
from app.extensions import csrf, db
from app.notifications import forms, permissions, reminders, service
from app.notifications.compose import path_for
from app.notifications.dispatcher import queue_health
from app.notifications.models import Notification, OutgoingMail
from app.web.rendering import is_htmx, render, safe_next_url

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_badge():
    """The navigation shows the unread count beside the notifications item."""

    def count() -> int:
        return service.unread_count(current_user) if current_user.is_authenticated else 0

    # path_for, not url_for: mails are rendered outside requests too.
    return {"unread_notifications": count, "notifications_url": path_for("notifications.index")}


def _apply_domain_error(form, error: DomainError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- the in-app list ---------------------------------------------------------------------


def _list_page(status=200):
    return render(
        "notifications/index.html",
        block="notification_list",
        status=status,
        notifications=service.recent_notifications(current_user),
        unread=service.unread_count(current_user),
    )


@bp.get("")
@login_required
def index():
    return _list_page()


@bp.get("/badge")
@login_required
def badge():
    return render("notifications/_badge.html", count=service.unread_count(current_user))


@bp.post("/read")
@login_required
def read_all():
    service.mark_all_read(current_user)
    db.session.commit()
    if is_htmx():
        response = _list_page()
        response.headers["HX-Trigger"] = "NotificationsRead"
        return response
    return redirect(url_for("notifications.index"))


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Marks one notification read and goes to the page it is about (a POST,
    because reading changes state)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not permissions.can_read_notification(current_user, notification):
        abort(404)
    service.mark_read(notification)
    db.session.commit()
    return redirect(safe_next_url(notification.link) or url_for("notifications.index"))


# --- preferences and unsubscribing ---------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    # The form data even when it is empty: an unticked box is the whole
    # answer, and Flask-WTF would otherwise fall back to the stored value.
    formdata = request.form if request.method == "POST" else None
    form = forms.PreferencesForm(formdata=formdata, obj=service.preferences(current_user))
    if form.validate_on_submit():
        service.set_digests(current_user, form.digests.data)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render(
        "notifications/settings.html",
        form=form,
        can_set_reminder_policies=permissions.can_set_reminder_policies(current_user),
        can_see_mail_queue=permissions.can_see_mail_queue(current_user),
        status=422 if request.method == "POST" else 200,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
# The signed token is the authorisation: mail programs POST the one-click
# unsubscribe without a session or a CSRF token (RFC 8058).
@csrf.exempt
def unsubscribe(token: str):
    person = service.user_for_unsubscribe_token(token)
    if person is None:
        return render("notifications/unsubscribe.html", valid=False, done=False, status=404)
    if request.method == "POST":
        service.set_digests(person, False)
        db.session.commit()
        return render("notifications/unsubscribe.html", valid=True, done=True, person=person)
    # A GET only asks: link checkers and mail scanners open links too.
    return render("notifications/unsubscribe.html", valid=True, done=False, person=person)


# --- reminder settings (coordinators) ------------------------------------------------------


def _policy_forms(submitted_kind: str | None = None, submitted=None) -> dict:
    result = {}
    for kind, policy in reminders.all_policies().items():
        if kind == submitted_kind and submitted is not None:
            result[kind] = submitted
            continue
        result[kind] = forms.ReminderPolicyForm(
            prefix=kind,
            formdata=None,
            data={
                "days_before": ", ".join(str(d) for d in policy.days_before),
                "evaluation_days_after": policy.evaluation_days_after,
            },
        )
    return result


@bp.get("/reminders")
@login_required
def reminder_policies():
    if not permissions.can_set_reminder_policies(current_user):
        abort(403)
    return render(
        "notifications/reminder_policies.html",
        policy_forms=_policy_forms(),
        kinds=vocabulary.ACTIVITY_KINDS,
    )


@bp.post("/reminders/<kind>")
@login_required
def set_reminder_policy(kind: str):
    if not permissions.can_set_reminder_policies(current_user):
        abort(403)
    if kind not in vocabulary.ACTIVITY_KINDS:
        abort(404)
    form = forms.ReminderPolicyForm(prefix=kind)
    if form.validate_on_submit():
        try:
            days = reminders.parse_days(form.days_before.data)
            reminders.set_policy(current_user, kind, days, form.evaluation_days_after.data)
        except DomainError as error:
            db.session.rollback()
            _apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Reminders for %(kind)s are saved.", kind=vocabulary.ACTIVITY_KINDS[kind]),
                "success",
            )
            return redirect(url_for("notifications.reminder_policies"))
    return render(
        "notifications/reminder_policies.html",
        policy_forms=_policy_forms(kind, form),
        kinds=vocabulary.ACTIVITY_KINDS,
        status=422,
    )


# --- the mail queue (the coordinator organisation) ----------------------------------------


@bp.get("/mail-queue")
@login_required
def mail_queue():
    if not permissions.can_see_mail_queue(current_user):
        abort(403)
    return render(
        "notifications/mail_queue.html", health=queue_health(), failed=service.failed_mails()
    )


@bp.post("/mail-queue/<int:mail_id>/retry")
@login_required
def retry_mail(mail_id: int):
    if not permissions.can_see_mail_queue(current_user):
        abort(403)
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:
        abort(404)
    try:
        service.retry_mail(mail)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The mail to %(address)s is queued again.", address=mail.recipient), "success")
    return redirect(url_for("notifications.mail_queue"))
