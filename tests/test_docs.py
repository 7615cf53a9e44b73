"""Checks on the documentation sources: docstrings, code blocks and figures."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPHINX_ROLE = re.compile(r":(meth|class|func|attr|mod|exc|data|obj|const|ref):`[^`]+`")
FENCE = re.compile(r"^\s*(```|~~~)")
MAX_CODE_LINE = 88
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")
FIGURES_SCRIPT = ROOT / "docs" / "figures" / "make.py"


def docstring_roles(source: str, name: str) -> list[str]:
    """Sphinx roles in the docstrings (module, class, function, attribute) of ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for match in SPHINX_ROLE.finditer(node.value.value):
                found.append(f"{name}:{node.lineno}: {match.group(0)}")
    return found


def long_code_lines(text: str, name: str) -> list[str]:
    """Lines longer than ``MAX_CODE_LINE`` inside fenced code blocks of a markdown text."""
    found, inside = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            inside = not inside
        elif inside and len(line) > MAX_CODE_LINE:
            found.append(f"{name}:{number}: {len(line)} characters")
    return found


def markdown_pages() -> list[Path]:
    return [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


def test_docstrings_use_cross_references_not_sphinx_roles():
    found = []
    for path in sorted((ROOT / "seqkit").rglob("*.py")):
        found += docstring_roles(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, (
        "Sphinx roles are printed as text by mkdocstrings; write [`name`][] (scoped) or "
        "[`name`][full.path] instead:\n" + "\n".join(found)
    )


def test_role_scan_sees_roles_in_every_kind_of_docstring():
    source = (
        '"""See :mod:`x`."""\nA = 1\n"""Like :data:`B`."""\n\n\n'
        'def f():\n    """:func:`g`."""\n'
    )
    assert len(docstring_roles(source, "s")) == 3
    assert docstring_roles('"""[`fit`][seqkit.models.Sequential.fit]"""', "s") == []


def test_code_blocks_fit_the_page():
    found = []
    for path in markdown_pages():
        found += long_code_lines(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, (
        f"code lines over {MAX_CODE_LINE} characters scroll sideways in the site:\n"
        + "\n".join(found)
    )


def test_long_line_scan_only_counts_code_blocks():
    long = "x" * (MAX_CODE_LINE + 1)
    assert long_code_lines(f"{long}\n```python\nok\n```\n", "p") == []
    assert long_code_lines(f"text\n```python\n{long}\n```\n", "p") == ["p:3: 89 characters"]


def figure_names() -> set[str]:
    """The PNG names docs/figures/make.py draws (its ``FIGURES``), read without drawing."""
    spec = importlib.util.spec_from_file_location("docs_figures_make", FIGURES_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.FIGURES)


def referenced_figures() -> dict[Path, list[str]]:
    """Each PNG the pages embed (resolved path) and the pages that embed it."""
    found: dict[Path, list[str]] = {}
    for page in (ROOT / "docs").rglob("*.md"):
        for target in IMAGE.findall(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            found.setdefault(path, []).append(str(page.relative_to(ROOT)))
    return found


def test_every_figure_is_drawn_committed_and_embedded():
    drawn = figure_names()
    referenced = referenced_figures()
    problems = [f"{pages}: {path} is not drawn by docs/figures/make.py"
                for path, pages in referenced.items()
                if path.parent != FIGURES_SCRIPT.parent or path.name not in drawn]
    problems += [f"{pages}: {path} does not exist (run python docs/figures/make.py)"
                 for path, pages in referenced.items() if not path.is_file()]
    embedded = {path.name for path in referenced if path.parent == FIGURES_SCRIPT.parent}
    problems += [f"docs/figures/make.py draws {name}, which no page embeds"
                 for name in sorted(drawn - embedded)]
    assert len(drawn) >= 5
    assert not problems, "\n".join(problems)
