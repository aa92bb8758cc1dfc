from django.urls import path

from auditing import integrity_views as views

urlpatterns = [
    path("integrity/", views.integrity_panel, name="integrity_panel"),
    path("integrity/run/", views.integrity_request, name="integrity_request"),
    path("integrity/<int:pk>/", views.integrity_detail, name="integrity_detail"),
    path("anomalies/", views.anomaly_hints, name="anomaly_hints"),
]
