"""Council records in the admin, for inspection only: every change goes through the services.

Who voted (Participation) is shown; what was voted is not: sealed ballots are unreadable and not
registered, and after closing only the tally (on the agenda items) and the receipt codes exist.
"""

from django.contrib import admin

from council import models
from dossiers.admin import InstitutionOwnedAdmin, ReadOnlyAdmin


class MemberInline(admin.TabularInline):
    model = models.MeetingMember
    fields = ["person", "attendance"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AgendaInline(admin.TabularInline):
    model = models.AgendaItem
    fields = ["position", "dossier", "agree", "disagree", "abstain", "recommended"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Meeting)
class MeetingAdmin(ReadOnlyAdmin, InstitutionOwnedAdmin):
    list_display = ["title", "held_on", "place", "chair", "secretary", "period", "state"]
    list_filter = ["state", "period"]
    list_select_related = ["institution", "chair", "secretary", "period"]
    search_fields = ["title", "place"]
    date_hierarchy = "held_on"
    inlines = [MemberInline, AgendaInline]


@admin.register(models.AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "meeting", "agree", "disagree", "abstain", "recommended"]
    list_select_related = [
        "meeting",
        "dossier__award_type",
        "dossier__nominee_person",
        "dossier__nominee_unit",
    ]
    list_filter = ["recommended"]


@admin.register(models.Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    """That a member voted, and how — never what."""

    list_display = ["member", "meeting", "channel"]
    list_select_related = ["member", "meeting"]
    list_filter = ["channel"]
    search_fields = ["member__full_name"]
    ordering = ["meeting", "member__full_name"]


@admin.register(models.PublishedReceipt)
class PublishedReceiptAdmin(ReadOnlyAdmin):
    """The receipt codes of counted ballots, published at closing: no name, no content."""

    list_display = ["receipt", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["receipt"]


@admin.register(models.Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    list_display = ["item", "person", "ground"]
    list_select_related = ["item__meeting", "item__dossier__nominee_person",
                           "item__dossier__nominee_unit", "person"]  # fmt: skip


@admin.register(models.WrittenOpinion)
class WrittenOpinionAdmin(ReadOnlyAdmin):
    list_display = ["member", "meeting", "original_name", "recorded_by"]
    list_select_related = ["member", "meeting", "recorded_by"]
