"""Anomaly hints: patterns in the trail an auditor may want to look at — never verdicts.

One function per rule, each returning `Hint` rows in a constant number of queries however many
dossiers and events there are. The thresholds are the institution's `AnomalyRules` (defaults
when nobody changed them), edited in the admin.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, ExtractIsoWeekDay, TruncTime
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from audit import log
from audit.actions import AuditAction, title_of
from audit.models import AuditEvent
from auditing import labels
from auditing.models import AnomalyRules
from council.models import AgendaItem
from dossiers.models import Dossier, Institution
from workflow.transitions import TRANSITIONS

A = AuditAction
SUBMITTED, SIGNED, RETURNED = A.DOSSIER_SUBMITTED, A.DOSSIER_SIGNED, A.DOSSIER_RETURNED
BALLOT_CAST, BALLOT_IN_WRITING = A.BALLOT_CAST, A.BALLOT_RECORDED_IN_WRITING
# Events outside working hours can be many: the page lists the latest ones.
LATEST = 200
# timesince's units, in this product's catalogue: Django's own Vietnamese catalogue still has
# the older "%d minute" messages, so its "%(num)d minutes" would stay English on Vietnamese pages.
DURATION_UNITS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


def duration(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "2 days, 3 hours" in the active language (Django's timesince with translated units)."""
    return timesince(start, end, time_strings=DURATION_UNITS)


@dataclass(frozen=True)
class Hint:
    """Something worth a look about a dossier (or, for some rules, about one event)."""

    dossier: Dossier | None
    explanation: str
    sequence: int | None = None  # the event the hint is about, when it is one event


def signed_quickly(institution: Institution, rules: AnomalyRules) -> list[Hint]:
    """Dossiers signed sooner after their first submission than the minimum time."""
    minimum = datetime.timedelta(days=rules.min_days_submit_to_sign)
    rows = (
        _dossier_events(institution)
        .filter(action__in=[SUBMITTED, SIGNED])
        .values("object_id")
        .annotate(
            submitted_at=Min("created_at", filter=Q(action=SUBMITTED)),
            signed_at=Max("created_at", filter=Q(action=SIGNED)),
        )
        .filter(signed_at__lt=F("submitted_at") + minimum)
    )
    days = rules.min_days_submit_to_sign

    def explain(row) -> str:
        text = ngettext(
            "Signed %(duration)s after it was first submitted; the minimum is %(days)d day.",
            "Signed %(duration)s after it was first submitted; the minimum is %(days)d days.",
            days,
        )
        return text % {"duration": duration(row["submitted_at"], row["signed_at"]), "days": days}

    return _per_dossier(institution, rows, explain)


def returned_often(institution: Institution, rules: AnomalyRules) -> list[Hint]:
    """Dossiers returned for revision more times than the rules allow before a hint."""
    rows = (
        _dossier_events(institution)
        .filter(action=RETURNED)
        .values("object_id")
        .annotate(returns=Count("pk"))
        .filter(returns__gt=rules.max_returns)
    )

    def explain(row) -> str:
        text = ngettext(
            "Returned for revision %(count)d time (hints start above %(max)d).",
            "Returned for revision %(count)d times (hints start above %(max)d).",
            row["returns"],
        )
        return text % {"count": row["returns"], "max": rules.max_returns}

    return _per_dossier(institution, rows, explain)


def outside_working_hours(
    institution: Institution, rules: AnomalyRules, *, latest: int = LATEST
) -> list[Hint]:
    """The latest actions of a person (not the system) on a day off or outside working hours."""
    zone = timezone.get_default_timezone()
    events = list(
        AuditEvent.objects.filter(institution=institution, actor__isnull=False)
        .annotate(
            local_time=TruncTime("created_at", tzinfo=zone),
            weekday=ExtractIsoWeekDay("created_at", tzinfo=zone),
        )
        .filter(
            Q(weekday__in=rules.weekend_days)
            | Q(local_time__lt=rules.workday_start)
            | Q(local_time__gte=rules.workday_end)
        )
        .only("sequence", "created_at", "actor_name", "role", "action", "object_type", "object_id")
        .order_by("-sequence")[:latest]
    )
    dossiers = _dossiers(institution, [e.object_id for e in events if e.object_type == "dossier"])
    return [
        Hint(
            dossiers.get(int(e.object_id)) if e.object_type == "dossier" else None,
            _("%(actor)s: %(action)s (%(object)s) on %(when)s, outside working hours.")
            % {
                "actor": labels.actor_label(e.actor_name, e.role),
                "action": title_of(e.action),
                "object": labels.object_label(e.object_type, e.object_id),
                "when": formats.date_format(timezone.localtime(e.created_at, zone), "l, d/m/Y H:i"),
            },
            sequence=e.sequence,
        )
        for e in events
    ]


