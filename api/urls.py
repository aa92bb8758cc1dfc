"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import dossiers, meta

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
