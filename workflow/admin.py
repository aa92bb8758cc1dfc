"""Separation-of-duties rules in the admin: each change goes through the service, audited."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dossiers.client import client_address
from dossiers.roles import administrator
from workflow import separation
from workflow.models import SeparationRule


class SeparationRuleForm(forms.ModelForm):
    rule = forms.ChoiceField(
        label=_("rule"), choices=[(code, rule.title) for code, rule in separation.RULES.items()]
    )

    class Meta:
        model = SeparationRule
        fields = ["institution", "rule", "mode", "basis"]


@admin.register(SeparationRule)
class SeparationRuleAdmin(admin.ModelAdmin):
    """How each institution applies each rule; a rule without a row applies its default."""

    form = SeparationRuleForm
    list_display = ["institution", "rule_title", "mode", "updated_at"]
    list_filter = ["institution", "mode"]
    list_select_related = ["institution"]
    actions = None  # deleting would silently restore the default

    @admin.display(description=_("rule"))
    def rule_title(self, obj):
        rule = separation.RULES.get(obj.rule)
        return rule.title if rule else obj.rule

    def get_readonly_fields(self, request, obj=None):
        return ["institution", "rule"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = separation.save_rule(
            institution=obj.institution, rule=obj.rule, mode=obj.mode, basis=obj.basis,
            actor=administrator(request.user, client_address(request)),
        )  # fmt: skip
        obj.pk = saved.pk
