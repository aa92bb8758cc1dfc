from django.contrib.auth import views as auth_views
from django.urls import path

from bench.peer.approvals import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view()),
    path("objects/<int:pk>/", views.detail, name="item_detail"),
    path("objects/<int:pk>/approve/", views.approve),
]
