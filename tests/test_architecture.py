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
