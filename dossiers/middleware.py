"""Attach the signed-in person and their institution to each request."""

from django.utils import translation

from dossiers.models import Person


class CurrentPersonMiddleware:
    """`request.person` and `request.institution` are what every view scopes its queries by.

    A user without a person record (e.g. an IT administrator) has neither, and sees no
    institution's data outside the admin.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.person = None
        request.institution = None
        if request.user.is_authenticated:
            request.person = _person_of(request.user)
            if request.person:
                request.person.user = request.user  # the same account: no query to reach it
                request.institution = request.person.institution
                request.user.current_person = request.person
                self._use_person_language(request)
        return self.get_response(request)

    @staticmethod
    def _use_person_language(request) -> None:
        """The person's preferred language, unless they chose one in this browser."""
        from django.conf import settings

        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        language = request.person.language
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language


def _person_of(user) -> Person | None:
    """The account's person: already read with it (dossiers.backends), else one query."""
    try:
        return user.person
    except Person.DoesNotExist:
        return None


class NoStoreMiddleware:
    """Pages and downloads a signed-in person sees hold personal data: no browser or proxy
    keeps a copy (Cache-Control: no-store), whatever the view said."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # None under the API's token authentication
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
