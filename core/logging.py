"""Logging filters."""

import logging


class NoTracebackForClientErrors(logging.Filter):
    """Django logs a refused request (PermissionDenied, Http404) with the exception attached, which prints a
    traceback for what is an ordinary answer. Keep the one-line warning; drop the traceback below 500."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
