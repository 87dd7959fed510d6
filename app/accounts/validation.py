"""Format checks for Dutch identifiers. Formats only: nothing is looked up
outside (docs/FIELD.md), so a well-formed but non-existent number passes."""

from __future__ import annotations

import re

from flask_babel import gettext as _

_BRIN = re.compile(r"^[0-9]{2}[A-Z]{2}$")
_LOCATION = re.compile(r"^[0-9]{2}$")
_KVK = re.compile(r"^[0-9]{8}$")
_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'7511ab' and '7511 AB' become '7511 AB'; raises ValueError otherwise."""
    match = _POSTCODE.match((value or "").strip().upper())
    if not match or match.group(2) in {"SA", "SD", "SS"}:
        raise ValueError(_("A postcode is four digits and two letters, for example 7511 AB."))
    return f"{match.group(1)} {match.group(2)}"


def normalise_brin(value: str) -> str:
    value = (value or "").strip().upper()
    if not _BRIN.match(value):
        raise ValueError(_("A BRIN code is two digits and two letters, for example 20DX."))
    return value


def normalise_location_number(value: str) -> str:
    value = (value or "").strip()
    if len(value) == 1 and value.isdigit():
        value = "0" + value
    if not _LOCATION.match(value):
        raise ValueError(_("A location number is two digits, for example 00."))
    return value


def normalise_kvk(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not _KVK.match(value):
        raise ValueError(_("A KvK number is eight digits."))
    return value


def normalise_email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    # test_environment admits the reserved .test domain (RFC 6761), which the demo
    # region's accounts use (coordinator@demo.test): inviting a colleague or asking
    # for a reset link must work there too. Nothing else changes: deliverability is
    # not checked anyway, and other special-use domains stay refused.
    try:
        return validate_email(
            (value or "").strip(), check_deliverability=False, test_environment=True
        ).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(_("This is not a valid e-mail address.")) from error


# NIST SP 800-63B: length is what makes a password hard to guess; no rules
# about kinds of characters. Accounts made before (the demo's) keep theirs:
# the rule applies where a password is chosen.
MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase; bounds the work of hashing one.
MAX_PASSWORD_LENGTH = 256


def check_password_strength(value: str) -> str:
    if len(value or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(_("A password has at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValueError(_("A password has at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    return value
