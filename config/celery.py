"""The Celery application; tasks run in-process when CELERY_BROKER_URL is unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("thiduakhenthuong")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app keeps its Celery tasks in `background.py` (workflow/, auditing/).
app.autodiscover_tasks(related_name="background")
