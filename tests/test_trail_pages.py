"""The auditor's trail page (filters, keyset pages, query count) and one dossier's full story."""

from __future__ import annotations

import datetime
import hashlib
import re
from contextlib import nullcontext
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from audit import log
from audit.models import AuditEvent
from auditing import views
from council.models import AgendaItem
from decisions.models import Decision
from dossiers import services as dossier_services
from dossiers.models import AwardType, DocumentKind, Dossier, Period, Role, State
from tests.conftest import PDF_BYTES, make_dossier, make_person, make_unit, pdf_upload
from tests.factories import dossier_in, login

TRAIL = "/audit/"
# session, user, person, roles, delegations; the filter's periods, units, people and actions;
# the page of events, the dossiers it names; the navigation's inbox badge.
TRAIL_PAGE_QUERIES = 12
OLDER_LINK = re.compile(r'href="\?([^"]*)" class="older"')


def at(day: str, hour: int = 9) -> datetime.datetime:
    """A moment in the institution's time zone, from 'dd/mm/yyyy'."""
    date = datetime.datetime.strptime(day, "%d/%m/%Y")
    return timezone.make_aware(date.replace(hour=hour))


def record(institution, *, when=None, actor=None, on_behalf_of=None, role="", **fields):
    """Append one event, as of `when` if given (the trail stamps events with the current time)."""
    fields.setdefault("action", "dossier.edited")
    fields.setdefault("object_type", "dossier")
    fields.setdefault("object_id", 0)
    who = log.Actor(person=actor, role=role, on_behalf_of=on_behalf_of, name="system")
    clock = mock.patch("django.utils.timezone.now", return_value=when) if when else nullcontext()
    with clock, transaction.atomic():
        return log.append(institution=institution, actor=who, **fields)


def shown(response) -> list[int]:
    return [row.event.sequence for row in response.context["rows"]]


