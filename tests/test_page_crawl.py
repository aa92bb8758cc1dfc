"""Every page, as every role, in Vietnamese and English, shows people words, never codes.

The demo college plays a whole cycle through the services; a few more steps (public notice and an
objection, a proposal upward and its outcome, a revocation drafted, delegations, a role changed by
the administrator, the anomaly thresholds changed, an integrity check, tasks taken and handed over,
a planned meeting with attendance, written ballots) put every kind of audit event in the trail.
Then each role crawls the site from the home page, following the links it is shown, and each HTML
page is read as a person reads it (the text, not the markup) for:

- an audit action code (`dossier.submitted`): the trail shows titles;
- a state, role, object type or other code (`public_notice`, `unit_head`, `planned`...) where a
  label belongs: anywhere for codes with an underscore, and as the whole text of an element, next
  to an arrow, in parentheses or before an object number for one-word codes;
- on Vietnamese pages, English left untranslated: Django's own phrases (timesince's "minutes",
  day and month names) and any sentence of the product's catalogue.

The auditor's exports are read the same way: the CSV's columns for people and the PDF report show
titles and labels; JSON Lines keeps the codes, since it is the hashed chain itself.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from audit import hashchain
from audit.actions import AuditAction
from audit.models import AuditEvent
from auditing.models import IntegrityCheck
from council.models import Meeting, MeetingMember, Participation
from decisions.models import Decision
from dossiers.models import (
    AwardType,
    DocumentKind,
    Dossier,
    Institution,
    Period,
    Person,
    Role,
    RoleAssignment,
    State,
    Unit,
)
from tests.factories import dossier_in, unrecused, upload

LANGUAGES = ("vi", "en")
# One account per role (the demo's); some hold other roles too, as people do.
ACCOUNTS = {
    Role.UNIT_HEAD: "truong.gdth",
    Role.REVIEWER: "thamdinh2",
    Role.LEAD_REVIEWER: "thamdinh",
    Role.COUNCIL_MEMBER: "truong.dt",
    Role.COUNCIL_SECRETARY: "thuky",
    Role.PRINCIPAL: "hieutruong",
    Role.VICE_PRINCIPAL: "phohieutruong",
    Role.AUDITOR: "kiemtra",
    Role.PERSONNEL_OFFICER: "tochuc",
}
PAGES_PER_ROLE = 150
SKIPPED_PREFIXES = ("/admin/", "/logout/", "/i18n/", "/static/", "/media/")
# Files, not pages: rendering them is slow and they are read on their own below (exports) or in
# their own tests (decisions, minutes, memos, certificates, cover sheets).
FILE_URL = re.compile(r"(\.(pdf|csv|jsonl|xlsx)$)|(/pdf/$)|(/documents/\d+/$)|(/plan/$)")


# --- The institution ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl_settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawl")
    with override_settings(
        MEDIA_ROOT=root / "media",
        SIGNING_PKCS12_PATH=str(root / "signer" / "demo-signer.p12"),
        SIGNING_PKCS12_PASSPHRASE="demo-passphrase",
        DECISION_SIGNER="pkcs12",
    ):
        yield settings


@pytest.fixture(scope="module")
def crawled_college(django_db_setup, django_db_blocker, crawl_settings):
    """The demo and the steps it does not play, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):  # the demo refuses to run without it
            call_command("demo", stdout=StringIO())
        institution = Institution.objects.get(code="cdngt")
        _play_the_rest(institution)
        yield institution
        transaction.set_rollback(True)


@pytest.fixture
def college(crawled_college, db) -> Institution:
    return crawled_college


def _person(institution, username) -> Person:
    return Person.objects.get(institution=institution, user__username=username)


