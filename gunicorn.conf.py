"""gunicorn settings, read from the working directory by `gunicorn config.wsgi`. Access lines (off
unless `--access-logfile` is given) show the path without its query string: the Ticketing
surface's `?key=` is an API key and is never logged. The logger class redacts keys from whatever
else gunicorn logs (a malformed request line is written whole to the error log)."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
logger_class = "common.gunicorn_logging.RedactingLogger"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set (several workers; docs/operations.md), drop a dead
    worker's live gauges from /metrics."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
