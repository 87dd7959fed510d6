"""People own their data: the download of everything held about a person,
deleting one's account, the retention job that removes what is left of
deleted and long-inactive accounts, and the privacy page that says what is
stored, why and for how long.

Deleting an account takes the person's name and address out of everything
others see at once (bookings, history, queued mails, notifications); what the
organisations did together stays with them. The closed, empty account row and
the copies of mails already sent to the person go when the retention period
ends (docs/decisions/0009-privacy-and-retention.md)."""
