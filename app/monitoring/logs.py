"""The log format: lines for people (the default), or one JSON object per
line for a log collector (TECHNIEKPOORT_LOG_FORMAT=json), with the same
fields from the web servers and the schedulers."""

from __future__ import annotations

import logging
import sys

from flask import Flask, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s {process} %(process)d %(name)s %(levelname)s %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
FORMATS = ("text", "json")


class _RequestFields(logging.Filter):
    """Which request a line is about: method, route, and the id nginx gives
    it (X-Request-ID), so a line can be found in the proxy's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.method = request.method
            record.path = request.path
            record.request_id = request.headers.get("X-Request-ID", "")
        return True


def configure(log_format: str, process: str) -> None:
    """Send the root logger's records to stderr in the chosen format; every
    logger (the app's, gunicorn's error log, APScheduler's) goes through it."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"component": process},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT.format(process=process)))
    handler.addFilter(_RequestFields())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_techniekpoort", False)]:
        root.removeHandler(old)
    handler._techniekpoort = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    if app.config["LOG_FORMAT"] == "json":
        configure("json", "web")
        # Flask's own handler would print each record a second time, as text.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)
