"""legacy_coro's modules import each other without a circle.

Every ``import`` of a legacy_coro module anywhere in a file counts, at module
level or inside a function (an import done late is still a dependency, and a
circle of late imports is one the next refactoring turns into an import-time
error).  ``from legacy_coro import X`` counts as an import of the submodule X
when X is one, else of the package itself.  The parent package a submodule
import runs first is not counted: ``__init__.py`` importing its own
submodules is how a package shows its public face.
"""

import ast
from pathlib import Path
from typing import Dict, List, Set

import pytest

import legacy_coro

PACKAGE_DIR = Path(legacy_coro.__file__).resolve().parent


def _modules(root: Path, package: str) -> Dict[str, Path]:
    """Return every module of the package under *root*, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([package, *parts])] = path
    return found


def _resolve(importer: str, is_package: bool, level: int, module: str) -> str:
    """Return the absolute name of a (possibly relative) ``from`` import's module."""
    if not level:
        return module
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(name: str, path: Path, known: Set[str]) -> Set[str]:
    """Return the package's modules that the module *name* imports, anywhere in it."""
    tree = ast.parse(path.read_bytes(), str(path))
    is_package = path.name == "__init__.py"
    found = set()

    def add(dotted: str) -> None:
        while dotted and dotted not in known:  # `import pkg.mod.attr` style: the module part
            dotted = dotted.rpartition(".")[0]
        if dotted and dotted != name:
            found.add(dotted)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module or "")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in known else base)
    return found


def graph_of(root: Path, package: str) -> Dict[str, Set[str]]:
    modules = _modules(root, package)
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def circles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Return the strongly connected groups of more than one module (Tarjan), sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_legacy_coro_has_no_import_circle():
    graph = graph_of(PACKAGE_DIR, "legacy_coro")
    assert "legacy_coro._compat" in graph and graph["legacy_coro._compat"]  # it read something
    found = circles(graph)
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def _write(root: Path, files: Dict[str, str]) -> Path:
    package = root / "pkg"
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize("files, expected", [
    pytest.param({"__init__.py": "from pkg._a import f\n", "_a.py": "def f():\n    pass\n"},
                 [], id="package-face"),
    pytest.param({"__init__.py": "", "_a.py": "from pkg import _b\n",
                  "_b.py": "def f():\n    from pkg._a import g\n"},
                 [["pkg._a", "pkg._b"]], id="late-import-circle"),
    pytest.param({"__init__.py": "", "_a.py": "from . import _b\n",
                  "_b.py": "from ._c import x\n", "_c.py": "import pkg._a\n"},
                 [["pkg._a", "pkg._b", "pkg._c"]], id="relative-three"),
    pytest.param({"__init__.py": "from pkg._a import f\n",
                  "_a.py": "def f():\n    from pkg import public\n"},
                 [["pkg", "pkg._a"]], id="through-the-package"),
    pytest.param({"__init__.py": "", "sub/__init__.py": "from .. import _a\n",
                  "_a.py": "import pkg.sub\n"},
                 [["pkg._a", "pkg.sub"]], id="subpackage"),
])
def test_the_check_finds_circles_of_late_and_relative_imports(tmp_path, files, expected):
    assert circles(graph_of(_write(tmp_path, files), "pkg")) == expected
