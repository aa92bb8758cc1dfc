"""The institution bench_data fills: ~30 units, the demo's named accounts and unit heads, staff.

Accounts follow the demo's scheme (dossiers.demo) with the institution's code in front, so that
several benchmark institutions and the demo college can share one database: `bench.thamdinh` is
the reviewer of institution `bench`, `bench.truong.gdth` a unit head; all have the demo password.
"""

from __future__ import annotations

import datetime
import itertools
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dossiers import demo
from dossiers.catalogue_defaults import install_award_catalogue
from dossiers.models import Institution, Period, Person, Role, RoleAssignment, Unit

PERIODS = 5  # calendar years, the last one current
EXTRA_UNITS = [
    "Toán", "Vật lý", "Hóa học", "Sinh học", "Ngữ văn", "Lịch sử", "Địa lý", "Tin học",
    "Tâm lý học", "Giáo dục học", "Âm nhạc", "Mỹ thuật", "Tiếng Anh", "Tiếng Trung",
    "Lý luận chính trị", "Giáo dục quốc phòng",
]  # fmt: skip
# code, name, kind, title of the head, share of the staff (the demo's fourteen, then sixteen more)
UNITS = demo.UNITS + [
    (f"bm{n:02d}", f"Tổ bộ môn {name}", "faculty", "Tổ trưởng", 8)
    for n, name in enumerate(EXTRA_UNITS, start=1)
]
REVIEWER = "thamdinh"
UNIT_HEAD = "truong.gdth"
AUDITOR = "kiemtra"
LEADING = ("Hiệu", "Phó", "Chủ tịch", "Trưởng", "Tổ trưởng", "Giám đốc")


def username(institution: Institution, name: str) -> str:
    return f"{institution.code}.{name}"


def institution_for(code: str) -> tuple[Institution, bool]:
    """The institution with this code, created (with catalogue, units, periods) if missing."""
    found = Institution.objects.filter(code=code).first()
    if found:
        return found, False
    institution = Institution.objects.create(
        code=code, name=f"Trường Cao đẳng Đo tải {code}", short_name="CĐĐT",
        parent_body="UBND TỈNH BẮC NINH", place="Bắc Ninh", decision_series="QĐ-CĐĐT",
    )  # fmt: skip
    install_award_catalogue(institution)
    Unit.objects.bulk_create(
        Unit(institution=institution, code=code_, name=name, kind=kind)
        for code_, name, kind, _head, _size in UNITS
    )
    _periods(institution, timezone.localdate().year)
    _accounts(institution)
    return institution, True


def _periods(institution: Institution, year: int) -> None:
    Period.objects.bulk_create(
        Period(
            institution=institution, name=f"Năm {y}", kind=Period.Kind.CALENDAR_YEAR,
            starts_on=datetime.date(y, 1, 1), ends_on=datetime.date(y, 12, 31),
            is_current=y == year, submit_by=datetime.date(y, 12, 5),
            review_by=datetime.date(y, 12, 12), council_by=datetime.date(y, 12, 19),
            sign_by=datetime.date(y, 12, 28),
        )
        for y in range(year - PERIODS + 1, year + 1)
    )  # fmt: skip


def _accounts(institution: Institution) -> None:
    """The demo's named accounts and a head for every unit, with their roles."""
    units = {u.code: u for u in Unit.objects.of(institution)}
    people, grants = [], []
    for name, unit_code, position, roles in demo.NAMED_ACCOUNTS:
        people.append((name, units[unit_code], position))
        grants += [(name, role, units[unit_code] if role in Role.UNIT_SCOPED else None)
                   for role in roles]  # fmt: skip
    headed = {u for _n, u, _p, roles in demo.NAMED_ACCOUNTS if Role.UNIT_HEAD in roles}
    for code, _name, _kind, head_title, _size in UNITS:
        if code in headed:
            continue
        people.append((f"truong.{code}", units[code], head_title))
        grants.append((f"truong.{code}", Role.UNIT_HEAD, units[code]))
        if code in demo.COUNCIL_UNIT_HEADS:
            grants.append((f"truong.{code}", Role.COUNCIL_MEMBER, None))
    made = _people(institution, people, leaders=True)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(institution=institution, person=made[name], role=role, unit=unit,
                       valid_from=datetime.date(2020, 1, 1))
        for name, role, unit in grants
    )  # fmt: skip


def _people(institution, people, *, leaders=False) -> dict[str, Person]:
    """People with login accounts: (name without the code, unit, position) each."""
    rng = random.Random(f"{institution.code}-{len(people)}")  # noqa: S311 - names, not secrets
    password = make_password(demo.DEMO_PASSWORD)
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=username(institution, name), password=password) for name, _u, _p in people
    )
    persons = []
    for user, (name, unit, position) in zip(users, people, strict=True):
        gender = rng.choice(["female", "female", "male"])
        full_name = " ".join([rng.choice(demo.FAMILY), rng.choice(demo.MIDDLE[gender]),
                              rng.choice(demo.GIVEN[gender])])  # fmt: skip
        persons.append(Person(
            institution=institution, user=user, full_name=full_name, unit=unit,
            position=position, holds_leadership_post=leaders and position.startswith(LEADING),
            gender=gender,
            email=f"{name}@{institution.code}.example.edu.vn",
        ))  # fmt: skip
    made = Person.objects.bulk_create(persons)
    return {name: person for (name, _u, _p), person in zip(people, made, strict=True)}


def add_staff(institution: Institution, count: int) -> None:
    """`count` more staff, spread over the units by their share; none holds a role."""
    if count <= 0:
        return
    units = {u.code: u for u in Unit.objects.of(institution)}
    shares = [code for code, _n, _k, _h, size in UNITS for _ in range(size)]
    first = Person.objects.of(institution).count() + 1
    cycle = itertools.cycle(shares)
    people = []
    for n in range(first, first + count):
        code = next(cycle)
        kind = next(k for c, _n, k, _h, _s in UNITS if c == code)
        position = "Giảng viên" if kind == "faculty" else "Chuyên viên"
        people.append((f"{code}.{n:05d}", units[code], position))
    _people(institution, people)


def staff(institution: Institution) -> list[Person]:
    """Who may be nominated: everyone but the named accounts and the unit heads."""
    return list(
        Person.objects.of(institution)
        .filter(holds_leadership_post=False, role_assignments__isnull=True)
        .order_by("pk")
    )
