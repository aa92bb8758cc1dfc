"""/api/tokens/: the page of a person's personal API tokens (the API itself is /api/v1/)."""

from django.urls import path

from api import token_views as views

urlpatterns = [
    path("", views.token_list, name="api_tokens"),
    path("<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
