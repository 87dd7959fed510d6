"""Printable documents (PDF, WeasyPrint): booking confirmation, participation
certificate, a school's programme for the year, the regional annual report."""
