from django.urls import path

from decisions import views

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("new/", views.decision_new, name="decision_new"),
    path("<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<int:pk>/preview.pdf", views.decision_preview, name="decision_preview"),
    path("<int:pk>/sign/", views.decision_sign, name="decision_sign"),
    path("<int:pk>/remove/", views.decision_remove_item, name="decision_remove_item"),
    path("<int:pk>/revoke/", views.decision_revoke, name="decision_revoke"),
    path("<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
]