def older_link(response) -> str | None:
    found = OLDER_LINK.search(response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def signed_in(person, language="en"):
    client = login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def as_auditor(auditor):
    return signed_in(auditor)


# --- Filters ---------------------------------------------------------------------------------


def drafted(period, unit, when) -> tuple[Dossier, AuditEvent]:
    """A draft created through the service as of `when`, and its "dossier.created" event."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        dossier = make_dossier(period, unit, documents=False)
    return dossier, AuditEvent.objects.get(action="dossier.created", object_id=str(dossier.pk))


@pytest.fixture
def planted(media, institution, period, unit_a, unit_b, head_a, head_b, reviewer, staff_a):
    """The creation of three drafts (c1-c3), then six events that differ in one respect each;
    each filter must pick exactly its own."""
    earlier = Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    (d1, c1), (d2, c2) = (
        drafted(period, unit_a, at("20/02/2026")),
        drafted(period, unit_b, at("20/02/2026")),
    )
    d3, c3 = drafted(earlier, unit_a, at("20/02/2026"))
    events = {
        "c1": c1, "c2": c2, "c3": c3,
        "e1": record(institution, when=at("01/03/2026"), actor=head_a, role=Role.UNIT_HEAD,
                     action="dossier.submitted", object_id=d1.pk, from_state="draft",
                     to_state="submitted", reason="Nộp hồ sơ"),
        "e2": record(institution, when=at("05/03/2026"), actor=reviewer, role=Role.REVIEWER,
                     action="dossier.returned", object_id=d1.pk, from_state="submitted",
                     to_state="returned", reason="Thiếu biên bản họp đơn vị"),
        "e3": record(institution, when=at("10/03/2026"), actor=head_b, role=Role.UNIT_HEAD,
                     action="dossier.submitted", object_id=d2.pk, from_state="draft",
                     to_state="submitted"),
        "e4": record(institution, when=at("15/03/2026", 23), actor=staff_a,
                     on_behalf_of=reviewer, role=Role.REVIEWER, action="dossier.approved",
                     object_id=d2.pk, from_state="submitted", to_state="reviewed",
                     reason="Đủ điều kiện"),
        "e5": record(institution, when=at("01/04/2026"), actor=head_a, role=Role.UNIT_HEAD,
                     action="dossier.submitted", object_id=d3.pk, from_state="draft",
                     to_state="submitted"),
        "e6": record(institution, when=at("02/04/2026"), actor=reviewer,
                     action="meeting.vote_opened", object_type="meeting", object_id=7,
                     from_state="planned", to_state="open"),
    }  # fmt: skip
    ids = {"period": period.pk, "unit_a": unit_a.pk, "d2": d2.pk, "reviewer": reviewer.pk}
    return {name: e.sequence for name, e in events.items()}, ids


def expect(planted, *names) -> list[int]:
    sequences, _ids = planted
    return sorted((sequences[name] for name in names), reverse=True)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"period_id": "period"}, ("c1", "c2", "e1", "e2", "e3", "e4")),
        ({"unit_id": "unit_a"}, ("c1", "c3", "e1", "e2", "e5")),
        ({"dossier_id": "d2"}, ("c2", "e3", "e4")),
        ({"actor_id": "reviewer"}, ("e2", "e4", "e6")),  # e4 was on the reviewer's behalf
        ({"action": "dossier.submitted"}, ("e1", "e3", "e5")),
        ({"state": "returned"}, ("e2",)),
        ({"state": "reviewed"}, ("e4",)),  # the state it went to
        ({"state": "draft"}, ("c1", "c2", "c3", "e1", "e3", "e5")),  # went to, or came from
        ({"date_from": "05/03/2026", "date_to": "15/03/2026"}, ("e2", "e3", "e4")),
        ({"date_from": "2026-04-01"}, ("e5", "e6")),
        ({"text": "biên bản"}, ("e2",)),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else None,
)
def test_each_filter_alone_shows_exactly_its_events(as_auditor, planted, query, names):
    _sequences, ids = planted
    params = {key: ids.get(value, value) for key, value in query.items()}

    response = as_auditor.get(TRAIL, params)

    assert response.status_code == 200
    assert shown(response) == expect(planted, *names)


def test_two_filters_combined_show_the_events_matching_both(as_auditor, planted):
    _sequences, ids = planted

    response = as_auditor.get(TRAIL, {"unit_id": ids["unit_a"], "action": "dossier.submitted"})

    assert shown(response) == expect(planted, "e1", "e5")


def test_the_person_filter_and_a_date_combined_find_the_delegated_approval(as_auditor, planted):
    _sequences, ids = planted

    response = as_auditor.get(TRAIL, {"actor_id": ids["reviewer"], "date_from": "10/03/2026",
                                      "date_to": "31/03/2026"})  # fmt: skip

    assert shown(response) == expect(planted, "e4")


def test_without_a_filter_the_trail_shows_every_event_newest_first(as_auditor, planted):
    response = as_auditor.get(TRAIL)

    everything = ("c1", "c2", "c3", "e1", "e2", "e3", "e4", "e5", "e6")
    assert shown(response) == expect(planted, *everything)


def test_the_action_select_offers_the_actions_present_with_their_titles(as_auditor, planted):
    response = as_auditor.get(TRAIL)

    choices = dict(response.context["form"].fields["action"].choices)
    assert set(choices) == {"", "dossier.created", "dossier.submitted", "dossier.returned",
                            "dossier.approved", "meeting.vote_opened"}  # fmt: skip
    assert choices["dossier.returned"] == "Returned for revision"  # the title, never the code


def test_an_unreadable_date_is_reported_and_no_events_are_shown(as_auditor, planted):
    response = as_auditor.get(TRAIL, {"date_from": "31/02/2026"})

    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]
    assert shown(response) == []


def test_an_end_date_before_the_start_date_is_reported(as_auditor, planted):
    response = as_auditor.get(TRAIL, {"date_from": "10/03/2026", "date_to": "01/03/2026"})

    assert response.context["form"].errors["date_to"]
    assert shown(response) == []


def test_the_export_links_carry_the_current_filter(as_auditor, planted):
    response = as_auditor.get(TRAIL, {"action": "dossier.submitted", "date_from": "01/03/2026"})

    content = response.content.decode()
    query = "action=dossier.submitted&amp;date_from=2026-03-01"
    for extension in ("csv", "jsonl", "pdf"):
        assert f'href="/audit/export.{extension}?{query}"' in content


def test_the_trail_links_the_integrity_panel_and_the_anomalies(as_auditor, planted):
    content = as_auditor.get(TRAIL).content.decode()

    assert 'href="/audit/integrity/"' in content
    assert 'href="/audit/anomalies/"' in content


def test_a_row_shows_the_actor_the_delegator_the_role_and_the_readable_action(
    as_auditor, planted, staff_a, reviewer
):
    response = as_auditor.get(TRAIL, {"action": "dossier.approved"})

    content = response.content.decode()
    row = response.context["rows"][0]
    assert (row.title, row.role, row.from_state, row.to_state) == (
        "Approved for the council", "Reviewer", "Submitted", "Reviewed"
    )  # fmt: skip
    assert staff_a.full_name in content
    assert f"on behalf of {reviewer.full_name}" in content
    assert 'data-action="dossier.approved"' in content  # the code only as data, never as text
    assert row.event.hash[:12] in content


def test_a_dossier_row_links_to_the_dossier_page_and_its_full_story(as_auditor, planted):
    _sequences, ids = planted

    response = as_auditor.get(TRAIL, {"dossier_id": ids["d2"]})

    content = response.content.decode()
    assert f'href="{reverse("dossier_detail", args=[ids["d2"]])}"' in content
    assert f'href="{reverse("audit_dossier", args=[ids["d2"]])}"' in content


def test_the_auditor_reaches_a_dossier_s_story_in_two_clicks(as_auditor, planted):
    _sequences, ids = planted
    home = as_auditor.get("/").content.decode()
    assert f'href="{TRAIL}"' in home  # first click: the navigation

    trail = as_auditor.get(TRAIL).content.decode()
    story = reverse("audit_dossier", args=[ids["d2"]])

    assert f'href="{story}"' in trail  # second click: the dossier's full story
    assert as_auditor.get(story).status_code == 200


# --- Keyset pages ----------------------------------------------------------------------------


def append_many(institution, n, **fields):
    with transaction.atomic():
        return [record(institution, **fields).sequence for _ in range(n)]


def test_following_the_older_links_shows_every_event_once_while_new_ones_arrive(
    as_auditor, institution
):
    before = append_many(institution, 2 * views.PAGE_SIZE + 7)
    seen, query = [], ""
    while True:
        response = as_auditor.get(f"{TRAIL}?{query}")
        seen += shown(response)
        append_many(institution, 3)  # recorded while the auditor reads
        query = older_link(response)
        if query is None:
            break

    assert seen == sorted(before, reverse=True)


def test_the_older_links_keep_the_filter(as_auditor, institution):
    wanted = []
    for _round in range(views.PAGE_SIZE + 5):
        wanted += append_many(institution, 1, action="dossier.approved")
        append_many(institution, 2, action="dossier.submitted")
    seen, query = [], "action=dossier.approved"
    while query is not None:
        response = as_auditor.get(f"{TRAIL}?{query}")
        seen += shown(response)
        append_many(institution, 1, action="dossier.approved")
        query = older_link(response)

    assert seen == sorted(wanted, reverse=True)


def test_the_last_page_has_no_older_link(as_auditor, institution):
    append_many(institution, 3)

    response = as_auditor.get(TRAIL)

    assert older_link(response) is None
    assert "Older events" not in response.content.decode()


def bulk_trail(institution, dossier, n: int) -> int:
    """`n` events about one dossier, inserted at once after the trail's last (the hashes are
    placeholders); the sequence of the last."""
    now = timezone.now()
    first = (AuditEvent.objects.filter(institution=institution).aggregate(m=Max("sequence"))["m"]
             or 0) + 1  # fmt: skip
    AuditEvent.objects.bulk_create(
        AuditEvent(
            institution=institution, sequence=s, created_at=now, actor_name="Người Thử",
            role=Role.REVIEWER, action="dossier.returned", object_type="dossier",
            object_id=str(dossier.pk), from_state="submitted", to_state="returned",
            reason=f"Lý do {s}", prev_hash=hashlib.sha256(b"%d" % (s - 1)).hexdigest(),
            hash=hashlib.sha256(b"%d" % s).hexdigest(),
        )
        for s in range(first, first + n)
    )  # fmt: skip
    return first + n - 1


def test_a_page_deep_in_the_trail_costs_the_same_queries_as_the_first(
    as_auditor, institution, period, unit_a, media, django_assert_max_num_queries
):
    last = bulk_trail(institution, make_dossier(period, unit_a), 2000)
    as_auditor.get(TRAIL)  # the session is warm for both measured requests

    with django_assert_max_num_queries(TRAIL_PAGE_QUERIES):
        first = as_auditor.get(TRAIL)
    with CaptureQueriesContext(transaction.get_connection()) as deep_queries:
        deep = as_auditor.get(TRAIL, {"before": 120})

    assert shown(first)[0] == last
    assert shown(deep) == list(range(119, 119 - views.PAGE_SIZE, -1))
    assert len(deep_queries) <= TRAIL_PAGE_QUERIES
    assert not any("OFFSET" in q["sql"].upper() for q in deep_queries.captured_queries)


def test_a_filtered_page_deep_in_the_trail_costs_the_same_queries(
    as_auditor, institution, period, unit_a, media, django_assert_max_num_queries
):
    dossier = make_dossier(period, unit_a)
    bulk_trail(institution, dossier, 2000)

    with django_assert_max_num_queries(TRAIL_PAGE_QUERIES + 1):  # + the dossier filter's scope
        response = as_auditor.get(TRAIL, {"dossier_id": dossier.pk, "before": 300})

    assert shown(response)[0] == 299


# --- Who may read it -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["trail", "story"])
def test_a_unit_head_is_shown_no_trail_page(head_a, period, unit_a, media, page):
    dossier = make_dossier(period, unit_a)
    url = TRAIL if page == "trail" else reverse("audit_dossier", args=[dossier.pk])

    assert signed_in(head_a).get(url).status_code == 404


def test_the_principal_may_read_the_trail(principal):
    assert signed_in(principal).get(TRAIL).status_code == 200


def test_a_visitor_who_is_not_signed_in_is_sent_to_log_in(client):
    response = client.get(TRAIL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("reader", ["auditor", "principal"])
def test_the_navigation_shows_the_trail_to_its_readers(request, reader):
    content = signed_in(request.getfixturevalue(reader)).get("/").content.decode()

    assert f'<a href="{TRAIL}">Audit trail</a>' in content


def test_the_navigation_hides_the_trail_from_a_unit_head(head_a):
    content = signed_in(head_a).get("/").content.decode()

    assert f'href="{TRAIL}"' not in content


def test_a_dossier_of_another_institution_has_no_story_here(as_auditor, other_institution, media):
    other_period = Period.objects.create(
        institution=other_institution, name="Năm 2026", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    theirs = make_dossier(other_period, make_unit(other_institution))

    assert as_auditor.get(reverse("audit_dossier", args=[theirs.pk])).status_code == 404


# --- One dossier's story ---------------------------------------------------------------------


def version_of(dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).version


@pytest.fixture
def edited(media, institution, period, unit_a, head_a):
    """A draft whose summary and award were edited, one document added and another removed."""
    dossier = make_dossier(period, unit_a, documents=False)
    merit = AwardType.objects.get(institution=institution, code="certificate_of_merit")
    dossier_services.update_dossier(
        dossier_id=dossier.pk, person=head_a, expected_version=version_of(dossier),
        achievement_summary="Tóm tắt mới", award_type_id=merit.pk,
    )  # fmt: skip
    kind = DocumentKind.objects.get(code="achievement_report")

    def add(name, marker):
        upload = pdf_upload(name, PDF_BYTES + marker)
        return dossier_services.add_document(
            dossier_id=dossier.pk, person=head_a, expected_version=version_of(dossier),
            kind=kind, upload=upload,
        )  # fmt: skip

    kept, dropped = add("bao-cao.pdf", b"% giu\n"), add("ban-cu.pdf", b"% bo\n")
    dossier_services.remove_document(
        document_id=dropped.pk, person=head_a, expected_version=version_of(dossier)
    )
    return dossier, kept, dropped


def story_of(client, dossier):
    response = client.get(reverse("audit_dossier", args=[dossier.pk]))
    assert response.status_code == 200
    return response


def test_the_story_tells_the_dossier_s_events_oldest_first(as_auditor, edited):
    dossier, _kept, _dropped = edited

    response = story_of(as_auditor, dossier)

    sequences = [row.entry.event.sequence for row in response.context["entries"]]
    assert sequences == sorted(sequences)
    assert [row.entry.event.action for row in response.context["entries"]] == [
        "dossier.created", "dossier.edited", "dossier.document_added", "dossier.document_added",
        "dossier.document_removed",
    ]  # fmt: skip


def test_the_story_shows_field_changes_with_readable_labels_and_names(as_auditor, edited):
    dossier, _kept, _dropped = edited
    advanced = AwardType.objects.get(institution=dossier.institution, code="advanced_worker")
    merit = AwardType.objects.get(institution=dossier.institution, code="certificate_of_merit")

    content = story_of(as_auditor, dossier).content.decode()

    old_summary = "Hoàn thành xuất sắc nhiệm vụ giảng dạy."
    assert f"summary of achievements: «{old_summary}» → «Tóm tắt mới»" in content
    assert escape(f"award: «{advanced}» → «{merit}»") in content


def test_the_story_shows_the_full_hash_of_current_and_removed_documents(as_auditor, edited):
    dossier, kept, dropped = edited

    response = story_of(as_auditor, dossier)

    content = response.content.decode()
    assert kept.sha256 == hashlib.sha256(PDF_BYTES + b"% giu\n").hexdigest()
    assert f'<code class="sha256">{kept.sha256}</code>' in content
    assert f'<code class="sha256">{dropped.sha256}</code>' in content
    assert [d.name for d in response.context["story"].history_documents] == [
        "bao-cao.pdf", "ban-cu.pdf", "ban-cu.pdf"
    ]  # fmt: skip


def test_the_story_shows_each_event_s_hash_and_previous_hash(as_auditor, edited):
    dossier, _kept, _dropped = edited

    content = story_of(as_auditor, dossier).content.decode()

    for event in AuditEvent.objects.filter(object_type="dossier", object_id=str(dossier.pk)):
        assert f'<code class="hash">{event.hash}</code>' in content
        assert f'<code class="prev-hash">{event.prev_hash}</code>' in content


def test_the_story_links_the_meeting_results_and_the_decision(as_auditor, media, period, unit_a):
    dossier = dossier_in(State.SIGNED, period, unit_a)
    meeting = AgendaItem.objects.get(dossier=dossier).meeting  # its vote, now closed
    decision = Decision.objects.get(items__dossier=dossier)

    content = story_of(as_auditor, dossier).content.decode()

    assert f'href="{reverse("meeting_results", args=[meeting.pk])}"' in content
    try:
        decision_page = reverse("decision_detail", args=[decision.pk])
    except NoReverseMatch:
        pytest.skip("this build has no decision page")
    assert f'href="{decision_page}"' in content


def test_the_story_links_a_meeting_not_yet_closed_to_its_page(as_auditor, media, period, unit_a):
    dossier = dossier_in(State.VOTING, period, unit_a)
    meeting = AgendaItem.objects.get(dossier=dossier).meeting  # open for its vote

    content = story_of(as_auditor, dossier).content.decode()

    assert f'href="{reverse("meeting_detail", args=[meeting.pk])}"' in content


@pytest.mark.parametrize("events", [2, 40])
def test_the_story_s_query_count_does_not_grow_with_its_history(
    as_auditor, institution, period, unit_a, head_a, media, events, django_assert_max_num_queries
):
    dossier = make_dossier(period, unit_a)
    for n in range(events):
        record(institution, actor=head_a, role=Role.UNIT_HEAD, action="dossier.edited",
               object_id=dossier.pk,
               payload={"changes": {"achievement_summary": [f"bản {n}", f"bản {n + 1}"],
                                    "nominee_person_id": [head_a.pk, None]}})  # fmt: skip

    with django_assert_max_num_queries(16):
        response = story_of(as_auditor, dossier)

    # Its creation and its three required documents, then the edits recorded here.
    assert len(response.context["entries"]) == 4 + events


def test_the_principal_may_read_a_dossier_s_story(principal, period, unit_a, media):
    dossier = make_dossier(period, unit_a)

    assert signed_in(principal).get(
        reverse("audit_dossier", args=[dossier.pk])
    ).status_code == 200  # fmt: skip


def test_an_auditor_with_another_role_keeps_the_trail(institution, unit_b):
    both = make_person(institution, unit_b, roles=[Role.AUDITOR, Role.COUNCIL_MEMBER])

    assert signed_in(both).get(TRAIL).status_code == 200


# --- The person filter at scale ---------------------------------------------------------------


def test_the_person_filter_finds_the_events_of_people_whose_name_contains_the_text(
    as_auditor, planted, reviewer
):
    reviewer.full_name = "Đặng Thị Thẩm Định"
    reviewer.save(update_fields=["full_name"])

    response = as_auditor.get(TRAIL, {"person": "thẩm"})

    assert shown(response) == expect(planted, "e2", "e4", "e6")  # e4 was on the reviewer's behalf


def test_the_person_filter_shows_nothing_for_a_name_nobody_in_the_trail_has(as_auditor, planted):
    response = as_auditor.get(TRAIL, {"person": "Không Ai Cả"})

    assert response.status_code == 200
    assert shown(response) == []


def test_the_trail_page_no_longer_lists_every_person_of_the_institution(
    as_auditor, planted, institution, unit_a
):
    make_person(institution, unit_a, full_name="Vũ Văn Chưa Làm Gì")

    content = as_auditor.get(TRAIL).content.decode()

    assert "Vũ Văn Chưa Làm Gì" not in content
    assert 'name="person"' in content


def test_a_chosen_person_is_offered_alone_so_that_the_filter_shows_who_it_is(
    as_auditor, planted, reviewer
):
    _sequences, ids = planted

    response = as_auditor.get(TRAIL, {"actor_id": ids["reviewer"]})

    choices = dict(response.context["form"].fields["actor_id"].choices)
    assert choices == {"": "Everyone", reviewer.pk: reviewer.full_name}
