"""System check: the ballot key store can be reached, before a vote opens on it."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from council.keystore import STORES


@checks.register()
def the_ballot_key_store_is_configured(app_configs=None, **kwargs) -> list:
    """A store that cannot be built would refuse the secretary's "open the vote" with an error
    page; said at start-up instead."""
    name = settings.BALLOT_KEY_STORE
    if name == "redis" and not settings.BALLOT_KEY_REDIS_URL:
        problem = "BALLOT_KEY_STORE=redis without BALLOT_KEY_REDIS_URL"
    elif name in STORES:
        return []
    else:
        try:
            import_string(name)
            return []
        except ImportError as error:
            problem = f"BALLOT_KEY_STORE={name!r} names no class ({error})"
    return [
        checks.Error(
            f"Ballot keys have nowhere to go: {problem}.",
            hint='Use "file" on one server; with several, "redis" and BALLOT_KEY_REDIS_URL.',
            id="council.E001",
        )
    ]