def _play_the_rest(institution: Institution) -> None:
    from audit import log
    from auditing import anomalies, exports, integrity
    from auditing.models import AnomalyRules
    from auditing.trail import TrailFilter
    from council import services as council
    from decisions import notices
    from decisions import services as decisions
    from decisions.models import PublicNotice
    from dossiers import delegations
    from dossiers import services as dossier_services
    from dossiers.roles import administrator, delete_role_assignment, save_role_assignment
    from workflow import assignment, process
    from workflow import services as lifecycle

    def person(username):
        return _person(institution, username)

    secretary, principal = person("thuky"), person("hieutruong")
    lead, reviewer, vice = person("thamdinh"), person("thamdinh2"), person("phohieutruong")
    head = person("truong.nn")
    period = Period.objects.get(institution=institution, is_current=True)
    unit = Unit.objects.get(institution=institution, code="nn")
    today = timezone.localdate()

    # A draft edited, a document replaced; a dossier suspended and resumed.
    draft = Dossier.objects.of(institution).filter(unit=unit, state=State.DRAFT).first()
    draft = dossier_services.update_dossier(
        dossier_id=draft.pk, person=head, expected_version=draft.version,
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ; chủ nhiệm đề tài cấp trường.",
    )  # fmt: skip
    document = draft.documents.select_related("kind").first()
    dossier_services.remove_document(
        document_id=document.pk, person=head, expected_version=draft.version
    )
    draft.refresh_from_db()
    dossier_services.add_document(
        dossier_id=draft.pk, person=head, expected_version=draft.version, kind=document.kind,
        upload=upload(f"{document.kind.code}-2.pdf"),
    )  # fmt: skip
    submitted = Dossier.objects.of(institution).filter(unit=unit, state=State.SUBMITTED).first()
    for action in ("suspend", "resume"):
        submitted = lifecycle.transition(
            dossier_id=submitted.pk, action=action, person=reviewer,
            expected_version=submitted.version, reason="Xác minh đơn phản ánh.",
        )  # fmt: skip

    returned = Dossier.objects.of(institution).filter(state=State.RETURNED).first()
    lifecycle.transition(dossier_id=returned.pk, action="resubmit",
                         person=person(f"truong.{returned.unit.code}"),
                         expected_version=returned.version)  # fmt: skip

    # Tasks: taken, put back, handed over.
    task = process.open_tasks(submitted).get()
    assignment.take(task_id=task.pk, person=reviewer)
    assignment.release(task_id=task.pk, person=reviewer)
    assignment.reassign(task_id=task.pk, person=lead, to_person=reviewer)

    # A public notice with an objection (one resolved, one still open).
    on_notice = dossier_in(State.PUBLIC_NOTICE, period, unit, award="grassroots_emulation_fighter")
    notice = PublicNotice.objects.get(dossier=on_notice)
    staff = person("truong.khtn")
    first = notices.file_objection(notice_id=notice.pk, person=staff, text="Thành tích chưa đúng.")
    notices.resolve_objection(objection_id=first.pk, person=secretary,
                              resolution="Đã xác minh: thành tích đúng.")  # fmt: skip
    notices.file_objection(notice_id=notice.pk, person=staff, text="Đề nghị xem lại minh chứng.")

    # Proposals upward: one waiting, one whose outcome the reviewer recorded.
    for state in (State.SUBMITTED_UPWARD, State.SIGNED):
        dossier_in(state, period, unit, award="provincial_certificate_of_merit")

    # One recommended dossier the principal sends back to the council.
    sent_back = dossier_in(State.RECOMMENDED, period, unit)
    lifecycle.transition(dossier_id=sent_back.pk, action="return_to_council", person=principal,
                         expected_version=sent_back.version,
                         reason="Đề nghị Hội đồng xem xét lại thành tích.")  # fmt: skip

    # A revocation drafted over one dossier of the signed decision.
    signed = Decision.objects.of(institution).get(state=Decision.State.SIGNED)
    decisions.prepare_revocation(
        person=secretary, decision_id=signed.pk, dossier_ids=[signed.items.first().dossier_id],
        reason="Kê khai thành tích không trung thực.",
    )  # fmt: skip

    # A planned meeting with its agenda and attendance; written opinions in the open one.
    reviewed = Dossier.objects.of(institution).filter(state=State.REVIEWED)
    planned = council.create_meeting(
        person=secretary, period=period, title="Phiên họp xét đợt 2",
        held_on=timezone.now() + datetime.timedelta(days=7), place="Phòng họp tầng 3",
        chair=principal,
    )  # fmt: skip
    council.set_agenda(meeting_id=planned.pk, person=secretary,
                       dossier_ids=list(reviewed.values_list("pk", flat=True)))  # fmt: skip
    absent = planned.members.exclude(person=principal).first()
    council.record_attendance(
        meeting_id=planned.pk, person=secretary,
        attendance={absent.person_id: MeetingMember.Attendance.ABSENT},
    )  # fmt: skip
    voting = Meeting.objects.get(institution=institution, state=Meeting.State.OPEN)
    # The demo's open meeting has a member recorded absent with a written opinion before opening.
    writer = voting.members.get(attendance=MeetingMember.Attendance.IN_WRITING)
    items = list(voting.agenda.all())
    council.record_written_ballot(
        meeting_id=voting.pk, person=secretary, member_id=writer.person_id,
        choices=unrecused(voting, writer.person, {item.pk: "agree" for item in items}),
        opinion=upload("y-kien-bang-van-ban.pdf"),
    )  # fmt: skip

    # Delegations: one in force, one ended early.
    given = delegations.create_delegation(
        delegator=principal, delegate=vice, role=Role.PRINCIPAL, starts_on=today,
        ends_on=today + datetime.timedelta(days=10), reason="Hiệu trưởng đi công tác.",
    )  # fmt: skip
    delegations.end_delegation(delegation_id=given.pk, person=principal)
    delegations.create_delegation(
        delegator=lead, delegate=reviewer, role=Role.LEAD_REVIEWER,
        starts_on=today + datetime.timedelta(days=11), ends_on=today + datetime.timedelta(days=20),
        reason="Nghỉ phép năm.",
    )  # fmt: skip

    # The administrator gives a role, then changes it; the thresholds change.
    from django.contrib.auth import get_user_model

    admin = administrator(get_user_model().objects.get(username="admin"))
    assignment_ = save_role_assignment(
        RoleAssignment(institution=institution, person=person("truong.nt"),
                       role=Role.COUNCIL_MEMBER, valid_from=today),
        actor=admin,
    )  # fmt: skip
    assignment_.valid_to = today + datetime.timedelta(days=365)
    save_role_assignment(assignment_, actor=admin)
    delete_role_assignment(assignment_, actor=admin)
    rules = AnomalyRules.of(institution)
    rules.max_returns, rules.weekend_days = 0, [1, 2, 3, 4, 5, 6, 7]
    anomalies.save_rules(rules, actor=admin)

    # An export of the trail and an integrity check (run here: its commit hook never fires
    # inside this transaction).
    auditor = person("kiemtra")
    snapshot = exports.snapshot(institution, TrailFilter(action="dossier.signed"))
    exports.record(snapshot, log.Actor(person=auditor, role=Role.AUDITOR), "csv", "started")
    check = integrity.request_check(institution=institution, person=auditor)
    integrity.run_check(check_id=check.pk)


