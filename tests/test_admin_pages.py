"""The administrator's screens open for every model of the organisation and the catalogue."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from dossiers.demo import load_demo
from tests.factories import login

DOSSIER_MODELS = [m for m in admin.site._registry if m._meta.app_label == "dossiers"]
# Dossiers and documents are read-only in the admin: they change only through the services.
READ_ONLY = {"Dossier", "Document", "Delegation"}
EDITABLE_MODELS = [m for m in DOSSIER_MODELS if m.__name__ not in READ_ONLY]


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def demo(db):
    return load_demo()


def test_the_admin_index_opens(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_every_dossiers_changelist_opens(demo, admin_client):
    statuses = {
        m.__name__: admin_client.get(admin_url(m, "changelist")).status_code for m in DOSSIER_MODELS
    }

    assert statuses == {m.__name__: 200 for m in DOSSIER_MODELS}


def test_every_editable_dossiers_add_page_opens(db, admin_client):
    statuses = {
        m.__name__: admin_client.get(admin_url(m, "add")).status_code for m in EDITABLE_MODELS
    }

    assert statuses == {m.__name__: 200 for m in EDITABLE_MODELS}


def test_dossiers_and_documents_cannot_be_added_in_the_admin(db, admin_client):
    statuses = {
        m.__name__: admin_client.get(admin_url(m, "add")).status_code
        for m in DOSSIER_MODELS
        if m.__name__ in READ_ONLY
    }

    assert statuses == dict.fromkeys(READ_ONLY, 403)


def test_every_dossiers_change_page_opens(demo, admin_client):
    objects = {m.__name__: m._default_manager.first() for m in EDITABLE_MODELS}
    statuses = {
        name: admin_client.get(admin_url(type(obj), "change", obj.pk)).status_code
        for name, obj in objects.items()
        if obj is not None
    }

    assert len(statuses) == len(EDITABLE_MODELS)
    assert statuses == dict.fromkeys(statuses, 200)


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(staff_a):
    client = login(staff_a)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
