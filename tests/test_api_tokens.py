"""Personal API tokens: the page to make and revoke them, and how the API takes them."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from audit.models import AuditEvent
from dossiers.models import Person
from tests.api_helpers import problem
from tests.conftest import make_person
from tests.factories import draft, login

TODAY = timezone.localdate()
PAGE = "/api/tokens/"
DOSSIERS = "/api/v1/dossiers/"


def ddmmyyyy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def make_token(person, name="sync script", days=30):
    """(row, raw secret) of a token made through the service."""
    return tokens.issue(person=person, name=name, expires_on=TODAY + datetime.timedelta(days=days))


def random_part_of(secret: str) -> str:
    """`tdkt_<prefix>_<random>`: the random part may itself hold underscores."""
    return secret.split("_", 2)[2]


def call(raw: str | None, path=DOSSIERS, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw is not None else {}
    return Client().get(path, **headers, **extra)


def unauthenticated(response) -> dict:
    body = problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    return body


# The page: the list


def test_the_page_needs_a_login(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_staff_record_is_refused_the_page(db):
    user = get_user_model().objects.create_user(username="it-admin", password="pw-for-tests")

    response = login(user).get(PAGE)

    assert response.status_code == 403


def test_the_page_lists_my_tokens_by_name_and_prefix(head_a):
    token, _raw = make_token(head_a, name="HR sync")

    response = login(head_a).get(PAGE)

    assert response.status_code == 200
    assert response.context["tokens"] == [token]
    page = response.content.decode()
    assert "HR sync" in page
    assert f"tdkt_{token.prefix}_…" in page


def test_the_page_does_not_list_other_peoples_tokens(head_a, head_b):
    make_token(head_b, name="Someone else's script")

    response = login(head_a).get(PAGE)

    assert response.context["tokens"] == []
    assert "Someone else&#x27;s script" not in response.content.decode()


def test_the_page_tells_active_expired_and_revoked_tokens_apart(head_a):
    make_token(head_a, name="active one")
    expired, _ = make_token(head_a, name="expired one")
    revoked, _ = make_token(head_a, name="revoked one")
    ApiToken.objects.filter(pk=expired.pk).update(expires_on=TODAY - datetime.timedelta(days=1))
    tokens.revoke(person=head_a, token_id=revoked.pk)

    response = login(head_a).get(PAGE)

    status = {t.name: t.status for t in response.context["tokens"]}
    assert status == {"active one": "active", "expired one": "expired", "revoked one": "revoked"}


def test_a_revoke_button_is_shown_only_on_active_tokens(head_a):
    active, _ = make_token(head_a, name="active one")
    revoked, _ = make_token(head_a, name="revoked one")
    tokens.revoke(person=head_a, token_id=revoked.pk)

    page = login(head_a).get(PAGE).content.decode()

    assert reverse("api_token_revoke", args=[active.pk]) in page
    assert reverse("api_token_revoke", args=[revoked.pk]) not in page


def test_the_page_shows_when_and_from_where_a_token_was_last_used(head_a):
    _token, raw = make_token(head_a)
    call(raw, REMOTE_ADDR="203.0.113.7")

    response = login(head_a).get(PAGE)

    assert "203.0.113.7" in response.content.decode()


def test_the_page_takes_as_many_queries_with_five_tokens_as_with_one(head_a):
    client = login(head_a)
    make_token(head_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    with_one = queries()
    for n in range(4):
        make_token(head_a, name=f"script {n}")

    assert queries() == with_one


def test_the_page_is_never_cached(head_a):
    response = login(head_a).get(PAGE)

    assert "no-store" in response["Cache-Control"]


def test_the_home_page_links_to_the_tokens_page(head_a):
    response = login(head_a).get("/")

    assert f'href="{PAGE}"' in response.content.decode()


# The page: making a token


def test_the_form_proposes_an_expiry_ninety_days_away(head_a):
    response = login(head_a).get(PAGE)

    assert f'value="{ddmmyyyy(TODAY + datetime.timedelta(days=90))}"' in response.content.decode()


def test_the_proposed_expiry_is_never_beyond_the_longest_allowed(head_a, settings):
    settings.API_TOKEN_MAX_DAYS = 30

    response = login(head_a).get(PAGE)

    assert f'value="{ddmmyyyy(TODAY + datetime.timedelta(days=30))}"' in response.content.decode()


def make_on_the_page(client, name="HR sync", expires_on=None, **extra):
    if expires_on is None:
        expires_on = ddmmyyyy(TODAY + datetime.timedelta(days=90))
    return client.post(PAGE, {"name": name, "expires_on": expires_on}, **extra)


def test_making_a_token_stores_it_for_me_with_its_name_and_expiry(head_a):
    response = make_on_the_page(login(head_a), name="HR sync")

    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.person, token.name) == (head_a, "HR sync")
    assert token.expires_on == TODAY + datetime.timedelta(days=90)


def test_making_a_token_shows_its_secret_once_with_a_warning(head_a):
    response = make_on_the_page(login(head_a))

    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert secret.startswith(f"tdkt_{token.prefix}_")
    page = response.content.decode()
    assert secret in page
    assert "will not be shown again" in page or "không được hiển thị lại" in page


def test_the_page_showing_the_secret_is_never_cached(head_a):
    response = make_on_the_page(login(head_a))

    assert "no-store" in response["Cache-Control"]


def test_reloading_the_list_never_shows_the_secret_again(head_a):
    client = login(head_a)
    secret = make_on_the_page(client).context["secret"]

    response = client.get(PAGE)

    assert response.context["secret"] is None
    assert secret not in response.content.decode()


def test_the_secret_is_stored_only_as_its_sha256(head_a):
    client = login(head_a)
    secret = make_on_the_page(client).context["secret"]

    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    random_part = random_part_of(secret)
    stored = str(list(ApiToken.objects.values()))
    assert random_part not in stored
    assert random_part not in str(list(AuditEvent.objects.values()))


def test_the_secret_is_kept_neither_in_the_session_nor_in_a_cookie(head_a):
    client = login(head_a)
    response = make_on_the_page(client)
    random_part = random_part_of(response.context["secret"])

    assert all(random_part not in str(value) for value in client.session.values())
    assert all(random_part not in morsel.value for morsel in response.cookies.values())


def test_making_a_token_is_audited_without_its_secret(head_a):
    response = make_on_the_page(login(head_a), REMOTE_ADDR="10.1.2.3")

    token = ApiToken.objects.get()
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor, event.object_type, event.object_id) == (head_a, "api_token", str(token.pk))
    assert event.client_address == "10.1.2.3"
    assert event.payload["prefix"] == token.prefix
    assert response.context["secret"] not in str(event.payload)


@pytest.mark.parametrize(
    "name, expires_on, field",
    [
        ("", ddmmyyyy(TODAY + datetime.timedelta(days=30)), "name"),
        ("   ", ddmmyyyy(TODAY + datetime.timedelta(days=30)), "name"),
        ("x" * 101, ddmmyyyy(TODAY + datetime.timedelta(days=30)), "name"),
        ("HR sync", ddmmyyyy(TODAY - datetime.timedelta(days=1)), "expires_on"),
        ("HR sync", ddmmyyyy(TODAY), "expires_on"),
        ("HR sync", ddmmyyyy(TODAY + datetime.timedelta(days=366)), "expires_on"),
        ("HR sync", "31/02/2027", "expires_on"),
        ("HR sync", "soon", "expires_on"),
        ("HR sync", "", "expires_on"),
    ],
    ids=["empty-name", "blank-name", "long-name", "past", "today", "too-far", "no-such-day",
         "not-a-date", "no-date"],
)  # fmt: skip
def test_bad_input_shows_the_form_again_and_stores_nothing(head_a, name, expires_on, field):
    response = make_on_the_page(login(head_a), name=name, expires_on=expires_on)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


def test_the_latest_expiry_allowed_is_accepted(head_a, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    latest = TODAY + datetime.timedelta(days=30)

    response = make_on_the_page(login(head_a), expires_on=ddmmyyyy(latest))

    assert response.status_code == 200
    assert ApiToken.objects.get().expires_on == latest


def test_the_longest_expiry_follows_the_setting(head_a, settings):
    settings.API_TOKEN_MAX_DAYS = 30

    response = make_on_the_page(
        login(head_a), expires_on=ddmmyyyy(TODAY + datetime.timedelta(days=31))
    )

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_deactivated_person_cannot_make_a_token(head_a):
    Person.objects.filter(pk=head_a.pk).update(is_active=False)

    response = make_on_the_page(login(head_a))

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


# The page: revoking a token


def revoke_on_the_page(client, token_id, confirmed=True):
    return client.post(
        reverse("api_token_revoke", args=[token_id]), {"confirmed": "on"} if confirmed else {}
    )


def test_revoking_my_token_ends_it_at_once(head_a):
    token, raw = make_token(head_a)

    response = revoke_on_the_page(login(head_a), token.pk)

    assert response.status_code == 302
    assert response["Location"] == PAGE
    token.refresh_from_db()
    assert token.revoked_at is not None
    unauthenticated(call(raw))


def test_revoking_a_token_is_audited(head_a):
    token, _raw = make_token(head_a)

    revoke_on_the_page(login(head_a), token.pk)

    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor, event.object_id) == (head_a, str(token.pk))


def test_revoking_needs_the_confirmation_tick(head_a):
    token, raw = make_token(head_a)

    response = revoke_on_the_page(login(head_a), token.pk, confirmed=False)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()
    assert call(raw).status_code == 200


@pytest.mark.parametrize("confirmed", [True, False], ids=["ticked", "not-ticked"])
def test_revoking_another_persons_token_answers_404_and_changes_nothing(head_a, head_b, confirmed):
    theirs, raw = make_token(head_b)

    response = revoke_on_the_page(login(head_a), theirs.pk, confirmed=confirmed)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()
    assert call(raw).status_code == 200


@pytest.mark.parametrize("confirmed", [True, False], ids=["ticked", "not-ticked"])
@pytest.mark.parametrize(
    "token_id", [987654, 2**63, 10**30], ids=["missing", "past-bigint", "huge"]
)
def test_revoking_a_missing_token_answers_404(head_a, token_id, confirmed):
    assert revoke_on_the_page(login(head_a), token_id, confirmed).status_code == 404


def test_revoking_twice_is_audited_once(head_a):
    token, _raw = make_token(head_a)
    client = login(head_a)

    revoke_on_the_page(client, token.pk)
    revoke_on_the_page(client, token.pk)

    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_revoking_takes_a_post(head_a):
    token, _raw = make_token(head_a)

    response = login(head_a).get(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# The API: who a token is


def test_a_token_authenticates_api_calls_as_its_person(period, unit_a, head_a):
    dossier = draft(period, unit_a, by=head_a)
    _token, raw = make_token(head_a)

    response = Client().post(
        f"/api/v1/dossiers/{dossier.pk}/transitions/",
        {"action": "submit", "version": dossier.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 200, response.content
    assert AuditEvent.objects.get(action="dossier.submitted").actor == head_a


def test_a_token_sees_only_what_its_person_sees(period, unit_a, head_a, head_b):
    dossier = draft(period, unit_a, by=head_a)
    _token, raw = make_token(head_b)

    response = call(raw, path=f"/api/v1/dossiers/{dossier.pk}/")

    problem(response, 404, "not-found")


def test_a_token_works_until_the_end_of_its_expiry_day(head_a):
    token, raw = make_token(head_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_on=TODAY)

    assert call(raw).status_code == 200


def test_a_call_without_credentials_is_refused(db):
    unauthenticated(call(None))


def test_a_revoked_token_is_refused(head_a):
    token, raw = make_token(head_a)
    tokens.revoke(person=head_a, token_id=token.pk)

    unauthenticated(call(raw))


def test_an_expired_token_is_refused(head_a):
    token, raw = make_token(head_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_on=TODAY - datetime.timedelta(days=1))

    unauthenticated(call(raw))


def test_the_token_of_a_deactivated_person_is_refused(head_a):
    _token, raw = make_token(head_a)
    Person.objects.filter(pk=head_a.pk).update(is_active=False)

    unauthenticated(call(raw))


def test_the_token_of_an_inactive_user_account_is_refused(head_a):
    _token, raw = make_token(head_a)
    get_user_model().objects.filter(pk=head_a.user_id).update(is_active=False)

    unauthenticated(call(raw))


def test_an_unknown_token_is_refused(db):
    unauthenticated(call("tdkt_deadbeef_" + "x" * 43))


def test_a_token_changed_by_one_character_is_refused(head_a):
    _token, raw = make_token(head_a)
    changed = raw[:-1] + ("A" if raw[-1] != "A" else "B")

    unauthenticated(call(changed))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer a b", "Bearer tdkt_é", "Token abc", "Basic dXNlcjpwdw==",
     "bearer tdkt_deadbeef_x", "Bearer " + "tdkt_" + "x" * 300],
    ids=["no-token", "empty-token", "two-tokens", "not-ascii", "other-scheme", "basic",
         "unknown-lowercase", "too-long"],
)  # fmt: skip
def test_a_malformed_authorization_header_is_refused(db, header):
    response = Client().get(DOSSIERS, HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))

    unauthenticated(response)


def test_refusals_do_not_record_a_use(head_a):
    token, raw = make_token(head_a)
    tokens.revoke(person=head_a, token_id=token.pk)

    call(raw, REMOTE_ADDR="203.0.113.7")

    token.refresh_from_db()
    assert (token.last_used_at, token.last_used_from) == (None, "")


def test_each_use_records_when_and_from_where(head_a):
    token, raw = make_token(head_a)
    before = timezone.now()

    call(raw, REMOTE_ADDR="203.0.113.7")

    token.refresh_from_db()
    assert token.last_used_at >= before
    assert token.last_used_from == "203.0.113.7"


def test_the_latest_use_replaces_the_one_before(head_a):
    token, raw = make_token(head_a)
    call(raw, REMOTE_ADDR="203.0.113.7")
    first = ApiToken.objects.get(pk=token.pk).last_used_at

    call(raw, REMOTE_ADDR="2001:db8::5")

    token.refresh_from_db()
    assert token.last_used_from == "2001:db8::5"
    assert token.last_used_at >= first


def test_an_account_without_a_staff_record_is_not_permitted_in_the_api(db):
    user = get_user_model().objects.create_user(username="it-admin", password="pw-for-tests")

    response = login(user).get(DOSSIERS)

    problem(response, 403, "not-permitted")


def test_a_signed_in_browser_reaches_the_api_without_a_token(head_a):
    assert login(head_a).get(DOSSIERS).status_code == 200


def test_only_a_person_who_signs_in_may_hold_a_token(institution, unit_a):
    person = make_person(institution, unit_a)
    Person.objects.filter(pk=person.pk).update(user=None)
    person.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        make_token(person)

    assert "name" in refused.value.message_dict
    assert not ApiToken.objects.exists()
