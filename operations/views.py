"""/healthz: for a load balancer or a monitor; no login, no personal data."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from operations import health


@never_cache
@require_safe
def healthz(request):
    """200 with every check when healthy; 503 naming the checks that failed."""
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)
