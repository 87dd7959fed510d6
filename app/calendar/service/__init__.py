"""Calendar feeds: creating, rotating and revoking them (management), opening
one by its token (tokens), who reads it (viewers), what it shows and its
bytes (bodies), single downloads (downloads), and raising its version when
what it shows changes (versions). This module is their public face.
"""

from app.calendar.service.bodies import (
    BODY_CACHE_BYTES,
    body_cache,
    feed_body,
    feed_description,
    feed_document,
    feed_etag,
    feed_events,
)
from app.calendar.service.downloads import (
    booking_ics,
    slot_ics,
)
from app.calendar.service.management import (
    MAX_FILTER_VALUES,
    NAME_LENGTH,
    create_feed,
    feeds_of,
    organisations_for_feeds,
    revoke_feed,
    rotate_feed,
)
from app.calendar.service.tokens import (
    FeedState,
    feed_for_token,
    feed_token,
    feed_urls,
    open_feed,
)
from app.calendar.service.versions import (
    affected_feeds,
    bump_for_activity,
    bump_for_booking,
    bump_for_member,
    bump_for_organisation,
    bump_for_placement,
    bump_for_slots,
    bump_versions,
)
from app.calendar.service.viewers import (
    MANAGING_ROLES,
    Viewer,
    coordinates_region,
    viewer_from,
    viewer_of,
)

__all__ = [
    "BODY_CACHE_BYTES",
    "FeedState",
    "MANAGING_ROLES",
    "MAX_FILTER_VALUES",
    "NAME_LENGTH",
    "Viewer",
    "affected_feeds",
    "body_cache",
    "booking_ics",
    "bump_for_activity",
    "bump_for_booking",
    "bump_for_member",
    "bump_for_organisation",
    "bump_for_placement",
    "bump_for_slots",
    "bump_versions",
    "coordinates_region",
    "create_feed",
    "feed_body",
    "feed_description",
    "feed_document",
    "feed_etag",
    "feed_events",
    "feed_for_token",
    "feed_token",
    "feed_urls",
    "feeds_of",
    "open_feed",
    "organisations_for_feeds",
    "revoke_feed",
    "rotate_feed",
    "slot_ics",
    "viewer_from",
    "viewer_of",
]
