"""Where a request comes from, as the trail records it.

Behind reverse proxies (NUM_PROXIES of them, e.g. nginx), REMOTE_ADDR is the last proxy's: the
client is then the address the outermost of our proxies saw, NUM_PROXIES from the end of
X-Forwarded-For. Without proxies configured the header is never read: a client could write it.
"""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))][:45]
    return request.META.get("REMOTE_ADDR", "")
