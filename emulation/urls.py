from django.urls import path

from emulation import views

urlpatterns = [
    path("movements/", views.movement_list, name="movement_list"),
    path("movements/new/", views.movement_launch, name="movement_launch"),
    path("movements/<int:pk>/", views.movement_detail, name="movement_detail"),
    path("movements/<int:pk>/plan/", views.movement_plan, name="movement_plan"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/export.xlsx", views.registration_export, name="registration_export"),
    path(
        "registrations/units/<int:unit_id>/new/",
        views.registration_create,
        name="registration_create",
    ),
    path(
        "registrations/<int:pk>/withdraw/",
        views.registration_withdraw,
        name="registration_withdraw",
    ),
]
