from django.urls import path

from workflow.decisions import views

urlpatterns = [
    path("<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
]
