import logging
import re
import runpy
from logging.config import dictConfig

import pytest
from django.conf import settings
from django.http import QueryDict

from common.logging import RedactApiKeysFilter, redact_api_keys


def test_query_string_keys_and_bearer_tokens_are_redacted():
    line = "GET /ticketing/v1/tickets?key=abcd1234.secret&limit=5 Authorization: Bearer abcd1234.secret"
    assert redact_api_keys(line) == "GET /ticketing/v1/tickets?key=[redacted]&limit=5 Authorization: Bearer [redacted]"


@pytest.mark.parametrize(
    "name", ["KEY", "Key", "k%65y", "K%45Y", "%6B%65%79", "%6b%45%59", "%4B%45%59", "%4b%65%79", "ke%79", "%6BeY"]
)
@pytest.mark.parametrize("separator", ["?", "&"])
def test_any_spelling_of_key_that_a_query_string_decodes_to_is_redacted(name, separator):
    query = "?" if separator == "?" else "?limit=5&"
    line = f"GET /ticketing/v1/tickets{query}{name}=abcd1234.s3cr3t&x=1 HTTP/1.1"
    assert redact_api_keys(line) == f"GET /ticketing/v1/tickets{query}{name}=[redacted]&x=1 HTTP/1.1"


@pytest.mark.parametrize("name", ["k%65y", "%6B%65%79", "%6b%65%79"])
def test_django_reads_those_spellings_as_the_key_parameter(name):
    assert QueryDict(f"{name}=abcd1234.s3cr3t").get("key") == "abcd1234.s3cr3t"


@pytest.mark.parametrize("name", ["secret", "SECRET", "s%65cret", "%73%65%63%72%65%74"])
def test_a_webhook_secret_in_the_query_string_is_redacted(name):
    line = f"POST /connectors/jira/1/webhook?{name}=w3bh00k HTTP/1.1"
    assert redact_api_keys(line) == f"POST /connectors/jira/1/webhook?{name}=[redacted] HTTP/1.1"
    if name != "SECRET":  # Django's names are case-sensitive; the redaction is not, to be safe
        assert QueryDict(f"{name}=w3bh00k").get("secret") == "w3bh00k"


def test_an_encoded_equals_sign_is_no_way_around_it():
    assert "s3cr3t" not in redact_api_keys("GET /x?k%65y%3Ds3cr3t HTTP/1.1")


@pytest.mark.parametrize(
    "line", ["GET /x?keys=1&monkey=2&key_id=3&secrets=4", "GET /x?k%66y=1&%6B%65%78=2", "no query key=1"]
)
def test_other_parameters_are_left_alone(line):
    assert redact_api_keys(line) == line


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s', ("GET /x?key=s3cr3t", 200), None)
    assert RedactApiKeysFilter().filter(record)
    assert record.getMessage() == '"GET /x?key=[redacted]" 200'


def _emitted(logger_name: str, message: str, *args) -> list[str]:
    """What each handler that a record of `logger_name` reaches would write (after its filters)."""
    logger = logging.getLogger(logger_name)
    record = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, message, args, None)
    lines, current = [], logger
    while current is not None:
        for handler in current.handlers:
            if not isinstance(handler, logging.NullHandler) and handler.filter(record):
                lines.append(handler.format(record))
        current = current.parent if current.propagate else None
    return lines


LOGGERS = ["django.request", "django.server", "django.security.csrf", "celery", "celery.app.trace", "tally.api", ""]


@pytest.mark.parametrize("name", LOGGERS)
def test_every_logger_of_the_configuration_redacts_keys(name):
    lines = _emitted(name, '"%s" %s', "GET /ticketing/v1/tickets?key=abcd1234.s3cr3t HTTP/1.1", "Bearer abcd.s3cr3t")
    assert lines, f"{name or 'root'} reaches no handler"
    for line in lines:
        assert "s3cr3t" not in line
        assert "key=[redacted]" in line and "Bearer [redacted]" in line


def test_the_celery_worker_logs_through_the_django_configuration():
    """Celery replaces the root logger's handlers with its own unless `setup_logging` has a
    receiver: ours applies settings.LOGGING, so the worker's lines are redacted too."""
    from config.celery_app import app

    app.log.already_setup = False
    try:
        app.log.setup_logging_subsystem(loglevel=logging.INFO, colorize=False)
        for name in ("celery.app.trace", "celery.worker", ""):
            lines = _emitted(name, "task failed for %s", "/x?key=s3cr3t")
            assert lines and all("s3cr3t" not in line for line in lines), name
    finally:
        app.log.already_setup = False
        dictConfig(settings.LOGGING)


def test_gunicorn_access_lines_leave_the_query_string_out():
    from gunicorn.config import Config

    config = Config()
    config.set("access_log_format", runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["access_log_format"])
    fields = re.findall(r"%\((\w+)\)s", config.access_log_format)
    assert "U" in fields  # the path
    assert not {"r", "q", "{raw_uri}e"} & set(fields)  # the request line and the query string carry ?key=
