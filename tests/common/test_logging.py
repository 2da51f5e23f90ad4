import logging

from common.logging import RedactApiKeysFilter, redact_api_keys


def test_query_string_keys_and_bearer_tokens_are_redacted():
    line = "GET /ticketing/v1/tickets?key=abcd1234.secret&limit=5 Authorization: Bearer abcd1234.secret"
    assert redact_api_keys(line) == "GET /ticketing/v1/tickets?key=[redacted]&limit=5 Authorization: Bearer [redacted]"


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s', ("GET /x?key=s3cr3t", 200), None)
    assert RedactApiKeysFilter().filter(record)
    assert record.getMessage() == '"GET /x?key=[redacted]" 200'
