from django.urls import path

from council import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/open/", views.meeting_open, name="meeting_open"),
    path("<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/written-ballot/", views.written_ballot, name="meeting_written_ballot"),
    path("<int:pk>/ballot/", views.ballot, name="meeting_ballot"),
    path("<int:pk>/results/", views.meeting_results, name="meeting_results"),
    path("<int:pk>/minutes.pdf", views.meeting_minutes, name="meeting_minutes"),
]
