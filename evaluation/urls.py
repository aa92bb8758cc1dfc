from django.urls import path

from evaluation import views

urlpatterns = [
    path("", views.meeting_list, name="unit_meeting_list"),
    path("new/", views.meeting_create, name="unit_meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="unit_meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="unit_meeting_edit"),
    path("<int:pk>/minutes.pdf", views.meeting_minutes, name="unit_meeting_minutes"),
]
