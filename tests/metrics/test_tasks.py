"""The nightly rebuild is on the beat schedule the Celery app runs."""

from celery.schedules import crontab

from config.celery_app import app
from metrics import tasks


def test_the_nightly_rebuild_is_on_the_beat_schedule():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "metrics.tasks.rebuild_all_organizations"]
    assert len(entries) == 1
    assert isinstance(entries[0]["schedule"], crontab)
    assert entries[0]["task"] in app.tasks and entries[0]["task"] == tasks.rebuild_all_organizations.name
