"""No input is a server error: arbitrary strings, dates and numbers thrown at every GET filter of
the pages and the API, and at every form, are answered with a page, a form error or a 4xx."""

from __future__ import annotations

import datetime
import inspect

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.models import Role
from tests.conftest import make_person
from tests.factories import login
from tests.test_text_bounds import _classes

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
NUMBER = st.integers(min_value=-(2**70), max_value=2**70).map(str)
DAY = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
VALUE = st.one_of(TEXT, NUMBER, DAY.map(datetime.date.isoformat),
                  DAY.map(lambda day: day.strftime("%d/%m/%Y")), st.just(""))  # fmt: skip

# Each page or API list, with the GET parameters it reads.
TRAIL = ["period_id", "unit_id", "dossier_id", "person", "actor_id", "action", "state",
         "date_from", "date_to", "text", "before"]  # fmt: skip
FILTERS = {
    "/audit/": TRAIL,
    "/audit/export.csv": TRAIL,
    "/audit/export.jsonl": TRAIL,
    "/dossiers/": ["state", "period", "unit", "page", "sort"],
    "/tasks/": ["step", "unit", "award", "overdue", "page"],
    "/decisions/": ["page"],
    "/decisions/new/": ["award"],
    "/meetings/": ["page"],
    "/unit-meetings/": ["period", "unit", "page"],
    "/statistics/": ["period"],
    "/notices/": ["page"],
    "/verify/": ["page"],
    "/api/v1/dossiers/": ["state", "period", "unit", "award_type", "cursor"],
    "/api/v1/audit/events/": [*TRAIL, "cursor"],
    "/api/v1/tasks/": ["step", "unit", "award", "overdue"],
    "/api/v1/people/": ["unit", "active"],
    "/api/v1/delegations/": ["direction"],
    "/api/v1/notices/": ["status"],
}


@pytest.fixture
def everyone(institution, unit_b):
    """One person holding every role, so that every page opens for the fuzzing."""
    return make_person(institution, unit_b, roles=(Role.AUDITOR, Role.REVIEWER, Role.PRINCIPAL,
                       Role.COUNCIL_SECRETARY, Role.PERSONNEL_OFFICER))  # fmt: skip


@pytest.mark.parametrize("path", list(FILTERS))
def test_no_query_string_makes_a_page_fail(everyone, period, path):
    client = login(everyone)

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(FILTERS[path]), VALUE, max_size=4))
    def answers(query):
        response = client.get(path, query)
        assert response.status_code < 500, (path, query)

    answers()


def _fuzzable_forms() -> dict[str, type[forms.BaseForm]]:
    """The forms that take their data alone or with an institution (the others are built by
    their views from objects and reach the fuzzing through the pages)."""
    found = {}
    for name, form in _classes(forms.BaseForm).items():
        if issubclass(form, forms.BaseModelForm) or inspect.isabstract(form):
            continue
        extra = set(inspect.signature(form.__init__).parameters) - {"self", "args", "kwargs"}
        if extra <= {"institution", "data", "files", "prefix", "initial"} and form.base_fields:
            found[name] = form
    return found


@pytest.mark.parametrize("name", sorted(_fuzzable_forms()))
def test_no_data_makes_a_form_fail(institution, name):
    form_class = _fuzzable_forms()[name]
    takes_institution = "institution" in inspect.signature(form_class.__init__).parameters
    kwargs = {"institution": institution} if takes_institution else {}

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(sorted(form_class.base_fields)), VALUE))
    def validates(data):
        form = form_class(data=data, **kwargs)
        form.is_valid()  # a refusal is an error on the form, never an exception

    validates()


def test_an_id_no_column_holds_in_a_filter_is_ignored_not_a_500(db, institution, unit_b):
    """Found by the fuzz test: ?period=2**64 reached SQLite as an OverflowError."""
    from dossiers.models import Role
    from tests.conftest import make_person
    from tests.factories import login

    head = make_person(institution, unit_b, roles=[Role.UNIT_HEAD])

    response = login(head).get("/unit-meetings/", {"period": str(2**64), "unit": "-1"})

    assert response.status_code == 200