def own_nomination(institution: Institution, rules: AnomalyRules) -> list[Hint]:
    """A nominated person acting on their own dossier, or voting in a meeting that decides it."""
    return _acting_on_own_dossier(institution) + _voting_on_own_dossier(institution)


def _acting_on_own_dossier(institution: Institution) -> list[Hint]:
    # CASE keeps the cast away from the ids of other kinds of objects.
    dossier_pk = Case(When(object_type="dossier", then=Cast("object_id", BigIntegerField())))
    nominee = Dossier.objects.filter(institution=institution, pk=OuterRef("dossier_pk")).order_by()
    rows = (
        _dossier_events(institution)
        .annotate(dossier_pk=dossier_pk)
        .annotate(nominee_id=Subquery(nominee.values("nominee_person_id")[:1]))
        .filter(Q(actor_id=F("nominee_id")) | Q(on_behalf_of_id=F("nominee_id")))
        .order_by("sequence")
        .values("dossier_pk", "actor_id", "actor_name", "on_behalf_of_name", "action", "nominee_id")
    )
    actions: dict[tuple, list[str]] = {}
    for row in rows:
        key = (row["dossier_pk"], row["actor_id"] == row["nominee_id"], row["actor_name"],
               row["on_behalf_of_name"])  # fmt: skip
        titles = actions.setdefault(key, [])
        title = title_of(row["action"])
        if title not in titles:
            titles.append(title)
    dossiers = _dossiers(institution, [key[0] for key in actions])
    return [
        Hint(dossiers[pk], _own_action_text(themselves, actor, nominee, titles))
        for (pk, themselves, actor, nominee), titles in actions.items()
        if pk in dossiers
    ]


def _own_action_text(themselves: bool, actor: str, nominee: str, titles: list[str]) -> str:
    if themselves:
        text = _("%(person)s, the nominee, acted on this dossier: %(actions)s.")
        return text % {"person": actor, "actions": ", ".join(titles)}
    text = _("%(actor)s acted on behalf of %(person)s, the nominee: %(actions)s.")
    return text % {"actor": actor, "person": nominee, "actions": ", ".join(titles)}


def _voting_on_own_dossier(institution: Institution) -> list[Hint]:
    """Participation only: the ballots are secret, so what the nominee voted is never known."""
    nominee_id = OuterRef("dossier__nominee_person_id")
    participated = (
        AuditEvent.objects.filter(
            institution=institution,
            object_type="meeting",
            object_id=Cast(OuterRef("meeting_id"), CharField()),
        )
        .annotate(member_id=Cast(KeyTextTransform("member_id", "payload"), CharField()))
        .filter(
            Q(action=BALLOT_CAST, actor_id=nominee_id)
            | Q(action=BALLOT_IN_WRITING, member_id=Cast(nominee_id, CharField()))
        )
    )
    items = (
        AgendaItem.objects.filter(meeting__institution=institution)
        .filter(dossier__nominee_person__isnull=False)
        .filter(Exists(participated))
        .select_related("meeting", *_DOSSIER_RELATED_VIA_ITEM)
        .order_by("meeting__held_on", "position")
    )
    text = _(
        "%(person)s, the nominee, took part in the vote of “%(meeting)s”, whose agenda included "
        "this dossier. Ballots are secret: only the participation is known."
    )
    return [
        Hint(
            item.dossier,
            text % {"person": item.dossier.nominee_person, "meeting": item.meeting.title},
        )
        for item in items
    ]


