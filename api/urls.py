"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import decisions, dossiers, meta, verification

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
    # Decisions, and the public check of a decision PDF (decisions/*).
    path("decisions/", decisions.DecisionList.as_view(), name="api_decisions"),
    path("decisions/verify/", verification.VerifyDecision.as_view(), name="api_verify_decision"),
    path("decisions/<int:pk>/", decisions.DecisionDetail.as_view(), name="api_decision"),
    path("decisions/<int:pk>/pdf/", decisions.DecisionPdf.as_view()),
    path("decisions/<int:pk>/certificates/", decisions.DecisionCertificates.as_view()),
    path("decisions/<int:pk>/remove/", decisions.RemoveItem.as_view()),
    path("decisions/<int:pk>/sign/", decisions.SignDecision.as_view()),
    path("decisions/<int:pk>/revocations/", decisions.Revocations.as_view()),
    path("dossiers/<int:pk>/cover/", decisions.CoverSheet.as_view()),
]
