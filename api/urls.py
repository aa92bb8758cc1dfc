"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import decisions, dossiers, meta, notices, upward, verification

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
    # Decisions, public notices and objections, proposals upward (decisions/*).
    path("decisions/", decisions.DecisionList.as_view(), name="api_decisions"),
    path("decisions/verify/", verification.VerifyDecision.as_view(), name="api_verify_decision"),
    path("decisions/<int:pk>/", decisions.DecisionDetail.as_view(), name="api_decision"),
    path("decisions/<int:pk>/pdf/", decisions.DecisionPdf.as_view()),
    path("decisions/<int:pk>/certificates/", decisions.DecisionCertificates.as_view()),
    path("decisions/<int:pk>/remove/", decisions.RemoveItem.as_view()),
    path("decisions/<int:pk>/sign/", decisions.SignDecision.as_view()),
    path("decisions/<int:pk>/revocations/", decisions.Revocations.as_view()),
    path("dossiers/<int:pk>/cover/", decisions.CoverSheet.as_view()),
    path("dossiers/<int:pk>/outcome/", upward.RecordOutcome.as_view()),
    path("notices/", notices.NoticeList.as_view(), name="api_notices"),
    path("notices/publishable/", notices.Publishable.as_view()),
    path("notices/<int:pk>/objections/", notices.FileObjection.as_view()),
    path("objections/", notices.ObjectionList.as_view(), name="api_objections"),
    path("objections/mine/", notices.OwnObjections.as_view()),
    path("objections/<int:pk>/resolve/", notices.ResolveObjection.as_view()),
    path("upward/", upward.Submit.as_view(), name="api_upward"),
    path("upward/proposable/", upward.Proposable.as_view()),
    path("upward/awaiting/", upward.Awaiting.as_view()),
    path("upward/memos/", upward.MemoList.as_view()),
    path("upward/memos/<int:pk>/", upward.MemoDetail.as_view()),
    path("upward/memos/<int:pk>/pdf/", upward.MemoPdf.as_view()),
]
