from django.urls import path

from spreadsheets import views

urlpatterns = [
    path("import/", views.import_page, name="spreadsheet_import"),
    path("import/confirm/", views.import_confirm, name="spreadsheet_import_confirm"),
    path("import/cancel/", views.import_cancel, name="spreadsheet_import_cancel"),
    path("<slug:kind>/template.xlsx", views.template, name="spreadsheet_template"),
    path("<slug:kind>/export.xlsx", views.export, name="spreadsheet_export"),
    path("nominees.xlsx", views.nominees, name="spreadsheet_nominees"),
    path("meetings/<int:pk>/agenda.xlsx", views.agenda, name="spreadsheet_agenda"),
    path("decisions/<int:pk>/annex.xlsx", views.annex, name="spreadsheet_annex"),
]
