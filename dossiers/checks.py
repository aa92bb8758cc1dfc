"""Deploy check (`manage.py check --deploy`): what every web process must share."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def the_cache_is_shared(app_configs=None, **kwargs) -> list:
    """API throttles and rendered PDFs live in the default cache: kept in each process's memory,
    every gunicorn worker (and every server) counts and renders on its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        checks.Warning(
            f"The cache is {backend.rsplit('.', 1)[-1]}: each process keeps its own, so rate "
            "limits count per process and PDFs are rendered again by each.",
            hint="Set CACHE_URL to a Redis URL that every web server shares.",
            id="dossiers.W001",
        )
    ]