# --- Reading a page as a person does ------------------------------------------------------------


class _Page(HTMLParser):
    """The visible text of a page, the text of each element, and its links."""

    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list] = []  # [tag, own text parts]
        self.texts: list[str] = []  # every text node
        self.elements: list[str] = []  # the whole text of each leaf-ish element
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        if tag in self.VOID:
            return
        if tag in self.HIDDEN:
            self.hidden += 1
        self.stack.append([tag, []])

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            open_tag, parts = self.stack.pop()
            if open_tag in self.HIDDEN:
                self.hidden -= 1
            text = " ".join(" ".join(parts).split())
            if text:
                self.elements.append(text)
            if self.stack:
                self.stack[-1][1].append(" ".join(parts))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.hidden:
            return
        self.texts.append(data)
        if self.stack:
            self.stack[-1][1].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


# --- What must not show -------------------------------------------------------------------------


def _vocabularies() -> dict[str, set[str]]:
    """The codes an audit event or a page may carry, by kind."""
    from dossiers.delegations import STATUS_LABELS

    def codes(*vocabularies) -> set[str]:
        return {str(code) for vocabulary in vocabularies for code in vocabulary}

    return {
        "action": set(AuditAction.values),
        "state": codes(State.values, Meeting.State.values, Decision.State.values,
                       IntegrityCheck.State.values),
        "role": codes(Role.values, ["administrator", "system", "staff"]),
        "object": {"dossier", "meeting", "decision", "delegation", "role_assignment", "notice",
                   "proposal_memo", "integrity_check", "audit_trail", "anomaly_rules"},
        "other": codes(
            Decision.Kind.values, MeetingMember.Attendance.values, Participation.Channel.values,
            AwardType.Comparison.values, AwardType.VoteBase.values,
            STATUS_LABELS, AwardType.objects.values_list("code", flat=True).distinct(),
            DocumentKind.objects.values_list("code", flat=True).distinct(),
        ),
    }  # fmt: skip


