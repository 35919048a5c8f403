"""The source transform the compat layer applies to old code as it is imported.

Two things in old source no Python of today runs, and that no patch of asyncio
can reach, because the interpreter decides them while compiling or from the
running frame's code flags:

- ``async`` and ``await`` as names (``asyncio.async(...)``, ``config.async``,
  ``dict(async=True)``, ``def f(self, async=False)``, ``from asyncio import
  async as ensure_future``, a module ``pkg/async.py`` imported as
  ``pkg.async``): a SyntaxError since 3.7, when both became keywords.  Only
  the *spelling* is the problem: ``ast`` and ``compile()`` take a keyword as a
  name in every place a name goes.  So each ``async``/``await`` token that
  3.6's tokenizer read as a name is replaced by a placeholder name of the same
  length, the text is parsed, and the placeholder is renamed back in the tree.
  Every position in the tree is the source's own, so tracebacks, ``__name__``,
  reprs and ``sys.modules`` show the real names.  Which tokens those are is
  3.6's rule (``Parser/tokenizer.c``), kept in :mod:`legacy_coro._oldnames`
  for the layer and the port alike: inside an ``async def`` (its header and
  its indented block) both are keywords; outside, ``async`` is a keyword only
  right before ``def``; in f-string fields they are names.
- ``yield from <coroutine>`` in an undecorated generator: CPython refuses it
  (``cannot 'yield from' a coroutine object in a non-coroutine generator``)
  unless the *frame's code* carries CO_ITERABLE_COROUTINE, and flagging the
  code would make the generator awaitable and break a generator-based
  ``__await__`` ("__await__() returned a coroutine").  A coroutine's
  ``__await__()`` is a plain iterator that any generator may ``yield from``,
  with send/throw/close delegated, so ``yield from X`` becomes
  ``yield from (X if not a coroutine or the frame may take one else
  X.__await__())``, written inline (see :func:`transform_tree`), so that no
  helper frame adds to the recursion depth of a deep chain.  Functions
  decorated with a coroutine decorator (asyncio's, legacy_coro's,
  ``types.coroutine``) already may ``yield from`` a coroutine and are left
  alone; in a function whose decorator is unknown the running frame's flags
  decide, so a chain of coroutines delegates natively (through an
  ``__await__()`` iterator each level would cost a C stack frame).

Plain :mod:`ast` and :mod:`tokenize`; positions are kept, so tracebacks point
at the user's lines.  :mod:`legacy_coro._compile` is the one compile path
that uses this module.
"""

import ast
import io
import re
import tokenize
import types
from typing import Any, Dict, List, Optional, Tuple, Union

from legacy_coro._oldnames import old_names
from legacy_coro._versions import YIELD_FROM_DECORATORS, canonical_asyncio

__all__ = ["hide_names", "parse_source", "transform_tree", "wanted", "yield_from_target"]

#: The module-level names the transformed code reaches its helpers by, and the
#: local that holds the value being delegated to.  Not identifiers, so no
#: source can clash with them (pytest's assertion rewriting names its helpers
#: the same way).
COROUTINE_TYPE = "@legacy_coro_coroutine"
GETFRAME = "@legacy_coro_frame"
VALUE = "@legacy_coro_value"

#: A frame whose code carries one of these may ``yield from`` a coroutine.
_TAKES_COROUTINES = 0x80 | 0x100  # CO_COROUTINE | CO_ITERABLE_COROUTINE

#: The cheap pre-check: a module without any of these needs no transform.
_WANTED_YIELD_FROM = re.compile(rb"yield[ \t\f\\\r\n]*from\b")
_SPACE = rb"[ \t\f]*"
_WANTED_NAMES = re.compile(
    # an attribute, a definition's name, an imported name or module
    rb"(?:\.|\b(?:def|class|import|as)\b)[ \t\f\\\r\n]*(?:async|await)\b"
    # async where a name goes: an argument, an assignment, a call, a subscript, an operand
    rb"|\basync" + _SPACE + rb"(?:[=.,)\]}:(\[+\-*/%&|^<>!~@]|\\?$)"
    # await where only a name goes (an operand may follow the keyword)
    rb"|\bawait" + _SPACE + rb"(?:=(?!=)|[.,)\]}:]|$)"
    rb"|\b(?:async|await)[ \t\f]+(?:and|or|if|else|is|in|not)\b",
    re.MULTILINE,
)
_WANTED_NAMES_TEXT = re.compile(_WANTED_NAMES.pattern.decode(), re.MULTILINE)

_Source = Union[str, bytes]


def yield_from_target(value: Any) -> Any:
    """Return what an undecorated generator may ``yield from`` for *value*.

    A coroutine's ``__await__()`` iterator (send, throw and close go to the
    coroutine); any other value unchanged.  (What the transformed code does
    inline, for a frame that may not take a coroutine.)
    """
    if type(value) is types.CoroutineType:
        return value.__await__()
    return value


def wanted(source: bytes) -> bool:
    """Tell whether *source* may need the transform (a ``yield from``, ``async`` as a name)."""
    # `in` finds a literal several times faster than the regular expressions scan
    if b"yield" in source and _WANTED_YIELD_FROM.search(source) is not None:
        return True
    return (b"async" in source or b"await" in source) and \
        _WANTED_NAMES.search(source) is not None


# ---------------------------------------------------------------------------
# async and await as names


def _placeholders(text: str, count: int) -> List[str]:
    """Return *count* distinct identifiers of five characters that *text* does not hold."""
    found: List[str] = []
    for first in "_lLqQ":
        for number in range(100):
            name = f"{first}_{number:02d}x"
            if name not in text:
                found.append(name)
                if len(found) == count:
                    return found
    raise ValueError("no free placeholder name")  # pragma: no cover - 500 names in one file


