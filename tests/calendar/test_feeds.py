"""GET /calendar/<token>.ics as calendar clients use it
(docs/INTEROPERABILITY.md, rules 1-3, 8-10)."""

from __future__ import annotations

from datetime import UTC, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from sqlalchemy import update

from app.bookings import service as bookings
from app.bookings.models import Booking
from app.calendar import service as feeds
from app.catalogue import service as catalogue
from app.timeutil import utcnow
from tests import factories
from tests.calendar.helpers import CONTACT_EMAIL, CONTACT_PHONE, book, feed_path, make_feed
from tests.calendar.parsers import read_all, read_icaljs


def events_by_uid(response) -> dict[str, dict]:
    assert response.status_code == 200, response.status_code
    return {e["uid"]: e for e in read_all(response.data)}


# --- rule 1 -------------------------------------------------------------------------------------


def test_rule_1_uids_are_unique_in_a_feed_and_the_same_in_every_feed(app, db, world, fetch):
    first = book(db, world, size=10)
    second_slot = factories.slot(world.activity, days_ahead=28)
    db.session.commit()
    second = book(db, world, size=12, slot=second_slot)
    personal = make_feed(db, world.teacher)
    school = make_feed(db, world.teacher, "organisation", organisation=world.school)

    uids = [e["uid"] for e in read_all(fetch(personal).data)]
    assert uids == [
        f"booking-{first.id}@techniekpoort.test",
        f"booking-{second.id}@techniekpoort.test",
    ]
    assert len(set(uids)) == len(uids)
    assert [e["uid"] for e in read_all(fetch(school).data)] == uids

    company = make_feed(db, world.contact)
    slot_uids = [e["uid"] for e in read_all(fetch(company).data)]
    assert slot_uids == [
        f"slot-{world.slot.id}@techniekpoort.test",
        f"slot-{second_slot.id}@techniekpoort.test",
    ]


def test_rule_1_uid_comes_from_the_configured_host_not_from_the_request(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.teacher)
    response = app.test_client().get(feed_path(feed), base_url="https://evil.example")
    assert b"@techniekpoort.test" in response.data and b"evil.example" not in response.data


# --- rule 2 -------------------------------------------------------------------------------------


def test_rule_2_reschedule_keeps_the_uid_raises_sequence_and_changes_the_etag(
    app, db, world, fetch
):
    booking = book(db, world)
    school_feed = make_feed(db, world.teacher)
    company_feed = make_feed(db, world.contact)
    before = fetch(school_feed)
    before_company = fetch(company_feed)
    (old,) = read_all(before.data)
    (old_slot,) = read_all(before_company.data)

    new_start = world.slot.starts_at + timedelta(days=2, hours=1)
    catalogue.reschedule_slot(world.slot, world.contact, starts_at=new_start, reason="machine")
    db.session.commit()

    after = fetch(school_feed)
    (new,) = read_all(after.data)
    assert new["uid"] == old["uid"] == f"booking-{booking.id}@techniekpoort.test"
    assert new["sequence"] > old["sequence"]
    assert new["start"].replace(tzinfo=None) == new_start
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"]
    )

    after_company = fetch(company_feed)
    (new_slot,) = read_all(after_company.data)
    assert new_slot["uid"] == old_slot["uid"]
    assert new_slot["sequence"] > old_slot["sequence"]
    assert after_company.headers["ETag"] != before_company.headers["ETag"]


def test_rule_2_every_booking_step_raises_the_sequence(app, db, world, fetch):
    booking = book(db, world)
    school_feed, company_feed = make_feed(db, world.teacher), make_feed(db, world.contact)
    seen = {"school": [], "company": [], "status": []}

    def look():
        (mine,) = read_all(fetch(school_feed).data)
        (theirs,) = read_all(fetch(company_feed).data)
        seen["school"].append(mine["sequence"])
        seen["company"].append(theirs["sequence"])
        seen["status"].append((mine["status"], theirs["status"]))

    look()
    bookings.confirm_booking(world.contact, booking)
    db.session.commit()
    look()
    bookings.cancel_booking(world.teacher, booking, "Bus did not come")
    db.session.commit()
    look()
    assert seen["school"] == sorted(set(seen["school"]))
    assert seen["company"] == sorted(set(seen["company"]))
    assert seen["status"] == [
        ("TENTATIVE", "TENTATIVE"),
        ("CONFIRMED", "CONFIRMED"),
        ("CANCELLED", "TENTATIVE"),
    ]


