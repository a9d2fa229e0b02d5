"""The layers of docs/architecture.md import downwards only: no module imports one above it,
not even for type annotations (an import circle hides there first)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "careervp"

# Each module and the careervp modules it must never import (any submodule of them included).
ABOVE = {
    "dal/schema.py": ("careervp.dal.codec", "careervp.dal.plans", "careervp.dal.sender"),
    "dal/errors.py": ("careervp.dal.codec", "careervp.dal.plans", "careervp.dal.schema"),
    "dal/codec/_attributes.py": ("careervp.dal.plans", "careervp.dal.sender"),
    # Two senders over one set of plans: neither knows the other, the plans know neither.
    "dal/sender.py": ("careervp.dal.aio", "careervp.dal.dynamo_dal_handler", "careervp.dal._shell"),
    "dal/dynamo_dal_handler.py": ("careervp.dal.aio",),
    "dal/_shell.py": ("careervp.dal.aio", "careervp.dal.dynamo_dal_handler"),
    **{
        f"dal/plans/{path.name}": ("careervp.dal.sender", "careervp.dal.aio")
        for path in sorted((SRC / "dal" / "plans").glob("*.py"))
    },
}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", sorted(ABOVE))
def test_a_module_never_imports_the_layers_above_it(module: str) -> None:
    imported = _imported(SRC / module)
    wrong = sorted(
        name
        for name in imported
        for above in ABOVE[module]
        if name == above or name.startswith(above + ".")
    )
    assert not wrong, f"{module} imports {wrong}"
