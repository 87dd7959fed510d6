"""Which organisation a person acts for when they could act for several: the
school a teacher books or asks for, the company a contact proposes for. One
rule for the pages and the API: someone at one organisation acts for it
without choosing; someone at several chooses, and only among their own."""

from __future__ import annotations

from app.accounts.models import Organisation
from app.errors import DomainError, Forbidden


def chosen_organisation(
    organisations: list[Organisation],
    chosen_id: int | None,
    *,
    field: str,
    nobody: str,
    several: str,
    unknown: str,
) -> Organisation:
    """The organisation acted for among `organisations` (those the person may
    act for), by `chosen_id`. Forbidden (`nobody`) when there is none; refused
    at `field` when there are several and none is chosen (`several`) or the
    one chosen is not among them (`unknown`)."""
    if not organisations:
        raise Forbidden(nobody)
    if chosen_id is None:
        if len(organisations) > 1:
            raise DomainError(several, field=field)
        return organisations[0]
    for organisation in organisations:
        if organisation.id == chosen_id:
            return organisation
    raise DomainError(unknown, field=field)
