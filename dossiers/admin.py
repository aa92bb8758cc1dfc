"""The administrator's screens for the organisation and the award catalogue."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers import accounts, admin_changes, models
from dossiers.client import client_address
from dossiers.roles import administrator, delete_role_assignment, save_role_assignment
from workflow.errors import DomainError


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "parent_body", "decision_series"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # The code names the institution's audit chain in every hash; it never changes.
        return ["code"] if obj else []


class InstitutionOwnedAdmin(admin.ModelAdmin):
    """Lists filter by institution; a province deployment holds many."""

    list_select_related = ["institution"]

    def get_list_filter(self, request):
        return ["institution", *super().get_list_filter(request)]


@admin.register(models.Unit)
class UnitAdmin(InstitutionOwnedAdmin):
    list_display = ["name", "code", "kind", "is_active", "institution"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


class RoleAssignmentInline(admin.TabularInline):
    model = models.RoleAssignment
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["unit"]
    exclude = ["institution"]


class AuditedRoleChanges:
    """Role changes made in the admin go through the audited service."""

    def _actor(self, request):
        return administrator(request.user, client_address(request))


class RefusedDeletions:
    """Deletion pages list, as protected, whatever `blockers(obj)` says forbids deleting `obj`.

    The admin then shows its "cannot delete" page instead of deleting (or failing with a 500);
    `refusal_hint` tells the administrator what to do instead.
    """

    refusal_hint = ""

    def blockers(self, obj) -> list[str]:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [f"{obj}: {reason}" for obj in objs for reason in self.blockers(obj)]
        if refused and self.refusal_hint:
            messages.warning(request, self.refusal_hint)
        return deleted, counts, perms_needed, [*protected, *refused]

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:  # changed between the confirmation page and the deletion
            messages.error(request, str(error.message))
            return self.response_post_save_change(request, None)


class AuditedChanges(RefusedDeletions, AuditedRoleChanges):
    """Saves and deletions go through dossiers.admin_changes: one audit event per saved object."""

    def save_model(self, request, obj, form, change):
        pass  # saved with its relations in save_related, in one audited step

    def save_related(self, request, form, formsets, change):
        def write():
            form.instance.save()
            super(AuditedChanges, self).save_related(request, form, formsets, change)

        admin_changes.save_object(form.instance, actor=self._actor(request), write=write)

    def delete_model(self, request, obj):
        admin_changes.delete_object(obj, actor=self._actor(request))

    def blockers(self, obj) -> list[str]:
        return admin_changes.blocking_links(obj)


class Deactivation(RefusedDeletions, AuditedRoleChanges):
    """People and accounts with a history are deactivated, never deleted."""

    refusal_hint = _(
        "Whoever has a history is kept: use the action “Deactivate” instead of deleting."
    )
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate (keeps the history)"))
    def deactivate(self, request, queryset):
        for obj in queryset:
            self.deactivate_one(obj, actor=self._actor(request))
        messages.success(request, gettext("Deactivated: %(n)d.") % {"n": len(queryset)})


@admin.register(models.Person)
class PersonAdmin(Deactivation, AuditedChanges, InstitutionOwnedAdmin):
    """A person's fields are audited with their diff, as the personnel officer's API writes are."""

    list_display = ["full_name", "unit", "position", "holds_leadership_post", "user", "is_active"]
    list_filter = ["is_active", "holds_leadership_post", "gender", "unit__kind"]
    readonly_fields = ["is_active"]  # changed by the audited action "Deactivate"
    list_select_related = ["institution", "unit", "user"]
    search_fields = ["full_name", "user__username", "email"]
    autocomplete_fields = ["unit", "user"]
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not models.RoleAssignment:
            return super().save_formset(request, form, formset, change)
        actor = self._actor(request)
        for assignment in formset.save(commit=False):
            assignment.institution_id = form.instance.institution_id
            save_role_assignment(assignment, actor=actor)
        for assignment in formset.deleted_objects:
            delete_role_assignment(assignment, actor=actor)

    def blockers(self, obj) -> list[str]:
        return accounts.history_of_person(obj)

    def deactivate_one(self, obj, *, actor):
        accounts.deactivate_person(obj, actor=actor)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(Deactivation, UserAdmin):
    def blockers(self, obj) -> list[str]:
        return accounts.history_of_user(obj)

    def deactivate_one(self, obj, *, actor):
        accounts.deactivate_user(obj, actor=actor)

    def delete_model(self, request, obj):
        accounts.delete_user(obj, actor=self._actor(request))


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(AuditedRoleChanges, InstitutionOwnedAdmin):
    list_display = ["person", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["institution", "person", "unit"]
    search_fields = ["person__full_name"]
    autocomplete_fields = ["person", "unit"]
    actions = None  # bulk delete would bypass the audited service

    def save_model(self, request, obj, form, change):
        save_role_assignment(obj, actor=self._actor(request))

    def delete_model(self, request, obj):
        delete_role_assignment(obj, actor=self._actor(request))


@admin.register(models.Period)
class PeriodAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "is_current"]


@admin.register(models.LegalBasis)
class LegalBasisAdmin(AuditedChanges, admin.ModelAdmin):
    """Legal texts are cited by decisions: archived, never deleted."""

    list_display = ["code", "title", "valid_from", "valid_to", "is_verified", "archived_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "title"]
    actions = ["archive"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Archive (no longer cited by new decisions)"))
    def archive(self, request, queryset):
        for basis in queryset:
            admin_changes.archive_legal_basis(basis, actor=self._actor(request))
        messages.success(request, gettext("Archived: %(n)d.") % {"n": len(queryset)})


@admin.register(models.DocumentKind)
class DocumentKindAdmin(AuditedChanges, admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(models.ExcellentShareCap)
class ExcellentShareCapAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = ["institution", "percent", "excellent_unit_percent", "excellent_unit_award"]


@admin.register(models.EligibilityRule)
class EligibilityRuleAdmin(AuditedChanges, InstitutionOwnedAdmin):
    """Whether a rule blocks or warns, under which text, while in force: end a version with
    its end date and add the next one, so the history of what applied stays."""

    list_display = ["code", "severity", "legal_basis", "article", "valid_from", "valid_to"]
    list_filter = ["code", "severity"]


@admin.register(models.NominationCap)
class NominationCapAdmin(AuditedChanges, InstitutionOwnedAdmin):
    """A cap the institution sets itself on nominations for an award: warned about, never
    enforced (do not add the repealed "CSTĐCS ≤ 15% of LĐTT" as if it were the law)."""

    list_display = ["name", "award_type", "percent", "is_active", "basis"]


@admin.register(models.HolidayYear)
class HolidayYearAdmin(AuditedChanges, admin.ModelAdmin):
    """A year is marked entered once every day off of its announcement is a calendar day."""

    list_display = ["year", "announcement"]


@admin.register(models.CalendarDay)
class CalendarDayAdmin(AuditedChanges, admin.ModelAdmin):
    list_display = ["date", "kind", "name_vi", "name_en"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name_vi", "name_en"]


@admin.register(models.AwardType)
class AwardTypeAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = [
        "name_vi",
        "code",
        "nominee_kind",
        "decided_by",
        "vote_threshold_comparison",
        "vote_threshold_percent",
        "vote_threshold_base",
        "public_notice_working_days",
        "is_active",
    ]
    list_filter = ["nominee_kind", "decided_by", "category", "is_active"]
    search_fields = ["name_vi", "name_en", "code"]
    filter_horizontal = ["required_document_kinds", "legal_bases", "ad_hoc_document_kinds"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "institution",
                    "code",
                    "name_vi",
                    "name_en",
                    "nominee_kind",
                    "category",
                    "decided_by",
                    "proposed_to",
                    "is_active",
                    "valid_from",
                    "valid_to",
                ]
            },
        ),
        (
            "Vote",
            {
                "fields": [
                    "secret_ballot_required",
                    "vote_threshold_comparison",
                    "vote_threshold_percent",
                    "vote_threshold_base",
                    "quorum_comparison",
                    "quorum_percent",
                ]
            },
        ),
        (
            "Eligibility",
            {
                "fields": [
                    "min_rating",
                    "disqualifying_discipline",
                    "requires_excellence_or_initiative",
                    "prerequisite_award",
                    "prerequisite_consecutive_years",
                    "same_period_award",
                    "min_months_worked",
                    "required_initiative_scope",
                    "member_award",
                    "member_award_min_percent",
                    "member_one_award",
                    "members_min_rating",
                ]
            },
        ),
        (
            "Procedure",
            {"fields": ["public_notice_working_days", "required_document_kinds", "legal_bases"]},
        ),
        (
            "Movements",
            {
                "fields": [
                    "allows_annual",
                    "allows_thematic",
                    "allows_ad_hoc",
                    "ad_hoc_document_kinds",
                ]
            },
        ),
    ]


@admin.register(models.AnnualRating)
class AnnualRatingAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = ["person", "period", "rating"]
    list_filter = ["period", "rating"]
    list_select_related = ["institution", "person", "period"]
    search_fields = ["person__full_name"]
    autocomplete_fields = ["person"]


@admin.register(models.DisciplinaryRecord)
class DisciplinaryRecordAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = ["person", "level", "decided_on", "period"]
    list_select_related = ["institution", "person", "period"]
    search_fields = ["person__full_name"]
    autocomplete_fields = ["person"]


@admin.register(models.RecognisedInitiative)
class RecognisedInitiativeAdmin(AuditedChanges, InstitutionOwnedAdmin):
    list_display = ["title", "person", "kind", "scope", "recognised_on"]
    list_select_related = ["institution", "person"]
    search_fields = ["title", "person__full_name"]
    autocomplete_fields = ["person"]


@admin.register(models.TitleRecord)
class TitleRecordAdmin(AuditedChanges, InstitutionOwnedAdmin):
    """Imported history may be corrected; a title granted by a signed decision is read-only."""

    list_display = [
        "person", "unit", "award_type", "year", "source", "decision_reference",
        "revoked_by_reference",
    ]  # fmt: skip
    list_filter = ["year", "source"]
    list_select_related = ["institution", "person", "unit", "award_type"]
    search_fields = ["person__full_name", "unit__name"]
    autocomplete_fields = ["person", "unit"]

    def has_change_permission(self, request, obj=None):
        granted = obj is not None and obj.source == models.TitleRecord.Source.GRANTED
        return not granted and super().has_change_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for inspection; every change goes through the services, which audit it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Dossier)
class DossierAdmin(ReadOnlyAdmin, InstitutionOwnedAdmin):
    list_display = ["__str__", "unit", "period", "state", "version", "updated_at"]
    list_filter = ["state", "period", "award_type__code"]
    list_select_related = [
        "institution",
        "unit",
        "period",
        "award_type",
        "nominee_person",
        "nominee_unit",
    ]
    search_fields = ["nominee_person__full_name", "nominee_unit__name"]


@admin.register(models.Document)
class DocumentAdmin(ReadOnlyAdmin, InstitutionOwnedAdmin):
    list_display = [
        "original_name", "dossier", "kind", "size", "sha256", "uploaded_at", "superseded_at",
    ]  # fmt: skip
    list_select_related = [
        "institution",
        "dossier__nominee_person",
        "dossier__nominee_unit",
        "dossier__award_type",
        "kind",
    ]


@admin.register(models.Delegation)
class DelegationAdmin(ReadOnlyAdmin, InstitutionOwnedAdmin):
    list_display = ["delegator", "role", "delegate", "starts_on", "ends_on", "revoked_at"]
    list_filter = ["role"]
    list_select_related = ["institution", "delegator", "delegate"]
    search_fields = ["delegator__full_name", "delegate__full_name", "reason"]
    date_hierarchy = "starts_on"
