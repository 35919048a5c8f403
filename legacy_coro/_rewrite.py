"""The source transform the compat layer applies to old code as it is imported.

Two things in old source no Python of today runs, and that no patch of asyncio
can reach, because the interpreter decides them while compiling or from the
running frame's code flags:

- ``asyncio.async(...)`` (any ``X.async`` attribute): a SyntaxError since 3.7,
  when ``async`` became a keyword.  The attribute is the problem, not the
  call: ``getattr(asyncio, "async")`` is fine.  So each ``async`` token right
  after a ``.`` is replaced by a placeholder name of the same length, the text
  is parsed, and the placeholder is renamed back to ``async`` in the tree
  (``ast`` does not mind a keyword as an attribute name).  Every position in
  the tree is the source's own.
- ``yield from <coroutine>`` in an undecorated generator: CPython refuses it
  (``cannot 'yield from' a coroutine object in a non-coroutine generator``)
  unless the *frame's code* carries CO_ITERABLE_COROUTINE, and flagging the
  code would make the generator awaitable and break a generator-based
  ``__await__`` ("__await__() returned a coroutine").  A coroutine's
  ``__await__()`` is a plain iterator that any generator may ``yield from``,
  with send/throw/close delegated, so ``yield from X`` becomes
  ``yield from <target>(X)``: ``X.__await__()`` when ``X`` is a coroutine,
  ``X`` itself otherwise -- exactly what it did before for everything else.
  Functions decorated with a coroutine decorator (asyncio's, legacy_coro's,
  ``types.coroutine``) already may ``yield from`` a coroutine and are left
  alone.

Plain :mod:`ast` and :mod:`tokenize`; positions are kept, so tracebacks point
at the user's lines.  The layer's import hook (:mod:`legacy_coro._hook`), the
runner and the pytest integration all compile through :func:`compile_source`
or :func:`transform_tree`.
"""

import ast
import io
import re
import token
import tokenize
import types
from typing import Any, Dict, List, Optional, Tuple, Union

from legacy_coro._versions import YIELD_FROM_DECORATORS, canonical_asyncio

__all__ = ["compile_source", "parse_source", "transform_tree", "wanted", "yield_from_target"]

#: The module-level name the transformed code reaches the helper by.  Not an
#: identifier, so no source can clash with it (pytest's assertion rewriting
#: names its helpers the same way).
HELPER = "@legacy_coro_yield_from"

#: The cheap pre-check: a module without either needs no transform.
_WANTED_YIELD_FROM = re.compile(rb"yield[ \t\f\\\r\n]*from\b")
_WANTED_ASYNC = re.compile(rb"\.[ \t\f\\\r\n]*async\b")
_DOT_ASYNC = re.compile(_WANTED_ASYNC.pattern.decode())

_Source = Union[str, bytes]


def yield_from_target(value: Any) -> Any:
    """Return what an undecorated generator may ``yield from`` for *value*.

    A coroutine's ``__await__()`` iterator (send, throw and close go to the
    coroutine); any other value unchanged.
    """
    if type(value) is types.CoroutineType:
        return value.__await__()
    return value


def wanted(source: bytes) -> bool:
    """Tell whether *source* may need the transform (a ``yield from`` or an ``.async``)."""
    # `in` finds a literal several times faster than the regular expressions scan
    return (b"yield" in source and _WANTED_YIELD_FROM.search(source) is not None) or (
        b"async" in source and _WANTED_ASYNC.search(source) is not None)


# ---------------------------------------------------------------------------
# asyncio.async


def _placeholder(text: str) -> str:
    for first in "_lLqQ":
        for number in range(100):
            name = f"{first}_{number:02d}x"
            if name not in text:
                return name
    raise ValueError("no free placeholder name")  # pragma: no cover - 500 names in one file


def _hide_async_attributes(text: str) -> Tuple[str, Optional[str]]:
    """Replace each ``async`` attribute name by a same-length placeholder."""
    if not _DOT_ASYNC.search(text):
        return text, None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text, None
    targets: List[Tuple[int, int]] = []
    previous = None
    for tok in tokens:
        if tok.type in (tokenize.NL, tokenize.COMMENT, token.NEWLINE, token.INDENT,
                        token.DEDENT):
            continue
        if (tok.type == token.NAME and tok.string == "async" and previous is not None
                and previous.type == token.OP and previous.string == "."):
            targets.append(tok.start)
        previous = tok
    if not targets:
        return text, None
    name = _placeholder(text)
    lines = text.splitlines(keepends=True)
    for row, col in targets:
        line = lines[row - 1]
        lines[row - 1] = line[:col] + name + line[col + 5:]
    return "".join(lines), name


