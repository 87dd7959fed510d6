"""What a person typed survives an expired session or security token.

A form posted after the session ran out (the CSRF token no longer matches, or
nobody is signed in any more) is not carried out, but its fields are kept in
the session, for the page the form was on. After signing in again the person
lands on that page, and its form shows what they typed (every FlaskForm reads
the kept fields on that one GET, through `wrap_formdata`). Passwords and
security tokens are never kept.

With JavaScript, htmx forms keep their fields in the browser as well
(app/static/app.js), because forms drawn by hand in a list row have no
FlaskForm to fill.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g, request, session
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict

from app.web.rendering import safe_next_url

KEY = "kept_form"
# Enough for any of the product's forms; the session cookie stays small.
MAX_FIELDS, MAX_CHARS = 60, 2000


def _kept_name(name: str) -> bool:
    return not (name.endswith("csrf_token") or "password" in name)


def form_page() -> str:
    """The page the posted form was on: the Referer when it is this site's,
    otherwise the address posted to (most forms post to their own page)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        page = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if safe_next_url(page):
            return page
    return request.full_path.rstrip("?")


def keep_posted_form() -> str:
    """Keeps the posted fields for the form's page; returns that page."""
    page = form_page()
    fields = [
        (name, value[:MAX_CHARS])
        for name, value in request.form.items(multi=True)
        if _kept_name(name)
    ][:MAX_FIELDS]
    if fields:
        session[KEY] = {"path": page, "fields": fields}
    return page


def kept_formdata() -> ImmutableMultiDict | None:
    """The fields kept for this page, once: the first GET of the page uses them."""
    if "kept_formdata" in g:
        return g.kept_formdata
    kept = session.get(KEY)
    found = None
    if kept and request.method == "GET" and kept.get("path") == request.full_path.rstrip("?"):
        session.pop(KEY)
        found = ImmutableMultiDict([tuple(pair) for pair in kept["fields"]])
    g.kept_formdata = found
    return found


def install() -> None:
    """Every FlaskForm built without form data on a GET reads the kept fields."""
    original = FlaskForm.Meta.wrap_formdata
    if getattr(original, "reads_kept_fields", False):
        return

    def wrap_formdata(self, form, formdata):
        wrapped = original(self, form, formdata)
        if wrapped is None and request.method == "GET" and formdata is not None:
            return kept_formdata()
        return wrapped

    wrap_formdata.reads_kept_fields = True
    FlaskForm.Meta.wrap_formdata = wrap_formdata
