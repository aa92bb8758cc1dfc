"""Which package may import which: the lifecycle core stays below the apps built on it.

The layers, lowest first: the domain vocabulary (dossiers.choices, workflow.transitions,
audit.actions), the models, the audit trail and the outbox, the one door (workflow), the
council, decisions, and the auditor's workspace (auditing). A package imports only from layers
below it. Every import counts, at module level or inside a function: a function-level import is
still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def python_files(package: str) -> list[Path]:
    """The package's modules (a single module when `package` names a file), migrations aside."""
    path = ROOT / package
    if path.suffix == ".py":
        return [path]
    return sorted(p for p in path.rglob("*.py") if "migrations" not in p.relative_to(path).parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether a dotted name is a module of this project (a file or a package)."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, anywhere in it, as (line, absolute dotted name).

    `from a import b` imports the module `a.b` when there is one, and the module `a` otherwise.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            for alias in node.names:
                submodule = f"{stem}.{alias.name}"
                found.append((node.lineno, submodule if is_module(submodule) else stem))
    return sorted(set(found))


def is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(package: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list:
    """'file:line imports name' for each import of a forbidden module not explicitly allowed."""
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files(package)
        for line, name in imported_modules(path)
        if any(is_within(name, f) for f in forbidden)
        and not any(is_within(name, a) for a in allowed)
    ]


# The scanner itself: a rule is only as good as its reading of imports.


def test_the_scanner_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sibling.py").write_text("")
    (package / "sub.py").write_text("thing = 1\n")
    (package / "mod.py").write_text(
        "import os\n"
        "def later():\n"
        "    from council import services\n"
        "    import decisions.models\n"
        "from . import sibling\n"
        "from .sub import thing\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    names = {name for _line, name in imported_modules(package / "mod.py")}

    assert names == {"os", "council", "decisions.models", "pkg.sibling", "pkg.sub"}


def test_a_from_import_of_a_project_module_counts_as_that_module():
    names = {name for _line, name in imported_modules(ROOT / "dossiers/models/dossier.py")}

    assert "workflow.transitions" in names
    assert "workflow" not in names


@pytest.mark.parametrize(
    "package",
    ["workflow", "council", "decisions", "audit", "documents", "outbox", "dossiers/models",
     "dossiers/choices.py", "api"],
)  # fmt: skip
def test_every_scanned_package_has_modules_to_scan(package):
    assert python_files(package)  # a renamed folder would make its rules pass vacuously


# The rules


def test_the_lifecycle_core_imports_none_of_the_apps_built_on_it():
    assert violations("workflow", ("council", "decisions", "auditing")) == []


def test_the_council_imports_neither_decisions_nor_the_auditors_workspace():
    # council.minutes once rendered through decisions.rendering; the shared PDF renderer now
    # lives in documents/, which both use.
    assert violations("council", ("decisions", "auditing")) == []


def test_the_audit_trail_imports_none_of_the_apps_that_write_to_it():
    assert violations("audit", ("workflow", "council", "decisions", "auditing")) == []


def test_the_outbox_imports_none_of_the_apps_whose_work_it_carries():
    # Handlers are registered by their apps (workflow, auditing) in AppConfig.ready.
    assert violations("outbox", ("audit", "documents", "workflow", "council", "decisions",
                                 "auditing")) == []  # fmt: skip


def test_the_document_renderer_imports_none_of_the_apps_that_render_with_it():
    assert violations("documents", ("workflow", "council", "decisions", "auditing")) == []


def test_decisions_import_nothing_of_the_auditors_workspace():
    assert violations("decisions", ("auditing",)) == []


@pytest.mark.parametrize("package", ["dossiers/models", "dossiers/choices.py"])
def test_the_models_and_the_vocabulary_use_only_the_registry_from_workflow(package):
    allowed = ("workflow.transitions", "audit.actions")
    assert violations(package, ("workflow",), allowed) == []


@pytest.mark.parametrize("package", ["dossiers/models", "dossiers/choices.py"])
def test_the_models_and_the_vocabulary_import_none_of_the_apps_built_on_them(package):
    assert violations(package, ("council", "decisions", "auditing")) == []


@pytest.mark.parametrize("module", ["workflow/transitions.py", "audit/actions.py"])
def test_the_registry_imports_no_models_module(module):
    found = [
        f"{module}:{line} imports {name}"
        for line, name in imported_modules(ROOT / module)
        if is_module(name) and "models" in name.split(".")
    ]
    assert found == []


@pytest.mark.parametrize("module", ["workflow/transitions.py", "audit/actions.py"])
def test_the_registry_imports_no_services_of_the_apps(module):
    apps = ("workflow.services", "workflow.permissions", "workflow.guards", "council", "decisions",
            "auditing")  # fmt: skip
    found = [
        name
        for _line, name in imported_modules(ROOT / module)
        if any(is_within(name, a) for a in apps)
    ]
    assert found == []


@pytest.mark.parametrize(
    "package", ["dossiers", "audit", "documents", "outbox", "workflow", "council", "decisions",
                "auditing"],
)  # fmt: skip
def test_no_app_imports_the_api_built_on_top_of_them(package):
    # The API is a thin layer over the services the pages call; nothing below may lean on it.
    assert violations(package, ("api",)) == []
