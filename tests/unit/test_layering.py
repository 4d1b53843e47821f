"""Which way the portal's modules may depend (ARCHITECTURE.md): pages are leaves, services never see a request."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _imported_modules(path: Path) -> set[str]:
    """Every ``portal.…`` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("portal.")}


def _is_pages(module: str) -> bool:
    return module.rsplit(".", 1)[-1].endswith("pages")


def test_no_page_module_imports_another_areas_pages():
    wrong = []
    for path in PORTAL.rglob("*pages.py"):
        area = path.relative_to(PORTAL).parts[0]
        for module in _imported_modules(path):
            parts = module.split(".")
            if len(parts) >= 3 and _is_pages(module) and parts[1] != area:
                wrong.append(f"{path.relative_to(PORTAL)} imports {module}")
    assert not wrong, wrong


def test_no_service_imports_pages():
    """Only pages (and the app that registers them) import pages: a view or service is never built on one."""
    wrong = []
    for path in PORTAL.rglob("*.py"):
        if _is_pages(path.stem) or path == PORTAL / "app.py":
            continue
        for module in _imported_modules(path):
            if module.count(".") >= 2 and _is_pages(module):
                wrong.append(f"{path.relative_to(PORTAL)} imports {module}")
    assert not wrong, wrong


def test_the_audit_log_takes_plain_values_not_a_request():
    """Callers pass the user and the client's address (portal.web.client.client_address), never the request."""
    assert not any(m.startswith("portal.web") for m in _imported_modules(PORTAL / "audit" / "services.py"))
    text = (PORTAL / "audit" / "services.py").read_text()
    assert "litestar" not in text and "Request" not in text


def test_no_test_module_imports_another():
    """Shared builders live in tests/factories.py, tests/flows.py, fixtures and conftest files, not in a test module."""
    tests = PORTAL.parent / "tests"
    offenders = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if any(name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                offenders.append(str(path.relative_to(tests)))
    assert offenders == []