def _alternatives(codes) -> str:
    return "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True))


class Codes:
    """Where each kind of code gives itself away in a page's text."""

    def __init__(self):
        kinds = _vocabularies()
        every = set().union(*kinds.values())
        self.compound = {c for c in every if "_" in c or "." in c}
        self.words = every - self.compound

        def simple(kind):
            return _alternatives(kinds[kind] - self.compound)

        # Not part of a longer word, a file name (nomination_form.pdf) or a path.
        self.anywhere = re.compile(rf"(?<![\w./-])({_alternatives(self.compound)})(?![\w/-]|\.\w)")
        state, role, thing = simple("state"), simple("role"), simple("object")
        # English labels start with a capital and Vietnamese ones have no English in them, so a
        # lowercase code right after an arrow, between parentheses or before a number is one.
        self.in_text_patterns = [
            re.compile(rf"→\s*({state})(?!\w)"),  # — → open
            re.compile(rf"(?:[—·:(]\s?)({state})\s*→"),  # · planned → open
            re.compile(rf"\(({role})\)"),  # Nguyễn Văn A (reviewer)
            re.compile(rf"(?:[(\[:·—,]\s?)({thing})\s#?\d"),  # (meeting 3)
        ]
        # The same at the start of an element of its own (a table cell).
        self.in_element_patterns = [
            re.compile(rf"^({state})\s*→"),
            re.compile(rf"^({thing})\s#?\d"),
        ]

    def in_page(self, page: _Page) -> list[str]:
        text = page.text
        found = [f"code {m.group(1)!r}" for m in self.anywhere.finditer(text)]
        for pattern in self.in_text_patterns:
            found += [
                f"code {m.group(1)!r} in «{_around(text, m)}»" for m in pattern.finditer(text)
            ]
        for element in page.elements:
            if element in self.words:
                found.append(f"code {element!r} as the whole text of an element")
            for pattern in self.in_element_patterns:
                found += [f"code {m.group(1)!r} in «{element[:80]}»"
                          for m in pattern.finditer(element)]  # fmt: skip
        return found


# Django's own words, as English leaves them when Vietnamese lacks them (timesince, dates).
DJANGO_WORDS = re.compile(
    r"\b(minutes?|hours?|days?|weeks?|months?|years?|ago|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"midnight|noon|a\.m\.|p\.m\.)\b"
)
# What viewflow calls the nodes of a flow chart it has no title for.
VIEWFLOW_WORDS = {"Start", "End", "Route", "Switch", "If", "Join", "Split"}
NONE = re.compile(r"(?<![\w.])None(?![\w.])")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>")


def _po_entries(path: Path) -> list[tuple[str, str]]:
    """(msgid, first msgstr) of a .po file, obsolete entries left out."""
    entries, msgid, msgstr, field = [], None, None, None

    def flush():
        if msgid:
            entries.append((msgid, msgstr or ""))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            if line.startswith("#~"):
                continue
            if not line and msgid is not None:
                flush()
                msgid, msgstr, field = None, None, None
            continue
        if line.startswith("msgid "):
            if msgid is not None:
                flush()
            msgid, msgstr, field = json.loads(line[6:]), None, "msgid"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr ") or line.startswith("msgstr[0] "):
            msgstr, field = json.loads(line.split(" ", 1)[1]), "msgstr"
        elif line.startswith("msgstr["):
            field = "other"
        elif line.startswith('"'):
            value = json.loads(line)
            if field == "msgid":
                msgid += value
            elif field == "msgstr":
                msgstr += value
    flush()
    return entries