# --- rule 3 -------------------------------------------------------------------------------------


def test_rule_3_a_cancelled_slot_stays_as_cancelled_with_a_higher_sequence(app, db, world, fetch):
    booking = book(db, world)
    school_feed, company_feed = make_feed(db, world.teacher), make_feed(db, world.contact)
    coordinator_feed = make_feed(db, world.coordinator, "filtered", filters={})
    before = {f: read_all(fetch(f).data)[0] for f in (school_feed, company_feed, coordinator_feed)}

    catalogue.cancel_slot(world.slot, "The workshop floods", world.contact)
    db.session.commit()

    for feed, old in before.items():
        (new,) = read_all(fetch(feed).data)
        assert new["uid"] == old["uid"]
        assert new["status"] == "CANCELLED"
        assert new["sequence"] > old["sequence"]
        assert "The workshop floods" in new["description"]
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_rule_3_cancelled_items_leave_the_feed_after_30_days(app, db, world, fetch):
    booking = book(db, world)
    bookings.cancel_booking(world.teacher, booking, "Illness")
    db.session.commit()
    feed = make_feed(db, world.teacher)
    (item,) = read_all(fetch(feed).data)
    assert item["status"] == "CANCELLED"
    before = fetch(feed)

    # 31 days later the feed changes for another reason and is read again.
    db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(updated_at=utcnow() - timedelta(days=31))
    )
    feeds.bump_versions({feed.id})
    db.session.commit()
    after = fetch(feed)
    assert read_all(after.data) == []
    # Apple revalidates by date only: Last-Modified moved on when the event left.
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"]
    )
    assert after.headers["ETag"] != before.headers["ETag"]


# --- rule 8 -------------------------------------------------------------------------------------


def test_rule_8_an_unchanged_feed_gives_identical_bytes_and_etag(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.contact)
    first = fetch(feed)
    # Rendered again from the database, not from the cache: the same bytes.
    feeds.body_cache.clear()
    second = fetch(feed)
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]
    # A change elsewhere in the region does not touch this feed.
    other = factories.activity(world.other_company, title="Wiring")
    factories.slot(other)
    db.session.commit()
    other_slot = other.slots[0]
    bookings.request_booking(
        world.other_teacher, other_slot, world.other_school, bookings.Group(12, "3", "KB", "PIE")
    )
    db.session.commit()
    third = fetch(feed)
    assert third.data == first.data and third.headers["ETag"] == first.headers["ETag"]


