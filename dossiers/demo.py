"""A fictional staff of a provincial teacher-training college, for trying the product out.

Deterministic and idempotent: running it again finds what it created and adds nothing.
The demo password exists only here and is printed by `manage.py demo`.
"""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dossiers.catalogue_defaults import install_award_catalogue
from dossiers.demo_cycle import play_demo_cycle
from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Institution,
    NominationCap,
    Period,
    Person,
    Rating,
    RecognisedInitiative,
    Role,
    RoleAssignment,
    TitleRecord,
    Unit,
)
from dossiers.models.workdays import SATURDAY, CalendarDay, HolidayYear

DEMO_PASSWORD = "thidua-demo-2026"  # noqa: S105 - demo data only, printed by the command
STAFF_TOTAL = 150

INSTITUTION = {
    "code": "cdngt",
    "name": "Trường Cao đẳng Ngô Gia Tự",
    "short_name": "CĐNGT",
    "parent_body": "UBND TỈNH BẮC NINH",
    "place": "Bắc Ninh",
    "decision_series": "QĐ-CĐNGT",
    "issuer_lines": "Trường Cao đẳng\nNgô Gia Tự",
    # A sample: the real recital cites the province's decision on the college's functions.
    "authority_recital": "Căn cứ Quyết định số 1234/QĐ-UBND ngày 15 tháng 8 năm 2023 của Ủy ban "
    "nhân dân tỉnh Bắc Ninh quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Trường "
    "Cao đẳng Ngô Gia Tự (mẫu cho bản demo);",
}

# code, name, kind, title of the head, share of the staff
UNITS = [
    ("bgh", "Ban Giám hiệu", "board", "Hiệu trưởng", 0),
    ("gdth", "Khoa Giáo dục Tiểu học", "faculty", "Trưởng khoa", 20),
    ("gdmn", "Khoa Giáo dục Mầm non", "faculty", "Trưởng khoa", 18),
    ("khtn", "Khoa Khoa học Tự nhiên", "faculty", "Trưởng khoa", 16),
    ("khxh", "Khoa Khoa học Xã hội", "faculty", "Trưởng khoa", 15),
    ("nn", "Khoa Ngoại ngữ", "faculty", "Trưởng khoa", 12),
    ("nt", "Khoa Nghệ thuật", "faculty", "Trưởng khoa", 10),
    ("gdtc", "Khoa Giáo dục Thể chất", "faculty", "Trưởng khoa", 9),
    ("tchc", "Phòng Tổ chức - Hành chính", "office", "Trưởng phòng", 12),
    ("dt", "Phòng Đào tạo", "office", "Trưởng phòng", 9),
    ("khtc", "Phòng Kế hoạch - Tài chính", "office", "Trưởng phòng", 7),
    ("ktdbcl", "Phòng Khảo thí và Đảm bảo chất lượng", "office", "Trưởng phòng", 6),
    ("ttttv", "Trung tâm Thông tin - Thư viện", "centre", "Giám đốc trung tâm", 8),
    ("cd", "Công đoàn trường", "union", "Chủ tịch Công đoàn", 0),
]

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Đào",
    "Phan",
    "Trịnh",
    "Nghiêm",
    "Thân",
    "Giáp",
]
MIDDLE = {
    "female": ["Thị", "Thu", "Thanh", "Ngọc", "Minh", "Thúy", "Hồng"],
    "male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân"],
}
GIVEN = {
    "female": [
        "Hương",
        "Lan",
        "Mai",
        "Hạnh",
        "Thảo",
        "Trang",
        "Hà",
        "Linh",
        "Yến",
        "Phương",
        "Hằng",
        "Nhung",
        "Huyền",
        "Oanh",
        "Thủy",
        "Ngân",
        "Loan",
        "Dung",
    ],
    "male": [
        "Hùng",
        "Dũng",
        "Tuấn",
        "Nam",
        "Hải",
        "Long",
        "Sơn",
        "Thắng",
        "Cường",
        "Bình",
        "Quân",
        "Khánh",
        "Tùng",
        "Đức",
        "Toàn",
        "Phúc",
        "Hiếu",
        "Thành",
    ],
}

