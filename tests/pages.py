"""Reading rendered pages and mails in tests: the messages as the user sees
them, the errors and flashes of a form, the link in a mail, and the forms and
links of a page as a browser would submit them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask_babel import force_locale, gettext
from markupsafe import escape

LINK = re.compile(r"http://techniekpoort\.test(/\S+)")


def dutch_text(message: str, **values) -> str:
    """A message in Dutch (the default locale), as a mail's text shows it."""
    with force_locale("nl"):
        return gettext(message, **values)


def dutch(message: str, **values) -> str:
    """A message as a page shows it: in Dutch, HTML-escaped the way Jinja escapes it."""
    return str(escape(dutch_text(message, **values)))


def field_errors(page: str, field_id: str) -> list[str]:
    return re.findall(
        rf'<small class="field-error" id="{re.escape(field_id)}-error">([^<]*)</small>', page
    )


def form_errors(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-error" role="alert">([^<]*)</p>', page)


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<p class="flash flash-{category}"[^>]*>([^<]*)</p>', page)


def link_in(mail) -> str:
    """The path of the (first) link in a mail's plain-text body."""
    match = LINK.search(mail.text_body)
    assert match, f"no link in the mail:\n{mail.text_body}"
    return match.group(1)


class Page(HTMLParser):
    """The forms of a page ({"action", "method", "fields": [[name, value,
    maxlength]]}, value None for an unchecked box) and the links' hrefs."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind not in ("submit", "button", "image", "reset", "file"):
                checked = kind not in ("checkbox", "radio") or "checked" in a
                self._add([a["name"], a.get("value", "") if checked else None, a.get("maxlength")])
        elif tag == "button" and a.get("value") is not None:
            if not any(field[0] == a["name"] for field in self._form["fields"]):
                self._add([a["name"], a["value"], None])
        elif tag == "select":
            self._select = self._add([a["name"], None, None])
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = self._add([a["name"], "", a.get("maxlength")])

    def _add(self, field: list) -> list:
        self._form["fields"].append(field)
        return field

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def form_data(self, index: int = -1) -> list[tuple[str, str]]:
        """What submitting the form as the page shows it would send."""
        fields = self.forms[index]["fields"]
        return [(name, value) for name, value, _max in fields if value is not None]
