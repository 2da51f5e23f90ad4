"""gunicorn settings, read from the working directory by `gunicorn config.wsgi`. Access lines (off
unless `--access-logfile` is given) show the path without its query string: the Ticketing
surface's `?key=` is an API key and is never logged."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
