"""pytest and the compat layer: test runners that compile old code themselves.

pytest loads test modules and conftest files through its assertion
rewriting, not through the import system's loaders, so the layer's import
hook never sees them; doctest (pytest's ``--doctest-modules`` and ``python -m
doctest``) compiles each example of a docstring itself.  While the layer is
installed, these are replaced (through the ledger, so that ``uninstall()``
puts them back):

- ``_pytest.assertion.rewrite``: its ``ast`` reads old names
  (``asyncio.async``, ``async=True``) through the layer's parse, its
  ``rewrite_asserts`` applies the layer's transform after its own, and its
  cache tag (``PYC_TAIL``) names the transform, so that a later run without
  the layer never reads what the layer compiled;
- ``_pytest.warnings.catch_warnings_for_item``: pytest resets the warning
  filters around each test and shows DeprecationWarning by default; on
  3.8-3.10 that would bring back the warnings of what those Pythons
  deprecated and old code ran without, so the layer's filters are put back
  inside;
- ``doctest``'s ``compile``: an example written for 3.6
  (``bot.update(async=False)``) compiles as it did there
  (:func:`legacy_coro._compile.compile_snippet`).

Each is applied when install() runs if the module is imported already, else
when it is imported (the import hook's loader calls :func:`settings`).
"""

import ast
import contextlib
import sys
import types
import warnings
from typing import Any, List, Optional

from legacy_coro import _compile
from legacy_coro._ledger import Setting, silenced

__all__ = ["MODULES", "settings"]

_REWRITE = "_pytest.assertion.rewrite"
_WARNINGS = "_pytest.warnings"
_DOCTEST = "doctest"

#: The modules the layer reaches into.
MODULES = (_REWRITE, _WARNINGS, _DOCTEST)


def settings(only: Optional[str] = None) -> List[Setting]:
    """Return the settings that make pytest apply the layer (for its modules loaded).

    Args:
        only: just this one of pytest's modules (it has just been imported).
    """
    found: List[Setting] = []
    for name, build in ((_REWRITE, _rewrite_settings), (_WARNINGS, _warnings_settings),
                        (_DOCTEST, _doctest_settings)):
        module = sys.modules.get(name)
        if module is not None and only in (None, name):
            found.extend(build(module))
    return found


def _unknown_pytest(what: str) -> List[Setting]:
    warnings.warn(f"legacy_coro: this {what} is not the one the layer knows; "
                  "the layer does not reach into it", RuntimeWarning, stacklevel=3)
    return []


def _ast_reading_old_names() -> types.ModuleType:
    """An ``ast`` module for pytest whose ``parse`` reads old code as the layer does."""
    proxy = types.ModuleType("ast")
    proxy.__dict__.update(vars(ast))

    def parse(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, (bytes, str)):
            return ast.parse(source, filename, *args, **kwargs)
        return _compile.parse(source, filename)

    proxy.parse = parse  # type: ignore[attr-defined]
    return proxy


def _rewrite_settings(module: types.ModuleType) -> List[Setting]:
    """pytest's assertion rewriting: read old names, add the transform, cache apart."""
    original = getattr(module, "rewrite_asserts", None)
    tail = getattr(module, "PYC_TAIL", None)
    if original is None or not isinstance(tail, str) or getattr(module, "ast", None) is not ast:
        return _unknown_pytest("pytest's assertion rewriting")

    def rewrite_asserts(mod: ast.Module, *args: Any, **kwargs: Any) -> None:
        original(mod, *args, **kwargs)
        _compile.transform(mod)

    rewrite_asserts.__wrapped__ = original  # type: ignore[attr-defined]
    stem, dot, extension = tail.rpartition(".")
    return [
        Setting(module, "ast", _ast_reading_old_names()),
        Setting(module, "rewrite_asserts", rewrite_asserts),
        Setting(module, "PYC_TAIL", f"{stem}-{_compile.tag()}{dot}{extension}"),
    ]


def _warnings_settings(module: types.ModuleType) -> List[Setting]:
    """pytest's warning capture: keep silent what install() silences."""
    original = getattr(module, "catch_warnings_for_item", None)
    if original is None:
        return _unknown_pytest("pytest's warning capture")

    @contextlib.contextmanager
    def catch_warnings_for_item(*args: Any, **kwargs: Any) -> Any:
        with original(*args, **kwargs) as log:
            for message in silenced():
                warnings.filterwarnings("ignore", message, DeprecationWarning)
            yield log

    catch_warnings_for_item.__wrapped__ = original  # type: ignore[attr-defined]
    return [Setting(module, "catch_warnings_for_item", catch_warnings_for_item)]


def _doctest_settings(module: types.ModuleType) -> List[Setting]:
    """doctest: compile each example reading old names (a module global shadows the builtin)."""
    if "compile" in vars(module):
        return _unknown_pytest("doctest's compile")
    return [Setting(module, "compile", _compile.compile_snippet)]