class _RenameAttribute(ast.NodeVisitor):
    def __init__(self, old: str) -> None:
        self.old = old

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == self.old:
            node.attr = "async"
        self.generic_visit(node)


def parse_source(source: _Source, filename: str) -> ast.Module:
    """Parse *source* as the running Python would, reading ``X.async`` too.

    Raises:
        SyntaxError: as :func:`compile` would (``X.async`` aside).
    """
    if isinstance(source, bytes):
        if not _WANTED_ASYNC.search(source):
            return ast.parse(source, filename)  # the interpreter's own decoding and errors
        try:
            text = _decode(source)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            return ast.parse(source, filename)  # raises what compile() raises
    else:
        text = source
    hidden, name = _hide_async_attributes(text)
    tree = ast.parse(hidden, filename)
    if name is not None:
        _RenameAttribute(name).visit(tree)
    return tree


def _decode(source: bytes) -> str:
    """Decode as compile() does: the coding cookie or UTF-8, a BOM dropped."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding)  # "utf-8-sig" drops the BOM


# ---------------------------------------------------------------------------
# yield from


def _imported_names(tree: ast.Module) -> Dict[str, str]:
    """Return what each name bound by an import of the module stands for ("asyncio.coroutine")."""
    names: Dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
    return names


def _dotted(node: ast.expr) -> Optional[List[str]]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


class _YieldFromTransformer(ast.NodeTransformer):
    """Route ``yield from X`` of undecorated functions through the helper."""

    def __init__(self, imported: Dict[str, str]) -> None:
        self.imported = imported
        self.changed = False
        self._skip = [False]

    def _is_coroutine_decorator(self, node: ast.expr) -> bool:
        """Whether *node* names a decorator whose functions may yield from a coroutine."""
        parts = _dotted(node)
        if parts is None or parts[0] not in self.imported:
            return False
        qualified = ".".join([self.imported[parts[0]], *parts[1:]])
        return canonical_asyncio(qualified) in YIELD_FROM_DECORATORS

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._skip.append(any(self._is_coroutine_decorator(d) for d in node.decorator_list))
        try:
            for field in ("args", "returns"):
                value = getattr(node, field)
                if value is not None:
                    setattr(node, field, self.visit(value))
            node.body = [self.visit(stmt) for stmt in node.body]
        finally:
            self._skip.pop()
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._skip.append(False)
        try:
            self.generic_visit(node)
        finally:
            self._skip.pop()
        return node

    def visit_YieldFrom(self, node: ast.YieldFrom) -> ast.AST:
        self.generic_visit(node)
        if self._skip[-1]:
            return node
        call = ast.Call(func=ast.Name(HELPER, ast.Load()), args=[node.value], keywords=[])
        node.value = ast.copy_location(call, node.value)
        ast.copy_location(call.func, node.value)
        self.changed = True
        return node


def _import_position(body: List[ast.stmt]) -> int:
    """Where an import may go: after the docstring and the ``__future__`` imports."""
    position = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        position = 1
    while position < len(body) and isinstance(body[position], ast.ImportFrom) \
            and body[position].module == "__future__":  # type: ignore[attr-defined]
        position += 1
    return position


def transform_tree(tree: ast.Module) -> bool:
    """Apply the ``yield from`` transform to *tree* in place; return whether it changed."""
    transformer = _YieldFromTransformer(_imported_names(tree))
    transformer.visit(tree)
    if not transformer.changed:
        return False
    position = _import_position(tree.body)
    if position < len(tree.body):
        lineno = tree.body[position].lineno
    else:
        lineno = tree.body[-1].lineno if tree.body else 1
    location = {"lineno": lineno, "col_offset": 0, "end_lineno": lineno, "end_col_offset": 0}
    alias = ast.alias("yield_from_target", HELPER)
    if "lineno" in ast.alias._attributes:  # 3.10+
        for key, value in location.items():
            setattr(alias, key, value)
    statement = ast.ImportFrom(module="legacy_coro._rewrite", names=[alias], level=0, **location)
    tree.body.insert(position, statement)
    return True


def compile_source(source: _Source, filename: str) -> types.CodeType:
    """Compile module *source* as the interpreter would, with the layer's transform.

    Raises:
        SyntaxError: as :func:`compile` would.
    """
    tree = parse_source(source, filename)
    transform_tree(tree)
    return compile(tree, filename, "exec", dont_inherit=True)  # type: ignore[no-any-return]
