from django.urls import path

from spreadsheets import views

app_name = "spreadsheets"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/cancel/", views.import_cancel, name="import_cancel"),
    path("<slug:kind>/template.xlsx", views.template, name="template"),
    path("<slug:kind>/export.xlsx", views.export, name="export"),
    path("nominees.xlsx", views.nominees, name="nominees"),
    path("meetings/<int:pk>/agenda.xlsx", views.agenda, name="agenda"),
    path("decisions/<int:pk>/annex.xlsx", views.annex, name="annex"),
]
