from django.urls import path

from workflow import inbox_views, undelivered

urlpatterns = [
    path("", inbox_views.inbox_page, name="inbox"),
    path("<int:task_id>/take/", inbox_views.take, name="task_take"),
    path("<int:task_id>/release/", inbox_views.release, name="task_release"),
    path("<int:task_id>/reassign/", inbox_views.reassign, name="task_reassign"),
    path("undelivered/", undelivered.undelivered_page, name="undelivered"),
    path("undelivered/<int:pk>/retry/", undelivered.retry, name="undelivered_retry"),
]
