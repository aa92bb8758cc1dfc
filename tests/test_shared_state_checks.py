"""Checks that several processes share what they must: the cache, and where ballot keys live."""

from __future__ import annotations

from django.core import checks
from django.test import override_settings

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
}


def found(*, deploy: bool) -> set[str]:
    return {message.id for message in checks.run_checks(include_deployment_checks=deploy)}


@override_settings(CACHES=LOCAL)
def test_check_deploy_warns_when_each_process_keeps_its_own_cache():
    assert "dossiers.W001" in found(deploy=True)


@override_settings(CACHES=REDIS)
def test_check_deploy_accepts_a_shared_cache():
    assert "dossiers.W001" not in found(deploy=True)


@override_settings(BALLOT_KEY_STORE="redis", BALLOT_KEY_REDIS_URL="")
def test_redis_ballot_keys_without_a_url_are_refused_at_start():
    assert "council.E001" in found(deploy=False)


@override_settings(BALLOT_KEY_STORE="council.keystore.NoSuchStore")
def test_a_ballot_key_store_naming_no_class_is_refused_at_start():
    assert "council.E001" in found(deploy=False)


@override_settings(BALLOT_KEY_STORE="redis", BALLOT_KEY_REDIS_URL="redis://127.0.0.1:6379/2")
def test_redis_ballot_keys_with_a_url_pass_the_check():
    assert "council.E001" not in found(deploy=False)


@override_settings(BALLOT_KEY_STORE="file")
def test_ballot_keys_in_files_pass_the_check():
    assert "council.E001" not in found(deploy=False)
