from django.urls import path

from dossiers import delegation_views as views

urlpatterns = [
    path("", views.delegation_list, name="delegation_list"),
    path("new/", views.delegation_create, name="delegation_create"),
    path("<int:pk>/end/", views.delegation_end, name="delegation_end"),
]