def test_rule_8_matching_if_none_match_gets_304_with_the_etag(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.teacher)
    full = fetch(feed)
    etag = full.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    cached = fetch(feed, **{"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    assert cached.headers["ETag"] == etag
    assert "private" in cached.headers["Cache-Control"]
    assert fetch(feed, **{"If-None-Match": f'"nope", {etag}'}).status_code == 304
    assert fetch(feed, **{"If-None-Match": "*"}).status_code == 304
    assert fetch(feed, **{"If-None-Match": '"other"'}).status_code == 200
    # If-None-Match decides when both are sent.
    later = format_datetime(utcnow().replace(tzinfo=UTC) + timedelta(days=1), usegmt=True)
    both = {"If-None-Match": '"other"', "If-Modified-Since": later}
    assert fetch(feed, **both).status_code == 200


def test_rule_8_if_modified_since(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.teacher)
    full = fetch(feed)
    last_modified = full.headers["Last-Modified"]
    assert fetch(feed, **{"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(
        parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True
    )
    assert fetch(feed, **{"If-Modified-Since": earlier}).status_code == 200
    for garbage in ("yesterday", "Mon, 99 Foo 2026 25:61:00 GMT", "", "0"):
        response = fetch(feed, **{"If-Modified-Since": garbage})
        assert response.status_code == 200 and response.data == full.data


def test_rule_8_last_modified_never_moves_backwards_nor_repeats(app, db, world):
    feed = make_feed(db, world.teacher)
    seen = [feed.last_modified]
    for _ in range(5):
        # Each in its own transaction, within the same second.
        feeds.bump_versions({feed.id})
        db.session.commit()
        db.session.refresh(feed)
        seen.append(feed.last_modified)
    assert seen == sorted(set(seen))
    # A Last-Modified ahead of the clock (bumps in a burst) is not pulled back.
    db.session.execute(
        update(type(feed))
        .where(type(feed).id == feed.id)
        .values(last_modified=feed.last_modified + 3600)
    )
    db.session.commit()
    feeds.bump_versions({feed.id})
    db.session.commit()
    db.session.refresh(feed)
    assert feed.last_modified == seen[-1] + 3601


def test_rule_8_one_transaction_raises_a_feed_once(app, db, world):
    for size in (5, 6, 7):
        factories.slot(world.activity, days_ahead=20 + size)
    db.session.commit()
    feed = make_feed(db, world.contact)
    version, last_modified = feed.version, feed.last_modified
    for slot in world.activity.slots:
        bookings.request_booking(
            world.teacher, slot, world.school, bookings.Group(5, "3", "KB", "PIE")
        )
    db.session.commit()
    db.session.refresh(feed)
    assert feed.version == version + 1
    now = int(utcnow().replace(tzinfo=UTC).timestamp())
    assert last_modified < feed.last_modified <= max(last_modified + 1, now)


# --- rule 9 -------------------------------------------------------------------------------------


def test_rule_9_headers_of_a_feed(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.teacher)
    response = fetch(feed, **{"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response.headers
    assert "Content-Disposition" not in response.headers
    assert "private" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_rule_9_head_answers_like_get_without_a_body(app, db, world, fetch):
    book(db, world)
    feed = make_feed(db, world.teacher)
    get = fetch(feed)
    head = fetch(feed, method="HEAD")
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length"):
        assert head.headers[name] == get.headers[name], name
    assert int(head.headers["Content-Length"]) == len(get.data)
    assert fetch(feed, method="HEAD", **{"If-None-Match": get.headers["ETag"]}).status_code == 304


def test_rule_9_the_page_offers_a_webcal_link(app, db, world, teacher_client):
    feed = make_feed(db, world.teacher)  # not the fixture's teacher; see below
    assert feed  # made for another person: not listed for this one
    page = teacher_client.get("/calendar").get_data(as_text=True)
    assert feeds.feed_token(feed) not in page
    teacher_client.post("/calendar/feeds", data={"feed-kind": "personal", "feed-name": "Mine"})
    page = teacher_client.get("/calendar").get_data(as_text=True)
    assert 'href="webcal://techniekpoort.test/calendar/' in page
    assert 'value="http://techniekpoort.test/calendar/' in page


# --- rule 10 ------------------------------------------------------------------------------------


def test_rule_10_unknown_rotated_and_revoked_tokens_are_404(app, db, world, fetch):
    feed = make_feed(db, world.teacher)
    client = app.test_client()
    token = feeds.feed_token(feed)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    feed_id, mac = token.split("-")
    tampered = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    for wrong in (
        f"{feed_id}-{tampered}",
        f"{int(feed_id) + 1}-{mac}",
        "nothing",
        f"{feed_id}-",
        f"{feed_id}-{mac}x",
        "-" + mac,
        "9" * 40 + "-" + mac,
        f"{feed_id}-{mac.upper()}",
        f"{feed_id}-{'é' * 40}",
    ):
        assert client.get(f"/calendar/{wrong}.ics").status_code == 404, wrong

    feeds.rotate_feed(feed)
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    new_token = feeds.feed_token(feed)
    assert new_token != token
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200

    feeds.revoke_feed(feed)
    db.session.commit()
    assert client.get(f"/calendar/{new_token}.ics").status_code == 404
    assert client.head(f"/calendar/{new_token}.ics").status_code == 404


def test_rule_10_a_feed_stops_when_its_owner_may_no_longer_read_it(app, db, world, fetch):
    from app.accounts.models import Membership

    school_feed = make_feed(db, world.teacher, "organisation", organisation=world.school)
    coordinator_feed = make_feed(db, world.coordinator, "filtered", filters={})
    assert fetch(school_feed).status_code == 200 and fetch(coordinator_feed).status_code == 200
    for user in (world.teacher, world.coordinator):
        for membership in list(user.memberships):
            db.session.delete(membership)
    db.session.commit()
    assert fetch(school_feed).status_code == 404
    assert fetch(coordinator_feed).status_code == 404
    world.contact.active = False
    db.session.commit()
    assert fetch(make_feed(db, world.contact)).status_code == 404
    assert Membership  # the rows above were memberships


def test_rule_10_feeds_never_show_contact_data(app, db, world, fetch):
    """Not the contact's address or phone, and not when someone types them into
    a title or a reason either."""
    booking = book(db, world)
    catalogue.update_activity(
        world.activity, {"title": f"CNC milling (mail {CONTACT_EMAIL})"}, world.contact
    )
    bookings.cancel_booking(
        world.teacher, booking, f"Call me on {CONTACT_PHONE} or +31 6 1234 5678"
    )
    db.session.commit()
    bodies = [
        fetch(make_feed(db, world.teacher)).data,
        fetch(make_feed(db, world.teacher, "organisation", organisation=world.school)).data,
        fetch(make_feed(db, world.contact)).data,
        fetch(make_feed(db, world.contact, "organisation", organisation=world.company)).data,
        fetch(make_feed(db, world.coordinator, "filtered", filters={})).data,
    ]
    for body in bodies:
        unfolded = body.replace(b"\r\n ", b"")
        for secret in (CONTACT_EMAIL, CONTACT_PHONE, "1234 5678", "@metaalbedrijf", "docent@"):
            assert secret.encode() not in unfolded
        assert read_all(body)  # still a calendar with the event in it


def test_no_email_or_phone_in_organisation_and_coordinator_feeds(app, db, world, fetch):
    import re

    book(db, world)
    book(db, world, school=world.other_school, teacher=world.other_teacher, size=8)
    bodies = [
        fetch(make_feed(db, world.contact, "organisation", organisation=world.company)).data,
        fetch(make_feed(db, world.teacher, "organisation", organisation=world.school)).data,
        fetch(make_feed(db, world.coordinator, "filtered", filters={"sectors": ["metal"]})).data,
    ]
    for body in bodies:
        text = body.replace(b"\r\n ", b"").decode()
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+", text.replace("@techniekpoort.test", ""))
        assert not re.search(r"\d{2}-\d{8}", text)
        assert "Het Stedelijk Lyceum" in text or "Metaalbedrijf" in text


# --- who sees what ------------------------------------------------------------------------------


def test_personal_feed_shows_my_bookings_and_my_companys_slots_only(app, db, world, fetch):
    mine = book(db, world)
    theirs = book(db, world, school=world.other_school, teacher=world.other_teacher, size=5)
    # A colleague at my school books for themselves: not in my personal feed.
    colleague = factories.user(world.school, "teacher")
    colleagues = book(db, world, teacher=colleague, size=3)
    teacher_uids = set(events_by_uid(fetch(make_feed(db, world.teacher))))
    assert teacher_uids == {f"booking-{mine.id}@techniekpoort.test"}
    school_uids = set(
        events_by_uid(
            fetch(make_feed(db, world.teacher, "organisation", organisation=world.school))
        )
    )
    assert school_uids == {
        f"booking-{mine.id}@techniekpoort.test",
        f"booking-{colleagues.id}@techniekpoort.test",
    }
    assert f"booking-{theirs.id}@techniekpoort.test" not in school_uids

    (slot_event,) = events_by_uid(fetch(make_feed(db, world.contact))).values()
    assert "Het Stedelijk Lyceum" in slot_event["description"]
    assert "Bataafs College" in slot_event["description"]
    assert events_by_uid(fetch(make_feed(db, world.other_contact))) == {}


def test_a_teacher_cannot_subscribe_to_another_organisation(app, db, world):
    from app.errors import DomainError

    with pytest.raises(DomainError) as refused:
        feeds.create_feed(world.teacher, kind="organisation", organisation=world.other_school)
    assert refused.value.field == "organisation_id"
    with pytest.raises(DomainError):
        feeds.create_feed(world.teacher, kind="organisation", organisation=world.company)
    with pytest.raises(DomainError) as refused:
        feeds.create_feed(world.teacher, kind="filtered", filters={})
    assert refused.value.field == "kind"


def test_coordinator_filtered_feed_reads_correctly_in_independent_parsers(app, db, world, fetch):
    """The issue's "done when": a filtered feed, read by icalendar, vobject and
    ical.js as a calendar client would read it."""
    electric = factories.activity(
        world.other_company,
        title="Solar panels",
        kind="workshop",
        sectors=frozenset({"electrical", "energy"}),
        profiles=frozenset({"PIE"}),
    )
    summer = factories.slot(electric, days_ahead=200)  # another time of year: other UTC offset
    draft = factories.activity(world.company, title="Not yet", status="draft")
    factories.slot(draft)
    db.session.commit()
    booking = book(db, world)
    bookings.confirm_booking(world.contact, booking)
    db.session.commit()

    everything = make_feed(db, world.coordinator, "filtered", filters={})
    metal = make_feed(db, world.coordinator, "filtered", filters={"sectors": ["metal"]})
    south_workshops = make_feed(
        db, world.coordinator, "filtered", filters={"regions": ["zuid"], "kinds": ["workshop"]}
    )
    by_school = make_feed(db, world.coordinator, "filtered", filters={"schools": [world.school.id]})
    nothing = make_feed(
        db,
        world.coordinator,
        "filtered",
        filters={"profiles": ["MaT"], "companies": [world.company.id]},
    )

    slot_uid, summer_uid = (
        f"slot-{world.slot.id}@techniekpoort.test",
        f"slot-{summer.id}@techniekpoort.test",
    )
    assert set(events_by_uid(fetch(everything))) == {slot_uid, summer_uid}
    assert set(events_by_uid(fetch(metal))) == {slot_uid}
    assert set(events_by_uid(fetch(south_workshops))) == {summer_uid}
    assert set(events_by_uid(fetch(by_school))) == {slot_uid}
    assert events_by_uid(fetch(nothing)) == {}

    body = fetch(everything).data
    by_icaljs = {e["uid"]: e for e in read_icaljs(body)}
    read = events_by_uid(fetch(everything))
    assert by_icaljs == read
    event = read[slot_uid]
    assert event["status"] == "CONFIRMED"
    assert event["summary"] == "CNC milling · Metaalbedrijf Twente"
    assert "Het Stedelijk Lyceum: 20 students, year 3, KB, PIE (Confirmed)" in event["description"]
    assert event["categories"] == ("Company visit", "Metal and mechanical engineering")
    assert event["start"].replace(tzinfo=None) == world.slot.starts_at
    assert read[summer_uid]["start"].replace(tzinfo=None) == summer.starts_at
    assert read[summer_uid]["status"] == "TENTATIVE"


def test_a_feed_is_read_without_cookies_and_sets_none(app, db, world, teacher_client):
    feed = make_feed(db, world.teacher)
    response = app.test_client(use_cookies=False).get(feed_path(feed))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_polls_answered_before_flask_match_what_the_view_answers(app, db, world):
    """serving.FeedsFirst answers feed polls before Flask's request machinery;
    the view behind it answers the same (status, headers, body) for every kind
    of poll, and the 404 of a token that opens nothing comes from the app."""
    from werkzeug.test import Client

    book(db, world)
    feed = make_feed(db, world.teacher)
    short, view = app.test_client(), Client(app.wsgi_app.wsgi_app)
    path = feed_path(feed)
    etag = short.get(path).headers["ETag"]
    since = short.get(path).headers["Last-Modified"]
    for method in ("GET", "HEAD"):
        for headers in (
            {},
            {"If-None-Match": etag},
            {"If-None-Match": '"other"'},
            {"If-Modified-Since": since},
            {"If-Modified-Since": "garbage"},
        ):
            db.session.expire_all()
            fast, slow = (c.open(path, method=method, headers=headers) for c in (short, view))
            assert (fast.status_code, fast.data) == (slow.status_code, slow.data), headers
            for name in (
                "Content-Type",
                "Content-Length",
                "ETag",
                "Last-Modified",
                "Cache-Control",
                "Content-Encoding",
                "Set-Cookie",
            ):
                assert fast.headers.get(name) == slow.headers.get(name), (method, headers, name)
    unknown = short.get(f"/calendar/{feed.id}-{'0' * 40}.ics")
    assert unknown.status_code == 404 and b"<html" in unknown.data.lower()