def hide_names(text: str) -> Tuple[str, Dict[str, str]]:
    """Replace each ``async``/``await`` that 3.6 read as a name by a same-length placeholder.

    Returns the new text and what each placeholder stands for (empty when
    nothing was replaced: then the text is returned as given).
    """
    if ("async" not in text and "await" not in text) or not _WANTED_NAMES_TEXT.search(text):
        return text, {}
    found = old_names(text)  # [] when tokenize cannot read it: the parser reports the error
    if not found:
        return text, {}
    kinds = sorted({name.word for name in found})
    placeholders = dict(zip(kinds, _placeholders(text, len(kinds))))
    lines = text.splitlines(keepends=True)
    for name in found:
        line = lines[name.row - 1]
        lines[name.row - 1] = line[:name.col] + placeholders[name.word] + line[name.col + 5:]
    return "".join(lines), {hidden: name for name, hidden in placeholders.items()}


def _rename(tree: ast.AST, names: Dict[str, str]) -> None:
    """Put the real names back wherever a placeholder stands in *tree*."""

    def real(value: str) -> str:
        for hidden, name in names.items():
            if hidden in value:
                value = value.replace(hidden, name)
        return value

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            continue  # a literal: it never held a placeholder
        for field, value in ast.iter_fields(node):
            if isinstance(value, str):
                setattr(node, field, real(value))
            elif isinstance(value, list) and value and isinstance(value[0], str):
                setattr(node, field, [real(item) for item in value])


def _real_text(exc: SyntaxError, names: Dict[str, str]) -> None:
    """Show the source line of a SyntaxError as it is written (placeholders back)."""
    if isinstance(exc.text, str):
        for hidden, name in names.items():
            exc.text = exc.text.replace(hidden, name)


def parse_source(source: _Source, filename: str, mode: str = "exec") -> Tuple[Any, bool]:
    """Parse *source* as the running Python would, reading ``async``/``await`` names too.

    Returns the tree (an ``ast.Module`` in the default *mode*), and whether
    it holds such a name (3.7+ cannot compile that source as it is).

    Raises:
        SyntaxError: as :func:`compile` would (those names aside).
        ValueError: as :func:`compile` would (3.8-3.10: a NUL byte).
    """
    if isinstance(source, bytes):
        if not ((b"async" in source or b"await" in source) and _WANTED_NAMES.search(source)):
            # the interpreter's decoding and errors
            return ast.parse(source, filename, mode), False
        try:
            text = _decode(source)
        except (SyntaxError, UnicodeDecodeError, LookupError):
            return ast.parse(source, filename, mode), False  # raises what compile() raises
    else:
        text = source
    hidden, names = hide_names(text)
    try:
        tree = ast.parse(hidden, filename, mode)
    except SyntaxError as exc:
        _real_text(exc, names)
        raise
    if names:
        _rename(tree, names)
    return tree, bool(names)


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


def _delegate(value: ast.expr) -> ast.expr:
    """Build ``V if type(V := value) is not CT or GF().f_code.co_flags & F else V.__await__()``.

    Only C functions are called (``type``, ``sys._getframe``, the method
    ``__await__``), so it adds no frame to the stack.
    """
    def name(identifier: str, store: bool = False) -> ast.Name:
        return ast.Name(identifier, ast.Store() if store else ast.Load())

    bound = ast.NamedExpr(target=name(VALUE, store=True), value=value)
    not_coroutine = ast.Compare(
        left=ast.Call(func=name("type"), args=[bound], keywords=[]),
        ops=[ast.IsNot()], comparators=[name(COROUTINE_TYPE)])
    flags = ast.Attribute(
        value=ast.Attribute(value=ast.Call(func=name(GETFRAME), args=[], keywords=[]),
                            attr="f_code", ctx=ast.Load()),
        attr="co_flags", ctx=ast.Load())
    frame_takes_it = ast.BinOp(left=flags, op=ast.BitAnd(),
                               right=ast.Constant(_TAKES_COROUTINES))
    iterator = ast.Call(func=ast.Attribute(value=name(VALUE), attr="__await__", ctx=ast.Load()),
                        args=[], keywords=[])
    test = ast.BoolOp(op=ast.Or(), values=[not_coroutine, frame_takes_it])
    expression = ast.IfExp(test=test, body=name(VALUE), orelse=iterator)
    for node in ast.walk(expression):
        if node is not value and "lineno" in node._attributes:
            ast.copy_location(node, value)
    return expression


class _YieldFromTransformer(ast.NodeTransformer):
    """Route ``yield from X`` of undecorated functions through the inline check."""

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
        node.value = _delegate(node.value)
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


def _helper_imports(lineno: int) -> List[ast.stmt]:
    """``from types import CoroutineType as CT`` and ``from sys import _getframe as GF``."""
    location = {"lineno": lineno, "col_offset": 0, "end_lineno": lineno, "end_col_offset": 0}
    statements: List[ast.stmt] = []
    for module, name, alias_name in (("types", "CoroutineType", COROUTINE_TYPE),
                                     ("sys", "_getframe", GETFRAME)):
        alias = ast.alias(name, alias_name)
        if "lineno" in ast.alias._attributes:  # 3.10+
            for key, value in location.items():
                setattr(alias, key, value)
        statements.append(ast.ImportFrom(module=module, names=[alias], level=0, **location))
    return statements


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
    tree.body[position:position] = _helper_imports(lineno)
    return True

