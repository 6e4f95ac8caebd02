"""Shared test code lives in tests/support/: a test that imports a conftest.py or another test
module breaks when that module's fixtures or tests change, and hides what it depends on. (A
conftest.py may take fixtures from another conftest.py: that is how pytest shares them.)"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    found += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return found


def _is_test_code(module: str) -> bool:
    return module.startswith("tests.") and module.split(".")[-1].startswith(("test_", "conftest"))


def test_no_test_imports_a_conftest_or_another_test_module() -> None:
    offenders = [
        f"{path.relative_to(TESTS)} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in _imported_modules(path)
        if _is_test_code(module)
        and not (path.name == "conftest.py" and module.endswith(".conftest"))
    ]
    assert offenders == [], "import from tests/support/ instead: " + "; ".join(offenders)
