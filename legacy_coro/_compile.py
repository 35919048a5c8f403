"""The compat layer's one compile path: old source to what the interpreter runs.

The import hook (every module of old code, :mod:`legacy_coro._hook`), the
runner (the program run as ``__main__``, :mod:`legacy_coro._runner`) and the
pytest glue (test modules and conftest files, which pytest compiles itself,
:mod:`legacy_coro._pytest_glue`) all come through here, so that they read the
same old names, apply the same transform (:mod:`legacy_coro._rewrite`) and
honour the same opt-out: a module whose docstring holds
``LEGACY_CORO_DONT_REWRITE`` is compiled exactly as the interpreter would,
``async`` as a name and all.
"""

import ast
import builtins
import hashlib
import sys
import types
import warnings
from typing import Any, Optional, Union

from legacy_coro import _rewrite

__all__ = ["OPT_OUT", "compile_module", "compile_snippet", "compile_source", "opted_out",
           "parse", "tag", "transform", "wanted"]

#: A module whose docstring contains this is never transformed.
OPT_OUT = "LEGACY_CORO_DONT_REWRITE"

_Source = Union[str, bytes]

wanted = _rewrite.wanted


def opted_out(tree: ast.Module) -> bool:
    """Tell whether the module of *tree* opts out of the layer."""
    doc = ast.get_docstring(tree, clean=False)
    return doc is not None and OPT_OUT in doc


def parse(source: _Source, filename: str) -> ast.Module:
    """Parse module *source* as the layer reads old code.

    ``async`` and ``await`` where 3.6 read them as names are read so, unless
    the module opts out: then the interpreter's own parse and its error.

    Raises:
        SyntaxError: as :func:`compile` would for this source (under the layer).
    """
    tree: ast.Module
    tree, renamed = _rewrite.parse_source(source, filename)
    if renamed and opted_out(tree):
        return ast.parse(source, filename)  # raises the interpreter's SyntaxError
    return tree


def transform(tree: ast.Module) -> bool:
    """Apply the layer's transform to a parsed module, unless it opts out; tell if it changed."""
    if opted_out(tree):
        return False
    return _rewrite.transform_tree(tree)


def compile_module(source: _Source, filename: str) -> Optional[types.CodeType]:
    """Compile module *source* through the layer; None when it opts out.

    Raises:
        SyntaxError: as :func:`compile` would (under the layer: old names read).
        ValueError: as :func:`compile` would (3.8-3.10: a NUL byte).
    """
    tree, renamed = _rewrite.parse_source(source, filename)
    if opted_out(tree):
        return None
    _rewrite.transform_tree(tree)
    code: types.CodeType = _compile_tree(tree, filename, "exec", renamed)
    return code


def compile_snippet(source: Any, filename: str, mode: str, flags: int = 0,
                    dont_inherit: bool = False, optimize: int = -1) -> Any:
    """:func:`compile`, reading ``async``/``await`` names where compile() cannot.

    What doctest compiles each example of a docstring with, under the layer:
    an example written for 3.6 (``IrcBot.defaults.update(async=False)``)
    compiles as it did there.  Anything compile() takes is compiled by it, at
    no cost.
    """
    try:
        return builtins.compile(source, filename, mode, flags, dont_inherit, optimize)
    except SyntaxError as exc:
        error = exc
    if not isinstance(source, (str, bytes)) or flags & ast.PyCF_ONLY_AST:
        raise error
    tree, renamed = _rewrite.parse_source(source, filename, mode)  # the error under the layer
    if not renamed:
        raise error
    return _compile_tree(tree, filename, mode, renamed, flags, dont_inherit, optimize)


def compile_source(source: _Source, filename: str) -> types.CodeType:
    """Compile *source* through the layer's transform, whatever its docstring says."""
    tree, renamed = _rewrite.parse_source(source, filename)
    _rewrite.transform_tree(tree)
    code: types.CodeType = _compile_tree(tree, filename, "exec", renamed)
    return code


def _compile_tree(tree: Any, filename: str, mode: str, renamed: bool, flags: int = 0,
                  dont_inherit: bool = True, optimize: int = -1) -> Any:
    """compile() a tree; one that holds ``async``/``await`` as names (*renamed*) without
    PyPy's "will become reserved keywords in Python 3.7" DeprecationWarning, which 3.6 gave
    for such code only with -W and CPython 3.7+ never gives for a tree."""
    if not renamed:
        return builtins.compile(tree, filename, mode, flags, dont_inherit, optimize)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'async' and 'await' will become reserved keywords",
                                DeprecationWarning)
        return builtins.compile(tree, filename, mode, flags, dont_inherit, optimize)


def tag() -> str:
    """Name the transform: a hash of the modules that decide what it does."""
    from legacy_coro import _versions

    digest = hashlib.sha1()
    for module in (_rewrite, _versions, sys.modules[__name__]):
        with open(module.__file__ or "", "rb") as source:  # type: ignore[arg-type]
            digest.update(source.read())
    return f"legacy_coro-{digest.hexdigest()[:10]}"
