"""The package's folders are its layers: imports point down, and no module imports itself
back through others (issue 29)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nst_tf"
#: The layers, lowest first: a module may import from its own layer and those before it.
LAYERS = ("base", "io", "network", "objective", "figures", "optimize", "fast", "lessons", "cli")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """The nst_tf modules ``path`` imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("nst_tf"):
                found.add(node.module)
                found.update(
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).exists()
                    or (
                        PACKAGE.parent / (f"{node.module}.{alias.name}".replace(".", "/") + ".py")
                    ).exists()
                )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("nst_tf"))
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int | None:
    """The layer of ``nst_tf.<layer>...``; None for the package's own ``__init__``/``__main__``."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_is_in_a_layer():
    loose = [m for m in MODULES if layer(m) is None and m not in ("nst_tf", "nst_tf.__main__")]
    assert not loose, f"modules outside the layer folders: {loose}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) is not None))
def test_imports_point_down(module):
    upward = [
        target
        for target in imported_modules(MODULES[module])
        if target == "nst_tf" or (layer(target) is not None and layer(target) > layer(module))
    ]
    assert not upward, f"{module} imports from a layer above it: {sorted(upward)}"


def test_no_circles():
    graph = {
        m: {t for t in imported_modules(p) if t in MODULES and t != m} for m, p in MODULES.items()
    }
    graph = {
        m: {t for t in ts if MODULES[t].name != "__init__.py" or t == "nst_tf.cli"}
        for m, ts in graph.items()
        if MODULES[m].name != "__init__.py"
    }
    seen, on_path = set(), []

    def visit(m):
        if m in on_path:
            raise AssertionError("import circle: " + " -> ".join(on_path[on_path.index(m) :] + [m]))
        if m in seen or m not in graph:
            return
        on_path.append(m)
        for t in sorted(graph[m]):
            visit(t)
        on_path.pop()
        seen.add(m)

    for m in sorted(graph):
        visit(m)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_are_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it along its ideas"


@pytest.mark.parametrize("package", LAYERS)
def test_each_layer_says_what_it_owns(package):
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text("utf-8")))
    assert doc and "import" in doc, (
        f"nst_tf.{package}: its docstring says what it owns and may import"
    )
