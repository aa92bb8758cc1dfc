"""The signing certificates, as the IT officer checks them: read-only, archived instead of
deleted (signed decisions and the trail name them). Registering is `manage.py
signing_credential add`, which reads the certificate from the key itself."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from decisions import credentials
from decisions.models import SigningCredential
from dossiers.client import client_address
from dossiers.roles import administrator


@admin.register(SigningCredential)
class SigningCredentialAdmin(admin.ModelAdmin):
    list_display = ["person", "label", "kind", "subject_name", "not_after", "archived_at"]
    list_filter = ["institution", "kind", "archived_at"]
    list_select_related = ["person", "institution"]
    search_fields = ["person__full_name", "subject_name", "fingerprint"]
    readonly_fields = [f.name for f in SigningCredential._meta.fields]
    actions = ["archive"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Archive: it no longer signs"))
    def archive(self, request, queryset):
        actor = administrator(request.user, client_address(request))
        active = list(
            queryset.filter(archived_at__isnull=True).select_related("person__institution")
        )
        for credential in active:
            credentials.archive(credential, actor=actor)
        self.message_user(
            request, gettext("%(count)d certificate(s) archived.") % {"count": len(active)},
            messages.SUCCESS,
        )  # fmt: skip