def _english() -> tuple[list[str], set[str]]:
    """The catalogue's English as a Vietnamese page must never show it: literal pieces of
    several words, and whole messages (a button, a tooltip), of the messages whose Vietnamese
    differs (names such as "JSON Lines" stay as they are)."""
    po = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    pieces, messages = set(), set()
    for msgid, msgstr in _po_entries(po):
        if msgstr == msgid:
            continue
        if not PLACEHOLDER.search(msgid):
            messages.add(" ".join(msgid.split()))
        for piece in PLACEHOLDER.split(msgid):
            piece = " ".join(piece.split()).strip(" .,:;·—–-()")
            if len(piece.split()) >= 3 or (len(piece.split()) == 2 and len(piece) >= 12):
                pieces.add(piece)
    return sorted(pieces, key=len, reverse=True), messages


class Checker:
    def __init__(self):
        self.codes = Codes()
        self.english_pieces, self.english_messages = _english()

    def problems(self, page: _Page, language: str) -> list[str]:
        text = page.text
        found = self.codes.in_page(page)
        found += [f"Python's None in «{_around(text, m)}»" for m in NONE.finditer(text)]
        if language == "vi":
            found += [f"English «{_around(text, m)}»" for m in DJANGO_WORDS.finditer(text)]
            found += [f"English «{s}»" for s in self.english_pieces if _contains_phrase(text, s)]
            found += [f"English «{e}»" for e in page.elements
                      if e in self.english_messages or e in VIEWFLOW_WORDS]  # fmt: skip
        return sorted(set(found))


def _contains_phrase(text: str, phrase: str) -> bool:
    return phrase in text and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _around(text: str, match: re.Match, width: int = 40) -> str:
    return text[max(0, match.start() - width) : match.end() + width]


@pytest.fixture(scope="module")
def checker(crawled_college) -> Checker:
    return Checker()


# --- The crawl ----------------------------------------------------------------------------------