# Named accounts people log in with: username, unit, position, roles (unit head: of that unit).
NAMED_ACCOUNTS = [
    ("hieutruong", "bgh", "Hiệu trưởng", [Role.PRINCIPAL, Role.COUNCIL_MEMBER, Role.UNIT_HEAD]),
    ("phohieutruong", "bgh", "Phó Hiệu trưởng", [Role.VICE_PRINCIPAL, Role.COUNCIL_MEMBER]),
    ("phohieutruong2", "bgh", "Phó Hiệu trưởng", [Role.VICE_PRINCIPAL, Role.COUNCIL_MEMBER]),
    ("thuky", "tchc", "Phó Trưởng phòng", [Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER]),
    ("thamdinh", "tchc", "Chuyên viên", [Role.REVIEWER, Role.LEAD_REVIEWER]),
    ("thamdinh2", "tchc", "Chuyên viên", [Role.REVIEWER]),
    ("kiemtra", "khtc", "Trưởng ban Thanh tra nhân dân", [Role.AUDITOR]),
    ("chutichcongdoan", "cd", "Chủ tịch Công đoàn", [Role.COUNCIL_MEMBER, Role.UNIT_HEAD]),
    ("tochuc", "tchc", "Chuyên viên", [Role.PERSONNEL_OFFICER]),
]
# Heads of these units also sit on the council.
COUNCIL_UNIT_HEADS = {"gdth", "gdmn", "khtn", "dt", "tchc"}


@dataclass
class DemoSummary:
    institution: Institution
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, name, roles
    created_people: int = 0
    created_dossiers: int = 0


@transaction.atomic
def load_demo(today: datetime.date | None = None) -> DemoSummary:
    """Create the demo college, its staff, roles, periods and catalogue; return the accounts."""
    today = today or timezone.localdate()
    institution, _ = Institution.objects.get_or_create(
        code=INSTITUTION["code"], defaults=INSTITUTION
    )
    install_award_catalogue(institution)
    _nomination_cap(institution)
    units = _units(institution)
    periods = _periods(institution, today)
    builder = _StaffBuilder(institution, units, make_password(DEMO_PASSWORD))
    summary = DemoSummary(institution=institution)
    builder.named_accounts(today)
    builder.unit_heads(today)
    builder.staff()
    summary.created_people = builder.created
    _records(institution, periods)
    _working_calendar(today.year)
    summary.created_dossiers = play_demo_cycle(institution, periods[today.year])
    summary.accounts = _account_list(institution)
    return summary


def _nomination_cap(institution) -> None:
    """A cap of the college's own (a sample, not the law): warned about, never enforced."""
    NominationCap.objects.get_or_create(
        institution=institution,
        award_type=AwardType.objects.get(institution=institution,
                                         code="grassroots_emulation_fighter"),
        defaults={"name": "CSTĐCS", "percent": 30,
                  "basis": "Quy chế thi đua, khen thưởng của Trường (mẫu cho bản demo)"},
    )  # fmt: skip


def _units(institution) -> dict[str, Unit]:
    units = {}
    for code, name, kind, _head, _size in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            institution=institution, code=code, defaults={"name": name, "kind": kind}
        )
    return units


def _periods(institution, today) -> dict[int, Period]:
    """Calendar years: this year is current (its deadlines in December), two before it closed."""
    periods = {}
    for year in (today.year - 2, today.year - 1, today.year):
        current = year == today.year
        periods[year], _ = Period.objects.get_or_create(
            institution=institution,
            name=f"Năm {year}",
            defaults={
                "kind": Period.Kind.CALENDAR_YEAR,
                "starts_on": datetime.date(year, 1, 1),
                "ends_on": datetime.date(year, 12, 31),
                "is_current": current,
                "submit_by": datetime.date(year, 12, 5),
                "review_by": datetime.date(year, 12, 12),
                "council_by": datetime.date(year, 12, 19),
                "sign_by": datetime.date(year, 12, 28),
            },
        )
    return periods


