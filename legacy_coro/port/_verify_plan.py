"""What ``port --verify`` runs: which files are test modules, and what each run imports.

A *test module* is verified by its tests' results: a file named ``test_*.py`` or
``*_test.py`` that defines a class or a ``test*`` function, or any file that defines
a ``unittest.TestCase`` subclass (a base whose name ends in ``TestCase``, or a class
of the module that is one), or ``test*`` functions beside ``import pytest``.  Every
other changed file is a *script*, verified by its transcript.  Test modules, and
scripts with an ``if __name__ == "__main__":`` block, run too when they did not
change but import (directly or not) a file that did.

What a run imports is found statically, over-approximated: every ``import`` and
``from ... import`` anywhere in the module, resolved against the files of the
run by dotted name (packages are directories with an ``__init__.py``) and by
name in the importer's own directory, then followed through the files found;
``conftest.py`` files beside and above a test module count too.  A run that
fails blocks the changed files it imports as well as its own: any of them may
be what the port broke.

Plain Python: LibCST is not imported here.
"""

import ast
import os
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from legacy_coro.port._run import module_name

__all__ = ["PYTEST_STYLE", "SCRIPT", "TESTS", "UNITTEST_STYLE", "Target", "blocked", "plan",
           "test_style"]

TESTS = "tests"
SCRIPT = "script"
PYTEST_STYLE = "pytest"
UNITTEST_STYLE = "unittest"

_TEST_FILE = re.compile(r"(?:test_\w*|\w+_test)\.py")


class Target(NamedTuple):
    """One run of --verify: a test module, or a changed script."""

    path: str  #: as the port was given it
    kind: str  #: TESTS or SCRIPT
    module: str  #: its dotted name from its base directory
    base: str  #: that directory (the user's, absolute): its own, or the one above its top package
    as_module: bool  #: run as ``python -m module`` from base (a module of a package; its
    #: ``__init__`` as ``-m package.__init__``), else as a script from its own directory
    needs: Tuple[str, ...]  #: the changed files (paths as given) it may import, itself excluded
    style: str = ""  #: TESTS: PYTEST_STYLE when some of its tests need pytest, else UNITTEST_STYLE
    changed: bool = True  #: False: it runs because it imports what changed


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def test_style(tree: ast.Module, filename: str) -> str:
    """Return "" for a module that defines no tests (see the module's docstring), else
    "pytest" when some of its tests need pytest (functions, classes that are no TestCase),
    else "unittest"."""
    test_named = _TEST_FILE.fullmatch(filename) is not None
    test_classes: Set[str] = set()
    has_pytest = any(isinstance(node, ast.Import) and any(a.name == "pytest" for a in node.names)
                     or isinstance(node, ast.ImportFrom) and node.module == "pytest"
                     for node in tree.body)
    style = ""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("test") and (test_named or has_pytest):
                style = PYTEST_STYLE
        elif isinstance(node, ast.ClassDef):
            bases = [_base_name(b) for b in node.bases if _base_name(b) != "object"]
            if any(b.endswith("TestCase") or b in test_classes for b in bases):
                test_classes.add(node.name)
            elif test_named and node.name.startswith("Test") and not bases:
                style = PYTEST_STYLE
            elif test_named and bases:  # a test base class of the project's, perhaps
                style = style or UNITTEST_STYLE
    return style or (UNITTEST_STYLE if test_classes else "")


def _imported(tree: ast.Module, package: str) -> Set[str]:
    """Return the dotted names the module may import (each with its parents)."""
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 > len(parts):
                    continue
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if not base:
                continue
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    found: Set[str] = set()
    for name in names:
        parts = name.split(".")
        found.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return found


class _Module(NamedTuple):
    path: str  #: as given
    where: str  #: absolute
    name: str
    package: bool
    tree: Optional[ast.Module]


