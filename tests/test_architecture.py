"""The architecture's rules (docs/architecture.md), checked on the source: lower folders
never import upper ones (not even inside a function), no import cycle, small files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "seqkit"
LOWER = ("data", "layers", "preprocessing", "training")
UPPER = ("seqkit.models", "seqkit.presets")
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every seqkit module ``path`` imports at run time (``TYPE_CHECKING`` blocks left
    out), with its line; ``from a.b import c`` counts ``a.b.c`` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.append((name if _exists(name) else node.module, node.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] == "seqkit"]


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_lower_folders_never_import_models_or_presets() -> None:
    upward = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
              for path in SOURCES if path.relative_to(PACKAGE).parts[0] in LOWER
              for name, line in _imports(path) if name.startswith(UPPER)]
    assert upward == []


def test_no_import_cycle_between_modules() -> None:
    # Packages' __init__ files only gather names: the edges that matter are module to
    # module, so a package is not a node (importing seqkit.data.x runs seqkit/data/
    # __init__, but that is Python's package machinery, not a dependency of the design).
    graph = {_module(path): {name for name, _ in _imports(path)
                             if not (PACKAGE.parent / name.replace(".", "/")).is_dir()}
             for path in SOURCES if path.name != "__init__.py"}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES})"
