"""Errors that services raise when a rule says no. Views turn them into a field
error or a flash message, the API into a 4xx JSON error."""

from __future__ import annotations


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class Forbidden(DomainError):
    """The person asking may not do this here (their role in this organisation,
    or an organisation that is not approved)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    """A one-time link that expired or was used already."""

    status = 410
    code = "gone"
