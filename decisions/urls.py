from django.urls import path

from decisions import views

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("new/", views.decision_new, name="decision_new"),
    path("<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<int:pk>/preview.pdf", views.decision_preview, name="decision_preview"),
    path("<int:pk>/sign/", views.decision_sign, name="decision_sign"),
    path(
        "<int:pk>/prepare-signing/", views.decision_prepare_signing, name="decision_prepare_signing"
    ),
    path("<int:pk>/prepared.pdf", views.decision_prepared_pdf, name="decision_prepared_pdf"),
    path(
        "<int:pk>/signing-request.json",
        views.decision_signing_request,
        name="decision_signing_request",
    ),
    path(
        "<int:pk>/complete-signing/",
        views.decision_complete_signing,
        name="decision_complete_signing",
    ),
    path("<int:pk>/remove/", views.decision_remove_item, name="decision_remove_item"),
    path("<int:pk>/revoke/", views.decision_revoke, name="decision_revoke"),
    path("<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
]
