"""Pages of the organisation: the signed-in person's home."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dossiers.selectors import roles_of


@login_required
def home(request):
    """Who you are, what you may do, and (as the workflow grows) what waits for you."""
    return render(
        request,
        "dossiers/home.html",
        {"person": request.person, "roles": roles_of(request.person)},
    )