def _internal(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or FILE_URL.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    pages: dict[str, list[str]]  # url: the problems found on it
    broken: list[str]  # links that answer with an error, and where they are shown


def crawl(client: Client, checker: Checker, language: str, limit: int = PAGES_PER_ROLE) -> Crawl:
    """Every page reachable from the home page through the links shown, breadth first."""
    queue, shown_on, pages, broken = ["/"], {"/": "(start)"}, {}, []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            broken.append(f"{url} ({response.status_code}), linked from {shown_on[url]}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = read_page(response.content.decode("utf-8"))
        pages[url] = checker.problems(page, language)
        for href in page.links:
            link = _internal(url, href)
            if link and link not in shown_on:
                shown_on[link] = url
                queue.append(link)
    return Crawl(pages, broken)


def login(college, role: str, language: str) -> Client:
    client = Client()
    client.force_login(_person(college, ACCOUNTS[role]).user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture(scope="module")
def crawls(crawled_college, checker) -> Callable[[str, str], Crawl]:
    """Each role's crawl in each language, done once (the tests read it two ways)."""
    done: dict[tuple[str, str], Crawl] = {}

    def crawl_as(role: str, language: str) -> Crawl:
        if (role, language) not in done:
            done[role, language] = crawl(login(crawled_college, role, language), checker, language)
        return done[role, language]

    return crawl_as


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_shows_labels_and_titles_never_codes(college, crawls, role, language):
    result = crawls(role, language)

    problems = {url: found for url, found in result.pages.items() if found}
    report = "\n".join(f"{url}\n    " + "\n    ".join(found) for url, found in problems.items())
    assert not problems, f"{role} in {language}, {len(result.pages)} pages:\n{report}"
    assert len(result.pages) > 5, f"{role} reached only {list(result.pages)}"


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_link_a_role_is_shown_opens(college, crawls, role):
    result = crawls(role, "en")

    assert not result.broken, f"{role}: links that fail:\n" + "\n".join(result.broken)


def test_the_auditor_reaches_the_trail_the_stories_and_the_anomalies(college, crawls):
    pages = crawls(Role.AUDITOR, "vi").pages

    assert {"/audit/", "/audit/anomalies/", "/audit/integrity/"} <= set(pages)
    assert any(re.fullmatch(r"/audit/dossiers/\d+/", url) for url in pages)
    assert any(re.fullmatch(r"/meetings/\d+/", url) for url in pages)


def test_who_acts_without_a_role_has_a_translated_label_too():
    from auditing import labels

    assert _in_vietnamese(labels.role_label, "system") == "Hệ thống"
    assert _in_vietnamese(labels.role_label, "administrator") == "Quản trị viên"
    assert _in_vietnamese(labels.role_label, "staff") == "Cán bộ, viên chức"
    assert _in_vietnamese(labels.actor_label, "system", "system") == "Hệ thống"
    assert labels.actor_label("admin", "administrator") == "admin"  # a name stays a name
    assert labels.role_label("retired_role") == "retired_role"  # from an older release


# --- The exports --------------------------------------------------------------------------------


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _labels(language: str) -> dict[str, set[str]]:
    from django.utils import translation

    from auditing import labels

    with translation.override(language):
        return {
            "title": {str(label) for label in AuditAction.labels},
            "role": {labels.role_label(code) for code in [*Role.values, *labels.PSEUDO_ROLES]},
            "object": {labels.object_type_label(code) for code in labels.OBJECT_TYPES},
            "state": {str(label) for choices in labels.STATES.values() for label in choices.labels},
        }


def _in_vietnamese(function, *args) -> str:
    from django.utils import translation

    with translation.override("vi"):
        return str(function(*args))


def _titled(action: str) -> str:
    return _in_vietnamese(lambda code: AuditAction(code).label, action)


# The columns of the CSV (auditing.exports.CSV_COLUMNS) meant for people, and the JSON payload.
ROLE, ACTION, OBJECT_TYPE, FROM_STATE, TO_STATE, PAYLOAD = 3, 5, 6, 8, 9, 11


def test_the_csv_export_gives_titles_and_labels_in_its_columns_for_people(college, checker):
    from auditing import labels

    response = login(college, Role.AUDITOR, "en").get("/audit/export.csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"), newline="")))[1:]
    events = AuditEvent.objects.filter(institution=college, sequence__lte=len(rows))
    vi = _labels("vi")

    def column(n):
        return {row[n] for row in rows if row[n]}

    assert column(ACTION) == {_titled(action) for action in events.values_list("action", flat=True)}
    assert column(ROLE) <= vi["role"], column(ROLE) - vi["role"]
    assert column(OBJECT_TYPE) <= vi["object"], column(OBJECT_TYPE) - vi["object"]
    states = column(FROM_STATE) | column(TO_STATE)
    assert states <= vi["state"], states - vi["state"]
    for row in rows:
        people = " ".join(cell for n, cell in enumerate(row) if n != PAYLOAD)
        assert not checker.codes.anywhere.findall(people), row
    opened = next(row for row in rows if row[ACTION] == _titled("meeting.vote_opened"))
    assert (opened[FROM_STATE], opened[TO_STATE]) == (
        _in_vietnamese(labels.state_label, "meeting", "planned"),
        _in_vietnamese(labels.state_label, "meeting", "open"),
    )


