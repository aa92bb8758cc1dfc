"""Exports of the audit trail, included under /audit/ before the trail pages' own URLs."""

from django.urls import path

from auditing import export_views

urlpatterns = [
    path("export.csv", export_views.export_csv, name="audit_export_csv"),
    path("export.jsonl", export_views.export_jsonl, name="audit_export_jsonl"),
    path("export.pdf", export_views.export_pdf, name="audit_export_pdf"),
]
