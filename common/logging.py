"""Logging filter that keeps API keys out of every log line."""

import logging
import re

_KEY_PATTERNS = [
    (re.compile(r"([?&]key=)[^&\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(Basic\s+)[A-Za-z0-9+/=]+", re.IGNORECASE), r"\1[redacted]"),
]


def redact_api_keys(text: str) -> str:
    for pattern, replacement in _KEY_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactApiKeysFilter(logging.Filter):
    """Rewrites `?key=...` query strings and `Bearer ...` credentials in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_api_keys(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
