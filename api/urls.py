"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here; any other path under
/api/v1/ answers problem details (config/urls.py, api.meta.UnknownPath)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import (
    council,
    decisions,
    delegations,
    dossiers,
    meta,
    notices,
    records,
    upward,
    verification,
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
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
    # Council meetings and ballots (api/council.py)
    path("meetings/", council.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>/", council.MeetingDetail.as_view(), name="api_meeting"),
    path("meetings/<int:pk>/agenda/", council.AgendaView.as_view()),
    path("meetings/<int:pk>/agenda/candidates/", council.AgendaCandidates.as_view()),
    path("meetings/<int:pk>/attendance/", council.AttendanceView.as_view()),
    path("meetings/<int:pk>/open/", council.OpenView.as_view()),
    path("meetings/<int:pk>/close/", council.CloseView.as_view()),
    path("meetings/<int:pk>/ballot/", council.BallotView.as_view()),
    path("meetings/<int:pk>/written-ballots/", council.WrittenBallotView.as_view()),
    path("meetings/<int:pk>/minutes/", council.MinutesView.as_view()),
    # The institution's reference data, its staff and their ratings; delegations
    path("units/", records.UnitList.as_view()),
    path("units/<int:pk>/", records.UnitDetail.as_view()),
    path("people/", records.PersonList.as_view()),
    path("people/<int:pk>/", records.PersonDetail.as_view()),
    path("people/<int:pk>/ratings/", records.RatingList.as_view()),
    path("people/<int:pk>/ratings/<int:rating_id>/", records.RatingDetail.as_view()),
    path("award-types/", records.AwardTypeList.as_view()),
    path("award-types/<int:pk>/", records.AwardTypeDetail.as_view()),
    path("periods/", records.PeriodList.as_view()),
    path("periods/<int:pk>/", records.PeriodDetail.as_view()),
    path("delegations/", delegations.DelegationList.as_view()),
    path("delegations/<int:pk>/", delegations.DelegationDetail.as_view()),
    path("delegations/<int:pk>/end/", delegations.DelegationEnd.as_view()),
    # Decisions, public notices and objections, proposals upward (decisions/*).
    path("decisions/", decisions.DecisionList.as_view(), name="api_decisions"),
    path("decisions/verify/", verification.VerifyDecision.as_view(), name="api_verify_decision"),
    path("decisions/<int:pk>/", decisions.DecisionDetail.as_view(), name="api_decision"),
    path("decisions/<int:pk>/pdf/", decisions.DecisionPdf.as_view()),
    path("decisions/<int:pk>/certificates/", decisions.DecisionCertificates.as_view()),
    path("decisions/<int:pk>/remove/", decisions.RemoveItem.as_view()),
    path("decisions/<int:pk>/sign/", decisions.SignDecision.as_view()),
    path("decisions/<int:pk>/prepare-signing/", decisions.PrepareSigning.as_view()),
    path("decisions/<int:pk>/complete-signing/", decisions.CompleteSigning.as_view()),
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

# The auditor's workspace (api.audit).
from api import audit  # noqa: E402

urlpatterns += [
    path("audit/events/", audit.EventList.as_view(), name="api_audit_events"),
    path("audit/events/<int:sequence>/", audit.EventDetail.as_view()),
    path("audit/exports/csv/", audit.CsvExport.as_view()),
    path("audit/exports/jsonl/", audit.JsonLinesExport.as_view()),
    path("audit/exports/pdf/", audit.PdfExport.as_view()),
    path("audit/verify/", audit.Verification.as_view()),
    path("audit/checks/", audit.CheckList.as_view()),
    path("audit/checks/<int:pk>/", audit.CheckDetail.as_view()),
    path("audit/dossiers/<int:pk>/", audit.DossierStory.as_view()),
]

# The inbox and the undelivered messages (api.tasks).
from api import tasks  # noqa: E402

urlpatterns += [
    path("tasks/", tasks.TaskList.as_view(), name="api_tasks"),
    path("tasks/undelivered/", tasks.UndeliveredList.as_view()),
    path("tasks/undelivered/<int:pk>/retry/", tasks.RetryUndelivered.as_view()),
    path("tasks/<int:task_id>/take/", tasks.TakeTask.as_view()),
    path("tasks/<int:task_id>/release/", tasks.ReleaseTask.as_view()),
    path("tasks/<int:task_id>/reassign/", tasks.ReassignTask.as_view()),
    path("tasks/<int:task_id>/candidates/", tasks.TaskCandidates.as_view()),
]
