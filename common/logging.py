"""Logging filter that keeps API keys out of every log line (Django's, Celery's and gunicorn's: see
common/gunicorn_logging.py)."""

import logging
import re

# `key` as a query string may spell it: each letter literal or percent-encoded (`k%65y`,
# `%6B%65%79`), which Django decodes to `key`. Letter case and hex case are free (IGNORECASE),
# which also catches `%4B` (K), `%45` (E), `%59` (Y) and an encoded `=` (%3D).
_KEY_NAME = r"(?:k|%[46]b)(?:e|%[46]5)(?:y|%[57]9)"
_KEY_PATTERNS = [
    (re.compile(rf"([?&]{_KEY_NAME}(?:=|%3d))[^&\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE), r"\1[redacted]"),
]


def redact_api_keys(text: str) -> str:
    """`text` with the values of `?key=` / `&key=` (any spelling of `key`) and Bearer and Basic
    credentials replaced by `[redacted]`."""
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
