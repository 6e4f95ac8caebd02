"""The layer table in docs/architecture.md is true: every module of tracker, pages and the entry
point is in one row, and imports only modules of its own row or the rows above it."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def _layers() -> list[list[str]]:
    """Each row's modules as dotted prefixes ("tracker.models", "pages", "streamlit_app")."""
    table = DOC.read_text(encoding="utf-8").split("| layer | holds | never holds |", 1)[1]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        first = line.split("|")[1]
        names = []
        for path in re.findall(r"`([^`]+)`", first):
            path = path.removesuffix("/").removesuffix(".py")
            names.append(path if path in ("pages", "streamlit_app") else f"tracker.{path}")
        rows.append(names)
    return rows


def _row(module: str, layers: list[list[str]]) -> int | None:
    for i, names in enumerate(layers):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    return None


def _modules() -> dict[str, Path]:
    found = {"streamlit_app": ROOT / "streamlit_app.py"}
    for folder in ("tracker", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    found.pop("tracker")  # the package's docstring, nothing else
    return found


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from tracker import migrate` imports the module tracker.migrate
            found |= (
                {f"tracker.{a.name}" for a in node.names}
                if node.module == "tracker"
                else {node.module}
            )
    return {m for m in found if m.split(".")[0] in ("tracker", "pages")}


def test_the_table_is_read() -> None:
    layers = _layers()
    assert len(layers) >= 10
    assert ["tracker.models", "tracker.migrations"] in layers


def test_every_module_is_in_a_row() -> None:
    layers = _layers()
    assert [m for m in _modules() if _row(m, layers) is None] == []


def test_no_layer_imports_a_layer_below_it() -> None:
    layers = _layers()
    wrong = []
    for module, path in _modules().items():
        own = _row(module, layers)
        for imported in sorted(_imports(path)):
            theirs = _row(imported, layers)
            if theirs is None or theirs > (own or 0):
                wrong.append(f"{module} imports {imported}")
    assert wrong == [], "\n".join(wrong)
