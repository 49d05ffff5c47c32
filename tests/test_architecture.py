"""Dependencies point inward: advisor/, knowledge/ and jobs/ never import a chat platform."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"telegram", "discord"}
INWARD = {"knowledge": {"bots", "advisor", "jobs"}, "advisor": {"bots", "jobs"}, "jobs": {"bots"}}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(INWARD))
def test_core_packages_are_platform_free_and_point_inward(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    for path in files:
        bad = imported_modules(path) & (FORBIDDEN | INWARD[package])
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


FRONT_ENDS = sorted(p.name for p in (ROOT / "bots").iterdir() if p.is_dir() and p.name not in {"app", "chat"}
                    and not p.name.startswith("__"))


def bots_imports(path: Path) -> set[str]:
    """The bots subpackages ``path`` imports (``bots.telegram.bot`` -> ``telegram``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
        found.update(name.split(".")[1] for name in names if name.startswith("bots.") and name.count(".") >= 1)
    return found


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_do_not_import_each_other(front_end: str) -> None:
    assert {"console", "telegram"} <= set(FRONT_ENDS)
    for path in sorted((ROOT / "bots" / front_end).rglob("*.py")):
        others = bots_imports(path) & (set(FRONT_ENDS) - {front_end})
        assert not others, f"{path.relative_to(ROOT)} imports the {sorted(others)} front-end"


def test_the_chat_core_knows_no_front_end() -> None:
    for path in sorted((ROOT / "bots" / "chat").rglob("*.py")):
        assert not bots_imports(path) & set(FRONT_ENDS), path
        assert not imported_modules(path) & FORBIDDEN, path