class _StaffBuilder:
    def __init__(self, institution, units, password_hash):
        self.institution = institution
        self.units = units
        self.password_hash = password_hash
        self.rng = random.Random(2026)  # noqa: S311 - reproducible demo names, not security
        self.used_names: set[str] = set(
            Person.objects.of(institution).values_list("full_name", flat=True)
        )
        self.created = 0

    def person(self, username, unit_code, position, *, leader, gender=None) -> Person:
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=username, defaults={"password": self.password_hash}
        )
        existing = Person.objects.filter(user=user).first()
        if existing:
            return existing
        gender = gender or self.rng.choice(["female", "female", "male"])
        self.created += 1
        return Person.objects.create(
            institution=self.institution,
            user=user,
            full_name=self._new_name(gender),
            unit=self.units[unit_code],
            position=position,
            holds_leadership_post=leader,
            gender=gender,
            email=f"{username}@cdngt.example.edu.vn",
            # Every September intake from 2005 to 2022, by the username (the names' draw is kept).
            employed_since=datetime.date(2005 + zlib.crc32(username.encode()) % 18, 9, 1),
        )

    def _new_name(self, gender) -> str:
        while True:
            name = " ".join(
                [
                    self.rng.choice(FAMILY),
                    self.rng.choice(MIDDLE[gender]),
                    self.rng.choice(GIVEN[gender]),
                ]
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def grant(self, person, role, unit=None, since=None):
        RoleAssignment.objects.get_or_create(
            institution=self.institution,
            person=person,
            role=role,
            unit=unit,
            defaults={"valid_from": since or datetime.date(2024, 1, 1)},
        )

    def named_accounts(self, today):
        for username, unit_code, position, roles in NAMED_ACCOUNTS:
            leader = position.startswith(("Hiệu", "Phó", "Chủ tịch", "Trưởng"))
            person = self.person(username, unit_code, position, leader=leader)
            for role in roles:
                unit = self.units[unit_code] if role in Role.UNIT_SCOPED else None
                self.grant(person, role, unit)

    def unit_heads(self, today):
        for code, _name, _kind, head_title, size in UNITS:
            if not size:
                continue
            head = self.person(f"truong.{code}", code, head_title, leader=True)
            self.grant(head, Role.UNIT_HEAD, self.units[code])
            if code in COUNCIL_UNIT_HEADS:
                self.grant(head, Role.COUNCIL_MEMBER)

    def staff(self):
        """Fill each unit up to its share of the staff, with a deputy head in larger units."""
        for code, _name, kind, head_title, size in UNITS:
            for n in range(1, size):
                deputy = n == 1 and size >= 12
                position = (
                    ("Phó " + head_title[0].lower() + head_title[1:])
                    if deputy
                    else ("Giảng viên" if kind == "faculty" else "Chuyên viên")
                )
                self.person(f"{code}.{n:02d}", code, position, leader=deputy)


def _records(institution, periods):
    """Ratings for every period, a few disciplinary records, initiatives and title history."""
    if AnnualRating.objects.of(institution).exists():
        return
    rng = random.Random(98)  # noqa: S311 - reproducible demo data
    people = list(Person.objects.of(institution).order_by("user__username"))
    awards = {a.code: a for a in AwardType.objects.of(institution)}
    ratings, titles, initiatives, discipline = [], [], [], []
    for year, period in sorted(periods.items()):
        for person in people:
            rating = rng.choices(
                [
                    Rating.COMPLETED_EXCELLENTLY,
                    Rating.COMPLETED_WELL,
                    Rating.COMPLETED,
                    Rating.NOT_COMPLETED,
                ],
                weights=[18, 62, 18, 2],
            )[0]
            ratings.append(
                AnnualRating(institution=institution, person=person, period=period, rating=rating)
            )
            if period.is_current:
                if rng.random() < 0.06:
                    initiatives.append(
                        RecognisedInitiative(
                            institution=institution,
                            person=person,
                            period=period,
                            kind=rng.choice(["initiative", "research"]),
                            scope="grassroots",
                            title=f"Đổi mới phương pháp dạy học của {person.full_name}",
                            recognised_on=datetime.date(year, 6, 15),
                        )
                    )
                if rng.random() < 0.02:
                    discipline.append(
                        DisciplinaryRecord(
                            institution=institution,
                            person=person,
                            period=period,
                            level=DisciplineLevel.REPRIMAND,
                            decided_on=datetime.date(year, 4, 20),
                            note="Vi phạm quy chế chuyên môn",
                        )
                    )
                continue
            if rating >= Rating.COMPLETED_WELL:
                titles.append(
                    TitleRecord(
                        institution=institution,
                        person=person,
                        award_type=awards["advanced_worker"],
                        year=year,
                        source=TitleRecord.Source.IMPORTED,
                        decision_reference=f"QĐ khen thưởng năm {year}",
                    )
                )
            if rating == Rating.COMPLETED_EXCELLENTLY:
                titles.append(
                    TitleRecord(
                        institution=institution,
                        person=person,
                        award_type=awards["grassroots_emulation_fighter"],
                        year=year,
                        source=TitleRecord.Source.IMPORTED,
                        decision_reference=f"QĐ khen thưởng năm {year}",
                    )
                )
    AnnualRating.objects.bulk_create(ratings)
    TitleRecord.objects.bulk_create(titles)
    RecognisedInitiative.objects.bulk_create(initiatives)
    DisciplinaryRecord.objects.bulk_create(discipline)


# The Labour Code 2019's holidays on fixed solar dates (art. 112). Tết, Giỗ Tổ Hùng Vương and
# the second day of Quốc khánh move each year: the office enters them from the announcement.
SOLAR_HOLIDAYS = [
    (1, 1, "Tết Dương lịch", "New Year's Day"),
    (4, 30, "Ngày Chiến thắng", "Reunification Day"),
    (5, 1, "Ngày Quốc tế lao động", "International Labour Day"),
    (9, 2, "Quốc khánh", "National Day"),
]


def _working_calendar(year: int) -> None:
    """The year's solar-date holidays as sample data; one on a weekend gives the next working
    day off (art. 111.3). Marked entered so the demo counts them, and labelled as a sample."""
    taken = set()
    for month, day, name_vi, name_en in SOLAR_HOLIDAYS:
        date = datetime.date(year, month, day)
        while date.weekday() >= SATURDAY or date in taken:
            date += datetime.timedelta(days=1)
        taken.add(date)
        CalendarDay.objects.get_or_create(
            date=date, defaults={"name_vi": name_vi, "name_en": name_en}
        )
    HolidayYear.objects.get_or_create(
        year=year,
        defaults={"announcement": "Dữ liệu mẫu: chỉ các ngày lễ dương lịch (Điều 112 BLLĐ 2019)"},
    )


def _account_list(institution) -> list[tuple[str, str, str]]:
    named = [a[0] for a in NAMED_ACCOUNTS] + [f"truong.{u[0]}" for u in UNITS if u[4]]
    people = {
        p.user.username: p
        for p in Person.objects.of(institution)
        .filter(user__username__in=named)
        .select_related("user")
        .prefetch_related("role_assignments__unit")
    }
    accounts = []
    for username in named:
        person = people[username]
        roles = ", ".join(
            str(a.get_role_display()) + (f" ({a.unit.name})" if a.unit_id else "")
            for a in person.role_assignments.all()
        )
        accounts.append((username, person.full_name, roles))
    return accounts
