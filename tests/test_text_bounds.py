"""Every free-text field a person or a script can fill has a bound: no form field and no API
serializer field takes text of any length."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms
from django.apps import apps
from django.db import models
from rest_framework import serializers

APPS = ("api", "auditing", "council", "decisions", "dossiers", "emulation", "evaluation",
        "fairness", "spreadsheets", "workflow")  # fmt: skip
BOUNDED_BY_KIND = (forms.EmailField, forms.URLField, forms.SlugField, forms.UUIDField)
# Serializers that only shape answers (the API's *Out and *Ref ones are too): nobody sends them.
OUTPUT_ONLY = {"EventLabels", "DecisionBase", "ProblemType", "Problem"}
# Text the system itself writes, from input already bounded or from its own code.
SYSTEM_WRITTEN = {"audit.AuditEvent.reason", "audit.Checkpoint.signature",
                  "auditing.IntegrityCheck.problem", "outbox.OutboxMessage.last_error",
                  "decisions.SigningCredential.certificate_pem"}  # fmt: skip


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def _classes(base):
    found = {}
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__.split(".")[0] in APPS:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_form_text_field_has_a_maximum_length(db):
    unbounded = [
        f"{name}.{field_name}"
        for name, form in _classes(forms.BaseForm).items()
        for field_name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.CharField) and not isinstance(field, BOUNDED_BY_KIND)
        and field.max_length is None
    ]  # fmt: skip

    assert not unbounded, "\n".join(unbounded)


def _serializer_fields(cls):
    try:
        return cls().fields.items()
    except (TypeError, AssertionError, AttributeError, KeyError):
        return cls._declared_fields.items()


def test_every_serializer_text_field_that_takes_input_has_a_maximum_length(db):
    unbounded = [
        f"{name}.{field_name}"
        for name, cls in _classes(serializers.BaseSerializer).items()
        if not issubclass(cls, serializers.ListSerializer)
        and not cls.__name__.endswith(("Out", "Ref")) and cls.__name__ not in OUTPUT_ONLY
        for field_name, field in _serializer_fields(cls)
        if isinstance(field, serializers.CharField) and not field.read_only
        and not isinstance(field, serializers.EmailField | serializers.URLField)
        and field.max_length is None
    ]  # fmt: skip

    assert not unbounded, "\n".join(unbounded)


def test_every_text_column_a_form_or_the_admin_edits_has_a_maximum_length():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for app in (*APPS, "audit", "outbox")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.editable and field.max_length is None
        and f"{model._meta.label}.{field.name}" not in SYSTEM_WRITTEN
    ]  # fmt: skip

    assert not unbounded, "\n".join(unbounded)
