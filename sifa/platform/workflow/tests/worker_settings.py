"""Settings for the Celery worker subprocesses of test_worker_redis.py (never used elsewhere).

The broker URL comes from SIFA_BROKER_URL as usual. What differs from the test settings:

* a short Redis visibility timeout, swept every second, so a message left unacknowledged by a
  worker killed with SIGKILL is redelivered within seconds instead of the production hour;
* only the platform apps: the test is about the job machinery, not about the domain apps.
"""

import os

from sifa.config.test_settings import *  # noqa: F403
from sifa.config.test_settings import INSTALLED_APPS

INSTALLED_APPS = [
    app for app in INSTALLED_APPS if not app.startswith("sifa.") or app.startswith("sifa.platform.")
]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("SIFA_BROKER_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = "sifa-worker-test"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