def _parse(sources: Tuple[bytes, ...], path: str) -> Optional[ast.Module]:
    """Parse the first of *sources* (the port, the original) this Python can parse."""
    for source in sources:
        try:
            return ast.parse(source, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None  # old syntax the port could not rewrite: no imports known, no tests


def _resolve(modules: Dict[str, _Module]) -> Dict[str, Set[str]]:
    """Return {path: the paths of the run it imports directly}."""
    by_name: Dict[str, Set[str]] = {}
    for module in modules.values():
        by_name.setdefault(module.name, set()).add(module.path)
    by_where = {m.where: m.path for m in modules.values()}
    graph: Dict[str, Set[str]] = {}
    for module in modules.values():
        edges: Set[str] = set()
        if module.tree is not None:
            package = module.name if module.package else module.name.rpartition(".")[0]
            directory = os.path.dirname(module.where)
            for name in _imported(module.tree, package):
                edges.update(by_name.get(name, ()))
                sibling = os.path.join(directory, *name.split("."))
                for where in (sibling + ".py", os.path.join(sibling, "__init__.py")):
                    if where in by_where:
                        edges.add(by_where[where])
        edges.discard(module.path)
        graph[module.path] = edges
    return graph


def _closure(start: str, graph: Dict[str, Set[str]]) -> Set[str]:
    seen: Set[str] = set()
    stack = [start]
    while stack:
        for path in graph.get(stack.pop(), ()):
            if path not in seen:
                seen.add(path)
                stack.append(path)
    seen.discard(start)
    return seen


def _conftests(where: str, root: str, modules: Dict[str, _Module]) -> Set[str]:
    """Return the conftest.py files of the run beside and above *where*, up to *root*."""
    by_where = {m.where: m.path for m in modules.values()}
    found = set()
    directory = os.path.dirname(where)
    while True:
        conftest = os.path.join(directory, "conftest.py")
        if conftest in by_where and conftest != where:
            found.add(by_where[conftest])
        if directory == root or os.path.dirname(directory) == directory:
            return found
        directory = os.path.dirname(directory)


def _entry_point(tree: Optional[ast.Module]) -> bool:
    """Whether the module has an ``if __name__ == "__main__":`` block."""
    for node in tree.body if tree is not None else ():
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
                and test.left.id == "__name__" and len(test.comparators) == 1
                and isinstance(test.comparators[0], ast.Constant)
                and test.comparators[0].value == "__main__"):
            return True
    return False


def base_of(where: str, name: str, package: bool) -> str:
    """Return the directory a module named *name* at *where* is imported from."""
    directory = os.path.dirname(where)
    for _ in range(name.count(".") + (1 if package else 0)):
        directory = os.path.dirname(directory)
    return directory


def plan(sources: Dict[str, Tuple[bytes, ...]], changed: Iterable[str], root: str
         ) -> Tuple[List[Target], List[str]]:
    """Return what to run, in the order given, and the directories holding the top packages
    of the run (absolute: what an installed project would put on ``sys.path``).

    *sources* maps each file of the run (path as given) to its code after the port, then
    before it (what is known of a file comes from the first that parses).
    """
    changed_set = set(changed)
    modules: Dict[str, _Module] = {}
    for path, source in sources.items():
        where = os.path.abspath(path)
        name, package = module_name(where)
        modules[path] = _Module(path, where, name, package, _parse(source, path))
    graph = _resolve(modules)
    targets: List[Target] = []
    bases: Dict[str, None] = {}
    for module in modules.values():
        base = base_of(module.where, module.name, module.package)
        if "." in module.name or module.package:
            bases[base] = None
        style = (test_style(module.tree, os.path.basename(module.where))
                 if module.tree is not None else "")
        needs = _closure(module.path, graph)
        if style:
            needs |= _conftests(module.where, root, modules)
        needs &= changed_set
        changed_here = module.path in changed_set
        if style and (changed_here or needs):
            kind = TESTS
        elif changed_here or (needs and _entry_point(module.tree)):
            kind = SCRIPT
        else:
            continue
        # A module of a package runs as `python -m` runs it: as a script, its directory
        # would come first on sys.path, where its siblings hide the standard library's
        # modules (a package's http.py and `import http.client`).
        as_module = (("." in module.name or module.package)
                     and all(part.isidentifier() for part in module.name.split(".")))
        targets.append(Target(module.path, kind, module.name, base, as_module,
                              tuple(sorted(needs)), style, changed_here))
    return targets, sorted(bases)


def blocked(targets: Iterable[Target], failed: Dict[str, str]) -> Dict[str, List[str]]:
    """Return {changed path: the failed runs that import it}, for the runs in *failed*."""
    found: Dict[str, List[str]] = {}
    for target in targets:
        if target.path in failed:
            for path in target.needs:
                found.setdefault(path, []).append(target.path)
    return found

