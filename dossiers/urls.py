from django.urls import path

from dossiers import views
from workflow import views as workflow_views

urlpatterns = [
    path("", views.dossier_list, name="dossier_list"),
    path("new/", views.dossier_create, name="dossier_create"),
    path("rules/", views.rules_preview, name="rules_preview"),
    path("<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("<int:pk>/edit/", views.dossier_edit, name="dossier_edit"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<int:pk>/documents/<int:document_id>/remove/",
        views.document_remove,
        name="document_remove",
    ),
    path("<int:pk>/act/<slug:action>/", workflow_views.act, name="dossier_act"),
    path("<int:pk>/flow/", workflow_views.dossier_flow, name="dossier_flow"),
]