def test_the_jsonl_export_is_the_chain_with_its_codes(college):
    response = login(college, Role.AUDITOR, "en").get("/audit/export.jsonl")
    lines = [json.loads(line) for line in _body(response).decode("utf-8").splitlines()]
    events = list(AuditEvent.objects.filter(institution=college).order_by("sequence"))[: len(lines)]

    assert [hashchain.to_jsonl(line) for line in lines] == [
        hashchain.to_jsonl(e.as_chain_event(college.code)) for e in events
    ]
    assert {line["action"] for line in lines} <= set(AuditAction.values)
    titles = _labels("vi")["title"] | _labels("en")["title"]
    for line in lines:  # a field meant for people, if the format ever gets one, holds a title
        for key in ("title", "action_title"):
            assert key not in line or line[key] in titles


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_pdf_report_gives_titles_and_labels(college, checker):
    from auditing import labels

    def vi(function, *args):
        return _in_vietnamese(function, *args)

    outcome = AuditEvent.objects.get(institution=college, action="dossier.outcome_recorded")
    objection = AuditEvent.objects.filter(action="notice.objection_filed").first()
    expected = {
        f"dossier_id={outcome.object_id}": [
            _titled("dossier.submitted_upward"), _titled("dossier.outcome_recorded"),
            vi(labels.state_change, "dossier", "recommended", "submitted_upward"),
        ],
        "action=meeting.vote_opened": [
            _titled("meeting.vote_opened"), vi(labels.state_change, "meeting", "planned", "open"),
        ],
        "action=ballot.recorded_in_writing": [
            _titled("ballot.recorded_in_writing"), vi(labels.role_label, "council_secretary"),
        ],
        "action=role.changed": [_titled("role.changed"), vi(labels.role_label, "administrator")],
        "action=notice.objection_filed": [
            _titled("notice.objection_filed"), vi(labels.role_label, "staff"),
            vi(labels.object_label, "notice", objection.object_id),
        ],
    }  # fmt: skip
    client = login(college, Role.AUDITOR, "en")
    for query, shown in expected.items():
        response = client.get(f"/audit/export.pdf?{query}")
        assert response.status_code == 200, _body(response)
        text = _pdf_text(_body(response))

        assert not checker.codes.anywhere.findall(text), (query, text)
        for pattern in checker.codes.in_text_patterns:
            assert not pattern.findall(text), (query, pattern.findall(text))
        assert "— →" not in text, query
        for words in shown:
            assert words in text, (query, words, text)


# --- Every form a role is shown, fuzzed ----------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the names of the fields a person fills."""

    FILLED = {"text", "textarea", "number", "date", "datetime-local", "email", "search", "select",
              "checkbox", "radio", "password", "url", "tel"}  # fmt: skip

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._open = (attributes.get("method") or "get").lower() == "post"
            if self._open:
                self.forms.append((attributes.get("action") or "", set()))
        elif self._open and tag in ("input", "select", "textarea") and attributes.get("name"):
            kind = tag if tag != "input" else (attributes.get("type") or "text").lower()
            if kind in self.FILLED:
                self.forms[-1][1].add(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = False


def _forms_shown(client: Client, urls) -> dict[str, set[str]]:
    """Every POST form with fields on these pages: its action, and its fields' names."""
    found: dict[str, set[str]] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode("utf-8"))
        for action, fields in parser.forms:
            target = _internal(url, action) if action else url.split("?")[0]
            if target and fields and not target.startswith(("/i18n/", "/logout/")):
                found.setdefault(target, set()).update(fields)
    return found


def _fuzz(client: Client, action: str, fields: set[str], value) -> None:
    """A few arbitrary fillings of one form, each rolled back."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    @hypothesis_settings(max_examples=5, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.fixed_dictionaries({name: value for name in sorted(fields)}))
    def answers(data):
        with transaction.atomic():
            response = client.post(action, data)
            transaction.set_rollback(True)
        # 502 is the signing pages' documented answer when the key cannot be used (a
        # mistyped PIN among them): the attempt is recorded and nothing else changes.
        signing = action.endswith(("/sign/", "/complete-signing/"))
        assert response.status_code < 500 or (signing and response.status_code == 502), (
            action, data,
        )  # fmt: skip

    answers()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_no_form_a_role_is_shown_fails_on_any_input(college, crawls, role):
    """Arbitrary text, numbers, dates and ids in every field of every form a role meets: a page,
    a form error or a 4xx, never a server error (the test client raises a view's exception)."""
    from hypothesis import strategies as st

    client = login(college, role, "en")
    forms = _forms_shown(client, crawls(role, "en").pages)
    value = st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(datetime.date.isoformat),
        st.just(""),
    )

    for action, fields in sorted(forms.items()):
        _fuzz(client, action, fields, value)
    assert forms, f"{role} was shown no form"
