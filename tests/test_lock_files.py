"""The lock files pin every dependency pyproject.toml declares, inside its range, with hashes:
`make` installs only from them (`pip install --require-hashes`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s\\]+)", re.M)


def pinned(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name.split("[")[0]): version for name, version in PIN.findall(text)}


def declared(*extras: str) -> list[Requirement]:
    own = canonicalize_name(PROJECT["name"])
    found = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return [r for r in found if canonicalize_name(r.name) != own]


CASES = [("base.txt", ()), ("dev.txt", ("test", "bench"))]


@pytest.mark.parametrize(("lock", "extras"), CASES)
def test_every_declared_dependency_is_pinned_inside_its_range(lock, extras):
    versions = pinned(lock)
    wrong = {
        str(r): versions.get(canonicalize_name(r.name))
        for r in declared(*extras)
        if versions.get(canonicalize_name(r.name)) is None
        or not r.specifier.contains(versions[canonicalize_name(r.name)], prereleases=True)
    }

    assert not wrong, f"run `make lock`: {wrong}"


@pytest.mark.parametrize(("lock", "extras"), CASES)
def test_every_pinned_package_carries_a_hash(lock, extras):
    text = (ROOT / "requirements" / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[-1])
    unhashed = [e.split()[0] for e in entries if "==" in e and "--hash=sha256:" not in e]

    assert not unhashed
