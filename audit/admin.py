from django.contrib import admin

from audit.models import AuditEvent
from dossiers.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "sequence",
        "created_at",
        "institution",
        "action",
        "object_type",
        "object_id",
        "actor_name",
        "role",
        "from_state",
        "to_state",
    ]
    list_filter = ["institution", "action", "object_type"]
    list_select_related = ["institution"]
    search_fields = ["reason", "actor_name", "object_id"]
    ordering = ["-institution_id", "-sequence"]