def separation_overridden(institution: Institution, rules: AnomalyRules) -> list[Hint]:
    """Actions a separation-of-duties rule in "warn" mode let through, latest first: a signer
    who acknowledged being an awardee, a reviewer deciding a case of their own unit..."""
    events = list(
        AuditEvent.objects.filter(institution=institution, action=A.SEPARATION_WARNING)
        .order_by("-sequence")
        .values("sequence", "object_type", "object_id", "actor_name", "reason", "payload")[:LATEST]
    )
    dossier_ids = [int(e["object_id"]) for e in events if e["object_type"] == "dossier"]
    dossiers = _dossiers(institution, dossier_ids)
    text = _("%(actor)s: %(action)s although %(reasons)s")
    return [
        Hint(
            dossiers.get(int(e["object_id"])) if e["object_type"] == "dossier" else None,
            text
            % {
                "actor": e["actor_name"],
                "action": _overridden_action(e["payload"]),
                "reasons": e["reason"],
            },
            sequence=e["sequence"],
        )
        for e in events
    ]


def _overridden_action(payload: dict) -> str:
    action = payload.get("action", "")
    if action == "sign":
        return _("signed decision %(reference)s") % {"reference": payload.get("reference", "")}
    if action == "delegation.create":
        return _("gave a delegation")
    titles = {t.action: t.audit_action for t in TRANSITIONS.values()}
    return title_of(titles[action]) if action in titles else action


@dataclass(frozen=True)
class Rule:
    code: str
    title: Promise
    find: Callable[[Institution, AnomalyRules], list[Hint]]


RULES = (
    Rule("signed_quickly", gettext_lazy("Signed unusually fast"), signed_quickly),
    Rule("returned_often", gettext_lazy("Returned for revision many times"), returned_often),
    Rule("outside_hours", gettext_lazy("Actions outside working hours"), outside_working_hours),
    Rule("own_nomination", gettext_lazy("Acting on one’s own nomination"), own_nomination),
    Rule(
        "separation_overridden",
        gettext_lazy("Separation of duties overridden under a warning rule"),
        separation_overridden,
    ),
)


def all_hints(institution: Institution) -> tuple[AnomalyRules, list[tuple[Rule, list[Hint]]]]:
    """The institution's rules, and every rule with the hints it finds."""
    rules = AnomalyRules.of(institution)
    return rules, [(rule, rule.find(institution, rules)) for rule in RULES]


def save_rules(rules: AnomalyRules, *, actor: log.Actor) -> AnomalyRules:
    """Change an institution's thresholds; audited, since they decide what auditors are shown."""
    with transaction.atomic():
        stored = AnomalyRules.objects.select_for_update().filter(pk=rules.pk).first()
        before = _describe(stored) if stored else None
        rules.full_clean()
        rules.save()
        after = _describe(rules)
        if before != after:
            log.append(
                institution=rules.institution, actor=actor, action="anomaly_rules.changed",
                object_type="anomaly_rules", object_id=rules.pk,
                payload={"before": before, "after": after},
            )  # fmt: skip
    return rules


def _describe(rules: AnomalyRules) -> dict:
    return {
        "min_days_submit_to_sign": rules.min_days_submit_to_sign,
        "max_returns": rules.max_returns,
        "workday_start": rules.workday_start.isoformat(),
        "workday_end": rules.workday_end.isoformat(),
        "weekend_days": sorted(rules.weekend_days),
    }


_DOSSIER_RELATED = ("award_type", "unit", "nominee_person", "nominee_unit")
_DOSSIER_RELATED_VIA_ITEM = tuple(f"dossier__{name}" for name in _DOSSIER_RELATED)


def _dossier_events(institution: Institution) -> QuerySet[AuditEvent]:
    # No ordering: grouped queries must group by the object only.
    return AuditEvent.objects.filter(institution=institution, object_type="dossier").order_by()


def _per_dossier(institution: Institution, rows, explain: Callable[[dict], str]) -> list[Hint]:
    """Hints from rows grouped by dossier (`object_id`), the dossiers fetched in one query."""
    rows = sorted(rows, key=lambda row: int(row["object_id"]))
    dossiers = _dossiers(institution, [row["object_id"] for row in rows])
    return [
        Hint(dossiers[int(row["object_id"])], explain(row))
        for row in rows
        if int(row["object_id"]) in dossiers
    ]


def _dossiers(institution: Institution, ids) -> dict[int, Dossier]:
    """The dossiers named, with what a hint shows of them, in one query (none for no ids)."""
    pks = {int(pk) for pk in ids}
    if not pks:
        return {}
    dossiers = Dossier.objects.of(institution).select_related(*_DOSSIER_RELATED)
    return dossiers.in_bulk(pks)
