"""Every public service function has one shape, `(session, actor, *, ...) -> type`, so the rule
"every service takes the acting user and asks the policy" holds by construction, and ids cannot
be swapped silently (`check_gate(session, actor, 3, 7)` is a TypeError). Helpers without an actor
are private (`_name`): other services may share them; pages, ui and the CLI never import them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted((ROOT / "tracker" / "services").rglob("*.py"))
#: The functions that find out who is acting, so cannot be given an actor.
MAKE_THE_ACTOR = {"sign_in", "actor_for_email", "actor_for_user", "list_actors"}


def _public_functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def _where(path: Path, node: ast.FunctionDef) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: str(p.relative_to(ROOT / "tracker")))
def test_public_services_take_the_actor_then_keywords(path: Path) -> None:
    wrong = []
    for node in _public_functions(path):
        names = [a.arg for a in node.args.posonlyargs + node.args.args]
        if not names or names[0] not in ("session", "engine") or node.name in MAKE_THE_ACTOR:
            continue
        if names[1:] != ["actor"] or node.args.vararg is not None or node.returns is None:
            wrong.append(f"{_where(path, node)}({', '.join(names)}, ...)")
    assert not wrong, "want (session, actor, *, ...) -> type:\n" + "\n".join(wrong)


def test_the_exceptions_still_exist_and_make_actors() -> None:
    found = {n.name: n for p in SERVICES for n in _public_functions(p)}
    for name in MAKE_THE_ACTOR:
        assert "Actor" in ast.unparse(found[name].returns), name


def test_nothing_outside_services_imports_a_private_service_helper() -> None:
    callers = [ROOT / "pages", ROOT / "tracker" / "ui", ROOT / "tracker" / "cli"]
    found = []
    for path in (p for folder in callers for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "tracker.services"
            ):
                found += [
                    f"{path.relative_to(ROOT)}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert not found, found
