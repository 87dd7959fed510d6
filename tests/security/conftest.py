"""The real SMTP server of the mail tests, for the tests that read headers as
it received them."""

from tests.notifications.conftest import dispatch, mail_app, smtp  # noqa: F401
