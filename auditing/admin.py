"""The anomaly thresholds in the admin; each change is audited."""

from django import forms
from django.contrib import admin
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from auditing.anomalies import save_rules
from auditing.models import AnomalyRules
from dossiers.client import client_address
from dossiers.roles import administrator


class AnomalyRulesForm(forms.ModelForm):
    weekend_days = forms.TypedMultipleChoiceField(
        label=_("days off"),
        choices=[(number, WEEKDAYS[number - 1]) for number in range(1, 8)],  # ISO numbering
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AnomalyRules
        fields = [
            "institution", "min_days_submit_to_sign", "max_returns", "workday_start",
            "workday_end", "weekend_days",
        ]  # fmt: skip


@admin.register(AnomalyRules)
class AnomalyRulesAdmin(admin.ModelAdmin):
    """Thresholds of the auditor's anomaly hints; each change is audited."""

    form = AnomalyRulesForm
    list_display = ["institution", "min_days_submit_to_sign", "max_returns", "workday_start",
                    "workday_end"]  # fmt: skip
    list_select_related = ["institution"]
    actions = None  # deleting would silently restore the defaults

    def get_readonly_fields(self, request, obj=None):
        return ["institution"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        save_rules(obj, actor=administrator(request.user, client_address(request)))
