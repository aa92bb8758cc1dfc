from django.urls import path

from decisions import document_views

urlpatterns = [
    path(
        "decisions/<int:pk>/certificates.pdf",
        document_views.decision_certificates,
        name="decision_certificates",
    ),
    path("dossiers/<int:pk>/cover.pdf", document_views.dossier_cover_sheet, name="dossier_cover"),
]
