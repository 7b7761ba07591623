"""Settings for the test suite: fast hashing, tasks run in process, mail kept in memory."""

import os
from pathlib import Path

os.environ.setdefault("RAPPORT_HTTPS", "false")

from rapport.config.settings import *  # noqa: F403
from rapport.config.settings import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = Path(os.environ.get("RAPPORT_TEST_MEDIA", "/tmp/rapport-test-media"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
DATABASES["default"]["CONN_MAX_AGE"] = 0
LANGUAGE_CODE = "en"
# whitenoise warns when the collected-static folder is missing; tests serve from the finders.
STATIC_ROOT = Path(os.environ.get("RAPPORT_TEST_STATIC", "/tmp/rapport-test-static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Built once for every test run and worker (a lock makes the others wait), kept between runs.
RAPPORT_FONT_CACHE = Path(os.environ.get("RAPPORT_TEST_FONT_CACHE", "/tmp/rapport-test-fonts"))
