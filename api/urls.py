"""/api/v1/: the JSON API (README, "API"). Each area adds its paths here; any other path under
/api/v1/ answers problem details (config/urls.py, api.meta.UnknownPath)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import council, delegations, dossiers, meta, records

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
]
