"""The administrator's side: each institution's sign-in policy, and removing a person's
authenticator app when they lost it (both audited). Unlocking a locked account is django-axes'
admin ("Access attempts": delete the account's row) or `manage.py axes_reset_username`."""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from dossiers.roles import administrator
from dossiers.views import client_address
from signin import second_factor
from signin.models import SignInPolicy


@admin.register(SignInPolicy)
class SignInPolicyAdmin(admin.ModelAdmin):
    list_display = ["institution", "two_factor_required"]
    list_select_related = ["institution"]

    def get_readonly_fields(self, request, obj=None):
        return ["institution"] if obj else []

    def save_model(self, request, obj, form, change):
        second_factor.save_policy(obj, actor=_actor(request))

    def has_delete_permission(self, request, obj=None):
        return False  # untick the requirement instead: the change is audited


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAppAdmin(TOTPDeviceAdmin):
    """Read and remove only: a secret is set up by its person, who alone sees it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        second_factor.remove_device(obj, actor=_actor(request))

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            second_factor.remove_device(device, actor=_actor(request))


def _actor(request):
    return administrator(request.user, client_address(request))
