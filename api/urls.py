"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import dossiers, meta, problems

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("problems/", meta.ProblemTypes.as_view(), name="api_problems"),
    path("problems/<slug:code>", meta.ProblemTypeDetail.as_view(), name="api_problem"),
    path("dossiers/", dossiers.DossierList.as_view(), name="api_dossiers"),
    path("dossiers/transitions/", dossiers.BulkTransitionView.as_view()),
    path("dossiers/<int:pk>/", dossiers.DossierDetail.as_view(), name="api_dossier"),
    path("dossiers/<int:pk>/transitions/", dossiers.TransitionView.as_view()),
    path("dossiers/<int:pk>/history/", dossiers.HistoryView.as_view()),
    path("dossiers/<int:pk>/documents/", dossiers.DocumentList.as_view()),
    path("dossiers/<int:pk>/documents/<int:document_id>/", dossiers.DocumentDetail.as_view()),
    path("dossiers/<int:pk>/documents/<int:document_id>/file/", dossiers.DocumentFile.as_view()),
    # Last: any other path under /api/v1/ is a problem too, never the site's HTML 404 page.
    re_path(r"^.*$", problems.unknown_path),
]
