"""Celery application: configured from Django settings (the CELERY_ namespace), tasks autodiscovered.
The worker and beat log through Django's LOGGING (API keys redacted), not handlers of their own."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tally")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """A receiver of `setup_logging` stops Celery from replacing the root logger's handlers with its
    own (which would not redact keys): the worker logs as the web processes do."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
