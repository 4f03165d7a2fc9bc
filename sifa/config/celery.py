"""The Celery app. Broker from SIFA_BROKER_URL (Redis/RabbitMQ in production; a local SQLite broker
through kombu's SQLAlchemy transport on the embedded default)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sifa.config.settings")

app = Celery("sifa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
