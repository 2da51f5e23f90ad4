"""gunicorn's logger with API keys redacted from its error log and its access log.

gunicorn logs through loggers of its own (`gunicorn.error`, `gunicorn.access`) that do not
propagate to Django's configuration; a malformed request line, for one, is logged whole to the
error log ("Invalid request from ip=...: Invalid HTTP request line: 'GET /...?key=...'"). The
filter sits on the two loggers, so it applies whatever handlers `--error-logfile`,
`--access-logfile` or a `logconfig_dict` give them."""

from gunicorn.glogging import Logger

from common.logging import RedactApiKeysFilter


class RedactingLogger(Logger):
    """gunicorn's Logger, with RedactApiKeysFilter on the error and access loggers."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactApiKeysFilter) for existing in log.filters):
                log.addFilter(RedactApiKeysFilter())
