from django.urls import path

from fairness import views

urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path("<slug:key>.csv", views.download, {"kind": "csv"}, name="statistics_csv"),
    path("<slug:key>.xlsx", views.download, {"kind": "xlsx"}, name="statistics_xlsx"),
]
