from django.urls import path

from decisions import notice_views as views

urlpatterns = [
    path("", views.notice_board, name="notice_board"),
    path("<int:notice_id>/objections/", views.objection_file, name="notice_object"),
    path("objections/", views.objection_list, name="notice_objections"),
    path(
        "objections/<int:objection_id>/resolve/",
        views.objection_resolve,
        name="notice_objection_resolve",
    ),
    path("publish/", views.publish, name="notice_publish"),
    path("upward/", views.submit_upward, name="notice_upward"),
    path("memos/<int:pk>.pdf", views.memo_pdf, name="notice_memo_pdf"),
    path("outcome/<int:dossier_id>/", views.record_outcome, name="notice_outcome"),
]
