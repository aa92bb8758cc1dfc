from django.urls import path

from auditing import views

urlpatterns = [
    path("", views.trail_page, name="audit_trail"),
    path("dossiers/<int:pk>/", views.dossier_trail, name="audit_dossier"),
]
