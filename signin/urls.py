from django.urls import path

from signin import views

urlpatterns = [
    path("two-factor/", views.code, name="two_factor_code"),
    path("two-factor/setup/", views.setup, name="two_factor_setup"),
    path("security/", views.security, name="account_security"),
    path("security/log-out-everywhere/", views.log_out_everywhere, name="log_out_everywhere"),
]
