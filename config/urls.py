from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from api import meta as api_meta
from decisions import views as decision_views
from dossiers import views as dossier_views
from operations import views as operations_views

urlpatterns = [
    path("", dossier_views.home, name="home"),
    path("dossiers/", include("dossiers.urls")),
    path("tasks/", include("workflow.urls")),
    path("delegations/", include("dossiers.delegation_urls")),
    path("meetings/", include("council.urls")),
    path("unit-meetings/", include("evaluation.urls")),
    path("notices/", include("decisions.notice_urls")),
    path("decisions/", include("decisions.urls")),
    path("spreadsheets/", include("spreadsheets.urls")),
    path("audit/", include("auditing.export_urls")),
    path("audit/", include("auditing.urls")),
    path("audit/", include("auditing.integrity_urls")),
    path("documents/", include("decisions.document_urls")),
    path("", include("emulation.urls")),
    path("statistics/", include("fairness.urls")),
    path("verify/", decision_views.verify_decision, name="verify_decision"),
    path(
        "verify/checkpoints/<int:pk>.json", decision_views.checkpoint_file, name="checkpoint_file"
    ),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("signin.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/tokens/", include("api.token_urls")),
    path("api/v1/", include("api.urls")),
    re_path(r"^api/v1/", api_meta.UnknownPath.as_view()),  # problem details, not an HTML page
    path("admin/", admin.site.urls),
    path("healthz", operations_views.healthz, name="healthz"),
]
