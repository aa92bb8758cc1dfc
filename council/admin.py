"""Council records in the admin, for inspection only: every change goes through the services.

Who voted (Participation) and what was voted (BallotContent, BallotChoice) are registered apart
and never shown together: no inline, column or filter joins one to the other. Ballot contents
appear only once their meeting is closed, as on the results page: no interim tally while voting.
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


class PublishedOnly:
    """Ballot contents of closed meetings only."""

    meeting_path = "meeting"

    def get_queryset(self, request):
        closed = {f"{self.meeting_path}__state": models.Meeting.State.CLOSED}
        return super().get_queryset(request).filter(**closed)


@admin.register(models.BallotContent)
class BallotContentAdmin(PublishedOnly, ReadOnlyAdmin):
    """A published ballot: its receipt code; its choices are listed on their own page."""

    list_display = ["receipt", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["receipt"]


@admin.register(models.BallotChoice)
class BallotChoiceAdmin(PublishedOnly, ReadOnlyAdmin):
    meeting_path = "ballot__meeting"
    list_display = ["ballot", "item", "choice"]
    list_select_related = ["ballot", "item__dossier__nominee_person", "item__dossier__nominee_unit",
                           "item__dossier__award_type"]  # fmt: skip
    list_filter = ["choice"]
    search_fields = ["ballot__receipt"]
