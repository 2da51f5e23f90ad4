"""Logging filter that keeps API keys out of every log line (Django's, Celery's and gunicorn's: see
common/gunicorn_logging.py)."""

import logging
import re


def _any_spelling(name: str) -> str:
    """A query parameter's name as a query string may spell it: each letter literal or
    percent-encoded (`k%65y`, `%6B%65%79`), which Django decodes to the name. Letter case and hex
    case are free (IGNORECASE covers `%4B` for K as well as `%6b` for k)."""
    return "".join(f"(?:{re.escape(c)}|%(?:{ord(c.lower()):02x}|{ord(c.upper()):02x}))" for c in name)


# `key` (API and instance keys) and `secret` (a Jira Data Center webhook's shared secret).
_SECRET_NAMES = "|".join(_any_spelling(name) for name in ("key", "secret"))
_KEY_PATTERNS = [
    (re.compile(rf"([?&](?:{_SECRET_NAMES})(?:=|%3d))[^&\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE), r"\1[redacted]"),
]


def redact_api_keys(text: str) -> str:
    """`text` with the values of `?key=` / `&key=` and `?secret=` (any spelling of the names) and
    Bearer and Basic credentials replaced by `[redacted]`."""
    for pattern, replacement in _KEY_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactApiKeysFilter(logging.Filter):
    """Rewrites a record whose message carries a key, through `redact_api_keys`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redacts the formatted message in place; never drops the record."""
        message = record.getMessage()
        redacted = redact_api_keys(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
