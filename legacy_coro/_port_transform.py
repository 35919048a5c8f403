"""The LibCST transform behind ``legacy-coro port``: generator coroutines into async/await.

The only module of the package besides :mod:`legacy_coro.codemod` that
imports LibCST.  :func:`port_source` is the whole job for one file: bytes in,
bytes out plus the sites it left alone.  It converts what keeps its meaning
and refuses the rest with a reason code (:mod:`legacy_coro._port_reasons`).
"""

import contextlib
import io
import re
import sys
import token
import tokenize
import warnings
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

try:  # LibCST's code generator state (what its PositionProvider subclasses too)
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover - a LibCST that moved it: positions the slow way
    CodegenState = object  # type: ignore[misc,assignment]

from legacy_coro._port_names import Facts, Run, module_name
from legacy_coro._port_plan import (
    NOT_AWAITABLE_CALLS,
    RESULT_HELPER,
    Analysis,
    Reduced,
    Scopes,
    absolute_module,
    analyse,
    syntax_error,
)
from legacy_coro._versions import (
    COROUTINE_DECORATORS,
    LOOP_ARGUMENT_REMOVED,
    LOOP_BOUND_AT_CALL,
    LOOP_BOUND_LAZILY_SINCE,
    canonical_asyncio,
)

__all__ = [
    "Site", "Ported", "PortError", "PortTransformer", "inspected_names", "port_source",
    "rewrite_async_calls",
]

# What a coroutine decorator can be called, once imports are resolved.
_LEGACY_DECORATORS = frozenset({"legacy_coro.coroutine"})
_ASYNCIO_DECORATORS = COROUTINE_DECORATORS - _LEGACY_DECORATORS
_DECORATORS = COROUTINE_DECORATORS

_LOOP_REMOVED = frozenset("asyncio." + name for name in LOOP_ARGUMENT_REMOVED)
_LOOP_BOUND_AT_CALL = frozenset("asyncio." + name for name in LOOP_BOUND_AT_CALL)
_TASK_MAKERS = frozenset({"asyncio.ensure_future", "asyncio.create_task", "asyncio.Task"})
_NOT_AWAITABLE_CALLS = NOT_AWAITABLE_CALLS
_NOT_AWAITABLE_NODES = (
    cst.List, cst.Tuple, cst.Set, cst.Dict, cst.ListComp, cst.SetComp, cst.DictComp,
    cst.GeneratorExp, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
    cst.Integer, cst.Float, cst.Imaginary,
)
# `await X` needs no parentheses around X for these.
_PRIMARY = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
    cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Dict, cst.Set,
    cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Ellipsis,
)
# Nodes with nothing to port below them: whitespace, punctuation, atoms, operators.
_LEAVES = frozenset([
    cst.SimpleWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.ParenthesizedWhitespace, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual,
    cst.LeftParen, cst.RightParen, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.Name, cst.Integer, cst.Float,
    cst.Imaginary, cst.SimpleString, cst.Ellipsis, cst.Asynchronous,
    *(op for base in (cst.BaseBinaryOp, cst.BaseAugOp, cst.BaseBooleanOp, cst.BaseCompOp,
                      cst.BaseUnaryOp) for op in base.__subclasses__()),
])

# Cheap text test: a file without any of these has nothing to port.
_INTERESTING = re.compile(rb"coroutine|yield|loop|all_tasks|current_task|wait|\basync\b")
_DOT_ASYNC = re.compile(r"\.\s*async\b")


class Site(NamedTuple):
    """A place the codemod left alone, with its reason code."""

    line: int
    code: str
    detail: str = ""


class Ported(NamedTuple):
    """What porting one file produced."""

    source: bytes  #: the new source (the old one when nothing changed)
    changed: bool
    converted: int  #: functions turned into ``async def``
    converted_names: Tuple[str, ...]  #: their paths ("Class.method")
    sites: Tuple[Site, ...]
    #: undecorated generators the run-wide analysis said convert, but that the
    #: transform refused: the run must be planned again without them
    refused_helpers: Tuple[Tuple[str, ...], ...] = ()
    notes: Tuple[Tuple[int, str], ...] = ()  #: (line, undecorated generator converted too)


class Plan(NamedTuple):
    """Which top-level statements of the LibCST module to visit."""

    interesting: List[bool]  #: one flag per statement of the LibCST module body
    binds: List[Optional[str]]  #: the name each top-level def or class binds


class PortError(Exception):
    """A file that cannot be ported; ``kind`` is "parse" or "internal"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------------------
# asyncio.async(): a keyword since 3.7, so no parser of today reads it.  The
# rewrite works on tokens, so strings and comments are never touched.

def _module_aliases(tokens: Sequence[tokenize.TokenInfo]) -> Set[str]:
    """Return the names bound to the asyncio module by ``import asyncio [as X]``."""
    names = {"asyncio"}
    words = [t.string for t in tokens if t.type == token.NAME]
    for i in range(len(words) - 3):
        if words[i] == "import" and words[i + 1] == "asyncio" and words[i + 2] == "as":
            names.add(words[i + 3])
    return names


def rewrite_async_calls(text: str) -> str:
    """Rewrite ``asyncio.async`` (and ``ALIAS.async``) to ``asyncio.ensure_future``."""
    if not _DOT_ASYNC.search(text):
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    aliases = _module_aliases(tokens)
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.COMMENT)]
    targets: List[Tuple[int, int, int]] = []
    for i in range(2, len(significant)):
        tok = significant[i]
        if (tok.type == token.NAME and tok.string == "async"
                and significant[i - 1].string == "."
                and significant[i - 2].type == token.NAME
                and significant[i - 2].string in aliases):
            targets.append((tok.start[0], tok.start[1], tok.end[1]))
    if not targets:
        return text
    lines = text.splitlines(keepends=True)
    for row, start, end in reversed(targets):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + "ensure_future" + line[end:]
    return "".join(lines)


# ---------------------------------------------------------------------------
# Small helpers over nodes.

def _dotted(node: cst.BaseExpression) -> Optional[List[str]]:
    """Return ``a.b.c`` as ["a", "b", "c"], or None for anything else."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    parts.reverse()
    return parts


def _root_name(node: cst.BaseExpression) -> Optional[str]:
    parts = _dotted(node)
    return parts[0] if parts else None


def _plain_iterable(node: cst.BaseExpression) -> bool:
    """True when ``yield from node`` is plainly iterating, not awaiting."""
    if isinstance(node, _NOT_AWAITABLE_NODES):
        return True
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
            and node.func.value in _NOT_AWAITABLE_CALLS)


def _is_none(node: Optional[cst.BaseExpression]) -> bool:
    return node is None or (isinstance(node, cst.Name) and node.value == "None")


def _remove_from(items: Sequence[cst.CSTNode], drop: Sequence[cst.CSTNode]) -> List[cst.CSTNode]:
    """Remove *drop* from a comma-separated sequence, keeping the last comma as it was."""
    kept = [item for item in items if not any(item is d for d in drop)]
    if kept and items and kept[-1] is not items[-1]:
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)  # type: ignore[attr-defined]
    return kept


def _inert(node: Optional[cst.BaseExpression]) -> bool:
    """Whether *node* has nothing to port below it: a name, a dotted name or a literal."""
    return node is None or type(node) in _LEAVES or _dotted(node) is not None


def _parameters(node: cst.Parameters) -> List[cst.Param]:
    params = [*node.posonly_params, *node.params, *node.kwonly_params]
    if isinstance(node.star_arg, cst.Param):
        params.append(node.star_arg)
    if node.star_kwarg is not None:
        params.append(node.star_kwarg)
    return params


def _paren(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _key(node: cst.BaseExpression) -> Optional[Tuple[object, ...]]:
    """How the run-wide analysis names a ``yield from``'s operand (see _port_plan._key)."""
    if isinstance(node, cst.Call):
        parts = _dotted(node.func)
        if parts:
            return ("call", tuple(parts))
        func = node.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super"):
            return ("super", func.attr.value)
        return None
    if isinstance(node, cst.Name):
        return ("name", node.value)
    return None


class _Shift(cst.CSTTransformer):
    """Move every continuation line right by *by* columns (``def`` became ``async def``)."""

    def __init__(self, by: int) -> None:
        super().__init__()
        self.by = by

    def leave_ParenthesizedWhitespace(self, original_node: cst.ParenthesizedWhitespace,
                                      updated_node: cst.ParenthesizedWhitespace
                                      ) -> cst.ParenthesizedWhitespace:
        value = updated_node.last_line.value
        if "\t" in value:
            return updated_node
        return updated_node.with_changes(last_line=cst.SimpleWhitespace(value + " " * self.by))


def _spans_lines(params: cst.Parameters) -> bool:
    """Whether the parameters continue on another line (after a comma or a parameter)."""
    for param in _parameters(params):
        comma = param.comma
        spaces = [param.whitespace_after_param, param.whitespace_after_star]
        if isinstance(comma, cst.Comma):
            spaces += [comma.whitespace_before, comma.whitespace_after]
        if any(isinstance(space, cst.ParenthesizedWhitespace) for space in spaces):
            return True
    return False


_EMPTY = cst.Module(body=[])
_DUMMY_BODY = [cst.SimpleStatementLine([cst.Pass()])]


def _comment_column(node: cst.CSTNode, comment: str, back: int) -> Optional[int]:
    """The column of *comment* on the *back*-th line from the end of *node*'s code."""
    lines = _EMPTY.code_for_node(node).splitlines()
    if len(lines) < back or not lines[-back].endswith(comment):
        return None
    return len(lines[-back]) - len(comment)


def _realign(original: Any, updated: Any) -> Any:
    """Keep an end-of-line comment where it was, when the code before it changed length.

    ``asyncio.Lock(loop=loop)    # guards x`` loses 9 characters: the comment
    stays in its column.  A line that grows (``def`` to ``async def``) keeps
    at least two spaces before its comment.
    """
    if isinstance(updated, cst.SimpleStatementLine):
        trailing = updated.trailing_whitespace
        outer: Any = original
        inner: Any = updated
        back = 1
    elif isinstance(getattr(updated, "body", None), cst.IndentedBlock):
        trailing = updated.body.header
        changes = {"body": updated.body.with_changes(body=_DUMMY_BODY)}
        if hasattr(updated, "orelse"):
            changes["orelse"] = None
        inner = updated.with_changes(**changes)
        changes["body"] = original.body.with_changes(body=_DUMMY_BODY)
        outer = original.with_changes(**changes)
        back = 2  # the header's line: the one before the dummy body
    else:
        return updated
    if trailing.comment is None:
        return updated
    spaces = trailing.whitespace.value
    if len(spaces) < 2 or spaces.strip(" "):
        return updated  # one space, or a tab: no column was being kept
    comment = trailing.comment.value
    before = _comment_column(outer, comment, back)
    after = _comment_column(inner, comment, back)
    if before is None or after is None or before == after or (
            after < before and len(spaces) == 2):
        return updated  # two spaces before a comment on a shorter line: PEP 8's, not a column
    width = max(2, len(spaces) + before - after)
    trailing = trailing.with_changes(whitespace=cst.SimpleWhitespace(" " * width))
    if isinstance(updated, cst.SimpleStatementLine):
        return updated.with_changes(trailing_whitespace=trailing)
    return updated.with_changes(body=updated.body.with_changes(header=trailing))


class _Frame:
    """One function, lambda or class being visited, innermost last."""

    __slots__ = ("kind", "node", "decorator", "yields", "unproven", "blockers", "comprehension",
                 "snapshot", "path", "coroutine")

    def __init__(self, kind: str, node: cst.CSTNode, path: Tuple[str, ...],
                 decorator: Optional[int] = None) -> None:
        #: "convert" (decorated generator or helper, tentatively), "drop" (decorated
        #: async def), "def" (any other function), "lambda", "class"
        self.kind = kind
        self.node = node
        self.path = path  #: names of the enclosing classes and functions, and its own
        self.decorator = decorator  #: index of the coroutine decorator
        self.yields = 0
        #: the ``return VALUE``s whose value the run could not show is not awaitable
        self.unproven: List[cst.Return] = []
        #: (node, code, detail): what keeps it from becoming async def
        self.blockers: List[Tuple[cst.CSTNode, str, str]] = []
        self.comprehension = 0
        self.snapshot: Optional[Tuple[object, ...]] = None
        #: its body runs inside the event loop (a coroutine, converted or not)
        self.coroutine = kind in ("convert", "drop") or decorator is not None or (
            isinstance(node, cst.FunctionDef) and node.asynchronous is not None)


class PortTransformer(cst.CSTTransformer):
    """Rewrite one module; read :attr:`sites` and :attr:`converted` afterwards.

    *inspected* names functions that the code checks with
    ``iscoroutinefunction()``; they are kept (LC008).  *scopes* (from the ast
    pass) tell what names mean inside functions and classes; *facts* (from the
    run-wide analysis) which ``yield from`` operands are plain generators and
    which undecorated generators convert; *target* is the oldest Python the
    output must run on.
    """

    def __init__(self, inspected: Optional[Set[str]] = None,
                 counts: Optional[Dict[str, int]] = None, scopes: Optional[Scopes] = None,
                 facts: Optional[Facts] = None, target: Tuple[int, int] = (3, 8),
                 line_of: Optional[Callable[[cst.CSTNode], Optional[int]]] = None) -> None:
        super().__init__()
        self.inspected = inspected or set()
        self._scopes = scopes
        self._facts = facts or Facts()
        self._target = target
        #: the line of the original file a node of the module starts on (for an
        #: ``if`` and a ``return``: the keyword's); the ast pass names them by line.
        #: Not given: LibCST's positions in the module visited.
        self._line_of = line_of
        #: ``if`` line -> the value of its version test on the target (see _port_branches)
        self._versions = scopes.versions if scopes is not None else {}
        self._decided: Dict[int, bool] = {}  #: id(If node) -> its test's value
        #: legacy_coro runs on 3.8+: for an older target a function kept as a generator
        #: coroutine keeps asyncio's decorator (which 3.4-3.10 have)
        self._legacy_ok = target >= (3, 8)
        # Name uses, counted by the visit itself unless given (from ast, which
        # lets port_module() skip statements that have nothing to port).
        self._counting = counts is None
        self.converted: List[str] = []
        #: (node of the original tree, code, detail)
        self.reports: List[Tuple[cst.CSTNode, str, str]] = []
        self.refused_helpers: List[Tuple[str, ...]] = []
        #: asyncio.wait() calls whose first argument may hold coroutines: reported
        #: (LC005) unless a yield from / await rewrites the argument
        self._waits: Dict[int, cst.Call] = {}
        self._bindings: Dict[str, str] = {}  # local name -> dotted qualified name
        self._shadowed: Set[str] = set()  # rebound by a module-level def or class
        self._frames: List[_Frame] = []
        #: decorated functions refused on a first visit: id -> their blockers
        self._keep: Dict[int, List[Tuple[cst.CSTNode, str, str]]] = {}
        self._uses: Dict[str, int] = Counter(counts or {})
        self._not_uses: Dict[str, int] = Counter()
        self._removed: Dict[str, int] = Counter()
        self._need_asyncio = False
        self._edits = 0  # textual changes so far (a statement that changed realigns comments)
        self._line_edits: List[int] = []
        self._need_legacy = False
        #: a converted function returns through the result helper: the module needs it
        self._need_result = False
        self._result_name, self._result_defined = (
            scopes.result_helper if scopes is not None else (RESULT_HELPER, False))
        self._legacy_ref: Optional[cst.BaseExpression] = None
        self._asyncio_name: Optional[str] = None
        # The visit_/leave_ method of each node type, looked up once (see on_visit).
        self._visitors: Dict[type, Optional[Callable[[cst.CSTNode], Optional[bool]]]] = {}
        self._leavers: Dict[type, Optional[Callable[[cst.CSTNode, cst.CSTNode], object]]] = {}
        if not self._counting:
            self._visitors.update(dict.fromkeys((cst.Name, cst.Attribute, cst.Arg)))

    # -- dispatch -----------------------------------------------------------
    # LibCST's own on_visit/on_leave look a method up by a formatted name for
    # every node, and its attribute hooks do so for every field: with some 14
    # nodes a line, that was a third of a port.  The same dispatch, looked up
    # once per node type; this transformer has no attribute visitors.

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        try:
            method = self._visitors[kind]
        except KeyError:
            method = self._visitors[kind] = getattr(self, "visit_" + kind.__name__, None)
        if method is not None and method(node) is False:
            return False
        # LibCST rebuilds every node whose children it visits.  Below these there is
        # nothing to port: leave them as they are.
        if kind in _LEAVES:
            return False
        if self._counting:  # every Name must be seen to count it
            return True
        if kind is cst.Attribute:
            return _dotted(node) is None  # type: ignore[arg-type]
        if kind is cst.Arg:
            return not _inert(node.value)  # type: ignore[attr-defined]
        if kind is cst.SimpleStatementLine:  # docstrings, the placeholders of folds
            return not all(type(small) is cst.Expr and _inert(small.value)  # type: ignore
                           for small in node.body)  # type: ignore[attr-defined]
        if kind is cst.Parameters:
            return not all(_inert(param.default) and (
                param.annotation is None or _inert(param.annotation.annotation))
                for param in _parameters(node))  # type: ignore[arg-type]
        return True

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        kind = type(original_node)
        try:
            method = self._leavers[kind]
        except KeyError:
            method = self._leavers[kind] = getattr(self, "leave_" + kind.__name__, None)
        return updated_node if method is None else method(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    # -- imports ------------------------------------------------------------

    def _bind_imports(self, statements: Sequence[cst.CSTNode], depth: int = 0) -> None:
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._bind(small)
            elif depth < 2 and isinstance(stmt, (cst.If, cst.Try)):
                outcome = self._version_outcome(stmt) if isinstance(stmt, cst.If) else None
                blocks: List[cst.CSTNode] = [stmt.body] if outcome is not False else []
                if isinstance(stmt, cst.Try):
                    blocks.extend(h.body for h in stmt.handlers)
                if stmt.orelse is not None and outcome is not True:
                    blocks.append(stmt.orelse.body if isinstance(stmt.orelse, cst.Else)
                                  else stmt.orelse)
                for block in blocks:
                    body = getattr(block, "body", ())
                    self._bind_imports(list(body) if isinstance(body, (list, tuple)) else [block],
                                       depth + 1)

    def _bind(self, small: cst.CSTNode) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                parts = _dotted(alias.name) or []
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bindings[alias.asname.name.value] = ".".join(parts)
                elif parts:
                    self._bindings[parts[0]] = parts[0]
        elif isinstance(small, cst.ImportFrom):
            module = ".".join(_dotted(small.module) or []) if small.module is not None else ""
            if small.relative:  # `from .coroutines import coroutine` inside a package
                if self._scopes is None:
                    return
                module = absolute_module(self._scopes.module, self._scopes.package,
                                         module, len(small.relative))
            if not module or isinstance(small.names, cst.ImportStar):
                return
            for alias in small.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                local = alias.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self._bindings[local] = f"{module}.{alias.name.value}"

    def qualified(self, node: cst.BaseExpression) -> Optional[str]:
        """Return the qualified name an expression refers to through the imports.

        Names bound inside the enclosing functions (and the class body being
        visited) come first, as in Python; asyncio's submodules are read as
        asyncio (``asyncio.queues.Queue`` is ``asyncio.Queue``).
        """
        parts = _dotted(node)
        if not parts:
            return None
        root = parts[0]
        if self._frames and self._scopes is not None:
            names = self._scopes.names
            innermost = self._frames[-1]
            for frame in reversed(self._frames):
                if frame.kind == "class" and frame is not innermost:
                    continue
                table = names.get(frame.path)
                if table is not None and root in table:
                    bound = table[root]
                    if bound is None:
                        return None
                    return canonical_asyncio(".".join([bound] + parts[1:]))
        if root not in self._bindings or root in self._shadowed:
            return None
        return canonical_asyncio(".".join([self._bindings[root]] + parts[1:]))

    def _path(self, name: str) -> Tuple[str, ...]:
        return (self._frames[-1].path if self._frames else ()) + (name,)

    def visit_Module(self, node: cst.Module) -> None:
        if self._line_of is None:
            self._line_of = _Lines(node, None, None)
        self._bind_imports(node.body)
        for local, qualified in self._bindings.items():
            if qualified == "asyncio" and self._asyncio_name is None:
                self._asyncio_name = local
            if qualified in _LEGACY_DECORATORS and self._legacy_ref is None:
                self._legacy_ref = cst.Name(local)
            if qualified == "legacy_coro" and self._legacy_ref is None:
                self._legacy_ref = cst.Attribute(cst.Name(local), cst.Name("coroutine"))

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    # Uses of imported names, counted so that an import left unused can go.
    # Attribute names and keywords are Name nodes too: counted, then taken off.
    # Once a module-level def or class rebinds a name, later uses are not
    # the import's.

    def visit_Name(self, node: cst.Name) -> None:
        if self._counting and node.value not in self._shadowed:
            self._uses[node.value] += 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._counting and node.attr.value not in self._shadowed:
            self._not_uses[node.attr.value] += 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if self._counting and node.keyword is not None and node.keyword.value not in self._shadowed:
            self._not_uses[node.keyword.value] += 1

    def _legacy_decorator(self) -> cst.BaseExpression:
        """Return the expression naming legacy_coro.coroutine, importing it if needed."""
        if self._legacy_ref is None:
            self._need_legacy = True
            free = ("coroutine" not in self._bindings
                    and self._uses["coroutine"] <= self._not_uses["coroutine"])
            self._legacy_ref = (cst.Name("coroutine") if free else
                                cst.Attribute(cst.Name("legacy_coro"), cst.Name("coroutine")))
        root = _root_name(self._legacy_ref)
        if root:
            self._removed[root] -= 1
        return self._legacy_ref

    # -- functions ----------------------------------------------------------

    def _coroutine_decorator(self, node: cst.FunctionDef) -> Optional[int]:
        for index, decorator in enumerate(node.decorators):
            if self.qualified(decorator.decorator) in _DECORATORS:
                return index
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        index = self._coroutine_decorator(node)
        path = self._path(node.name.value)
        # An undecorated generator that the run-wide analysis found is used only as
        # a coroutine (yield from inside coroutines, or handed to a task).
        helper = (index is None and node.asynchronous is None
                  and path in self._facts.helpers)
        frame = _Frame("def", node, path, index)
        if index is not None and node.asynchronous is not None:
            frame.kind = "drop"  # 3.10's decorator returned an async def unchanged
        elif (index is not None or helper) and id(node) in self._keep:
            # Visited again because an enclosing function was refused: report again.
            for where, code, detail in self._keep[id(node)]:
                self.reports.append((where, code, detail or node.name.value))
        elif index is not None or helper:
            blockers: List[Tuple[cst.CSTNode, str, str]] = []
            if index is not None:
                below = node.decorators[index + 1:]
                if not all(self._same_kind(d.decorator) for d in below):
                    blockers.append((node.decorators[index], "LC012", ""))
                if self._protocol_method(node, path) == "refuse":
                    blockers.append((node, "LC017", ""))
            if node.name.value in self.inspected:
                blockers.append((node, "LC008", ""))
            for where, code, detail in blockers:
                self.reports.append((where, code, detail or node.name.value))
            if blockers and helper:
                self.refused_helpers.append(path)
            if not blockers:
                # Converted on this one visit; leave_FunctionDef visits it again,
                # as refused, if the body turns out to have a blocker.
                frame.kind = "convert"
                frame.coroutine = True
                frame.snapshot = self._save()
        if self._counting and node.name.value not in self._shadowed:
            self._not_uses[node.name.value] += 1  # a binding, not a use
        self._frames.append(frame)

    def _same_kind(self, decorator: cst.BaseExpression) -> bool:
        """Whether the function stays what it was under *decorator* (see _port_plan)."""
        if isinstance(decorator, cst.Call):
            return self.qualified(decorator.func) == "functools.wraps"
        return isinstance(decorator, cst.Name) and decorator.value in (
            "staticmethod", "classmethod")

    def _protocol_method(self, node: cst.FunctionDef, path: Tuple[str, ...]) -> str:
        """Say how a decorated ``__iter__`` / ``__await__`` ports: "", "iter", "refuse".

        ``@coroutine def __iter__`` lets ``yield from obj`` run the coroutine;
        ``async def __iter__`` would break that and ``await obj`` alike.  It
        becomes ``async def __await_impl__`` with ``def __await__`` returning
        its ``__await__()`` (an iterator ``yield from`` accepts too) and
        ``__iter__ = __await__``.  A decorated ``__await__`` never worked
        (Python refuses an ``__await__`` that returns a coroutine): left.
        """
        name = node.name.value
        if name not in ("__iter__", "__await__") or not self._frames or (
                self._frames[-1].kind != "class"):
            return ""
        if name == "__await__":
            return "refuse"
        table = self._scopes.names.get(self._frames[-1].path, {}) if self._scopes else {}
        params = _parameters(node.params)
        if "__await_impl__" in table or not params or node.params.posonly_params or any(
                p.default is None for p in params[1:]) or node.params.star_arg not in (
                None, cst.MaybeSentinel.DEFAULT) or node.params.star_kwarg is not None:
            return "refuse"
        return "iter"

    def _save(self) -> Tuple[object, ...]:
        return (len(self.converted), len(self.reports), len(self.refused_helpers),
                dict(self._waits), Counter(self._removed), self._need_asyncio,
                self._need_legacy, self._legacy_ref,
                Counter(self._uses) if self._counting else None,
                Counter(self._not_uses) if self._counting else None, self._need_result)

    def _restore(self, saved: Tuple[object, ...]) -> None:
        (converted, reports, refused, waits, removed, sleep, legacy, ref, uses,
         not_uses, self._need_result) = saved  # type: ignore[assignment]
        del self.converted[converted:]  # type: ignore[misc,arg-type]
        del self.reports[reports:]  # type: ignore[misc,arg-type]
        del self.refused_helpers[refused:]  # type: ignore[misc,arg-type]
        self._waits = waits  # type: ignore[assignment]
        self._removed = removed  # type: ignore[assignment]
        self._need_asyncio, self._need_legacy = sleep, legacy  # type: ignore[assignment]
        self._legacy_ref = ref  # type: ignore[assignment]
        if uses is not None:
            self._uses, self._not_uses = uses, not_uses  # type: ignore[assignment]

    def _refusals(self, frame: _Frame) -> List[Tuple[cst.CSTNode, str, str]]:
        blockers = list(frame.blockers)
        if frame.unproven and not self._facts.result_helper:
            blockers.append((frame.node, "LC001", ""))
        # The run names only returns of functions that never yield (the ast pass saw them).
        assert not (frame.unproven and frame.yields), "a yielding function's return is unproven"
        return blockers

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        frame = self._frames.pop()
        if frame.kind == "convert":
            blockers = self._refusals(frame)
            if blockers:
                assert frame.snapshot is not None
                self._restore(frame.snapshot)
                for where, code, detail in blockers:
                    self.reports.append((where, code, detail or original_node.name.value))
                if frame.decorator is None:
                    self.refused_helpers.append(frame.path)
                self._keep[id(original_node)] = blockers
                again = original_node.visit(self)
                assert isinstance(again, cst.FunctionDef)
                return again
        if not self._frames:
            self._shadowed.add(original_node.name.value)
        if frame.kind == "convert" and frame.unproven:
            self.reports.append((original_node, "LC018", original_node.name.value))
        index = frame.decorator
        if index is None:
            if frame.kind == "convert":  # an undecorated generator helper
                self.converted.append(".".join(frame.path))
                return self._async_def(original_node, updated_node, {})
            return updated_node
        decorators = list(updated_node.decorators)
        old = decorators[index]
        root = _root_name(old.decorator)
        if frame.kind not in ("convert", "drop"):
            if self.qualified(old.decorator) in _LEGACY_DECORATORS or not self._legacy_ok:
                return updated_node  # below 3.8, asyncio's decorator stays (see _legacy_ok)
            if root:
                self._removed[root] += 1
            decorators[index] = old.with_changes(decorator=self._legacy_decorator())
            return updated_node.with_changes(decorators=decorators)
        if root:
            self._removed[root] += 1
        self.converted.append(".".join(frame.path))
        # Comments on or above the dropped decorator move down, never vanish.
        carried = list(old.leading_lines)
        if old.trailing_whitespace.comment is not None:
            carried.append(cst.EmptyLine(indent=True, comment=old.trailing_whitespace.comment))
        del decorators[index]
        changes: Dict[str, object] = {"decorators": decorators}
        if carried:
            if index < len(decorators):
                following = decorators[index]
                decorators[index] = following.with_changes(
                    leading_lines=carried + list(following.leading_lines))
            elif decorators or index > 0:
                changes["lines_after_decorators"] = carried + list(
                    updated_node.lines_after_decorators)
            else:
                changes["leading_lines"] = list(updated_node.leading_lines) + carried
        if not decorators and updated_node.lines_after_decorators:
            changes["leading_lines"] = list(
                changes.get("leading_lines", updated_node.leading_lines))  # type: ignore
            changes["leading_lines"] += list(  # type: ignore
                changes.pop("lines_after_decorators", updated_node.lines_after_decorators))
            changes["lines_after_decorators"] = []
        if updated_node.asynchronous is not None:
            return updated_node.with_changes(**changes)
        converted = self._async_def(original_node, updated_node, changes)
        if self._protocol_method(original_node, frame.path[:-1] + ("__iter__",)) == "iter":
            return self._iter_to_await(converted)  # type: ignore[return-value]
        return converted

    def _async_def(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef,
                   changes: Dict[str, object]) -> cst.FunctionDef:
        """Add ``async``; keep parameters aligned with the parenthesis, comments in place."""
        changes["asynchronous"] = cst.Asynchronous()
        params = updated_node.params
        if not isinstance(updated_node.whitespace_before_params, cst.ParenthesizedWhitespace) \
                and _spans_lines(params):
            changes["params"] = params.visit(_Shift(len("async ")))
        new: cst.FunctionDef = _realign(original_node, updated_node.with_changes(**changes))
        return new

    def _iter_to_await(self, converted: cst.FunctionDef
                       ) -> cst.FlattenSentinel[cst.BaseStatement]:
        """``async def __await_impl__`` + ``def __await__`` + ``__iter__ = __await__``."""
        first = _parameters(converted.params)[0].name.value
        impl = _realign(converted, converted.with_changes(name=cst.Name("__await_impl__")))
        statements: List[cst.BaseStatement] = [impl]
        table = self._scopes.names.get(self._frames[-1].path, {}) if self._scopes else {}
        blank = [cst.EmptyLine(indent=False)]
        delegate = f"    return {first}.__await_impl__().__await__()\n"
        if "__await__" in table:  # the class has its own __await__: keep it
            statements.append(cst.parse_statement(f"def __iter__({first}):\n" + delegate)
                              .with_changes(leading_lines=blank))
        else:
            statements.append(cst.parse_statement(f"def __await__({first}):\n" + delegate)
                              .with_changes(leading_lines=blank))
            statements.append(cst.parse_statement("__iter__ = __await__\n")
                              .with_changes(leading_lines=blank))
        return cst.FlattenSentinel(statements)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        if self._frames:
            self._frames[-1].comprehension += 1

    def leave_ListComp(self, original_node: cst.ListComp,
                       updated_node: cst.ListComp) -> cst.BaseExpression:
        if self._frames:
            self._frames[-1].comprehension -= 1
        return updated_node

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp  # type: ignore
    leave_SetComp = leave_DictComp = leave_GeneratorExp = leave_ListComp  # type: ignore

    def visit_Return(self, node: cst.Return) -> None:
        frame = self._frames[-1] if self._frames else None
        if frame is not None and frame.kind == "convert":
            lines = self._facts.results.get(frame.path)
            if lines and self._line_of is not None and self._line_of(node) in lines:
                frame.unproven.append(node)  # may be awaitable: 3.10 awaited it

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        """``return value`` -> ``return await _LegacyCoroResult(value)`` (see RESULT_HELPER_CODE).

        Where the value may be awaitable, which 3.10's decorator awaited; if the
        function is refused all the same, it is visited again, unconverted.
        """
        frame = self._frames[-1] if self._frames else None
        if (frame is None or not frame.unproven or original_node is not frame.unproven[-1]
                or not self._facts.result_helper or updated_node.value is None):
            return updated_node
        value = updated_node.value
        if value.lpar:  # the parentheses the call gives it are enough, on one line
            bare = value.with_changes(lpar=value.lpar[1:], rpar=value.rpar[:-1])
            if "\n" not in _EMPTY.code_for_node(bare):
                value = bare
        self._need_result = True
        self._edits += 1
        call = cst.Call(cst.Name(self._result_name), [cst.Arg(value)])
        return updated_node.with_changes(value=cst.Await(call))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._frames.append(_Frame("lambda", node, self._path("<lambda>")))

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self._frames.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._counting and node.name.value not in self._shadowed:
            self._not_uses[node.name.value] += 1
        self._frames.append(_Frame("class", node, self._path(node.name.value)))

    def leave_ClassDef(self, original_node: cst.ClassDef,
                       updated_node: cst.ClassDef) -> cst.ClassDef:
        self._frames.pop()
        if not self._frames:
            self._shadowed.add(original_node.name.value)
        return updated_node

    # -- version branches that never run on the target ----------------------

    def _version_outcome(self, node: cst.If) -> Optional[bool]:
        """The value of this ``if``'s version test on the target (None: not decided)."""
        if not self._versions:
            return None
        assert self._line_of is not None
        line = self._line_of(node)
        return self._versions.get(line) if line is not None else None

    def visit_If(self, node: cst.If) -> Optional[bool]:
        outcome = self._version_outcome(node)
        if outcome is None:
            return None
        self._decided[id(node)] = outcome
        return False  # leave_If visits the branch that runs, and only that one

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        outcome = self._decided.pop(id(original_node), None)
        if outcome is None:
            return updated_node
        live_field, dead = (("body", original_node.orelse) if outcome
                            else ("orelse", original_node.body))
        if self._counting:  # the names the branch that never runs uses still count
            for part in (original_node.test, dead):
                if part is not None:
                    part.visit(_NameCounter(self))
        live = getattr(original_node, live_field)
        if live is None:
            return updated_node
        return updated_node.with_changes(**{live_field: live.visit(self)})

    # -- yields -------------------------------------------------------------

    def leave_Yield(
        self, original_node: cst.Yield, updated_node: cst.Yield
    ) -> cst.BaseExpression:
        frame = self._frames[-1] if self._frames else None
        if frame is None or frame.kind in ("class", "drop"):
            return updated_node
        if frame.kind == "lambda":
            self.reports.append((original_node, "LC007", ""))
            return updated_node
        if frame.kind == "def":
            if frame.coroutine and isinstance(updated_node.value, cst.From):
                # Kept on legacy_coro: `yield from asyncio.wait(jobs)` still needs tasks.
                item = self._wait_tasks(original_node.value.item,  # type: ignore[union-attr]
                                        updated_node.value.item)
                if item is not updated_node.value.item:
                    return updated_node.with_changes(
                        value=updated_node.value.with_changes(item=item))
            return updated_node
        frame.yields += 1
        if frame.comprehension:
            frame.blockers.append((original_node, "LC007", ""))
        elif isinstance(original_node.value, cst.From):
            operand = original_node.value.item
            if _plain_iterable(operand):
                frame.blockers.append((original_node, "LC006", ""))
            else:
                key = _key(operand)
                blocked = self._facts.blocks.get((frame.path, key)) if key else None
                if blocked is not None:
                    frame.blockers.append((original_node, blocked[0], blocked[1]))
        elif not _is_none(original_node.value):
            frame.blockers.append((original_node, "LC002", ""))
        self._edits += 1
        value = updated_node.value
        if isinstance(value, cst.From):
            item = self._wait_tasks(original_node.value.item, value.item)  # type: ignore
            if item is not value.item:
                value = value.with_changes(item=item)
            if not isinstance(item, _PRIMARY) and not getattr(item, "lpar", None):
                item = _paren(item)
            space = value.whitespace_after_from
        else:
            self._need_asyncio = True
            space = cst.SimpleWhitespace(" ")
            item = cst.Call(
                func=cst.Attribute(cst.Name(self._asyncio_name or "asyncio"), cst.Name("sleep")),
                args=[cst.Arg(cst.Integer("0"))],
            )
        awaited = cst.Await(expression=item, whitespace_after_await=space,
                            lpar=updated_node.lpar, rpar=updated_node.rpar)
        if awaited.lpar:
            # Drop the one pair of parentheses that only `yield` needed, unless
            # the expression spans lines (it would then need them).
            bare = awaited.with_changes(lpar=awaited.lpar[1:], rpar=awaited.rpar[:-1])
            text = cst.Module(body=[]).code_for_node(bare)
            if "\n" not in text and "\r" not in text:
                awaited = bare
        return awaited

    def _asyncio(self, attr: str) -> cst.Attribute:
        """``asyncio.ATTR`` under the module's name for asyncio (imported if needed)."""
        if not self._asyncio_name:
            self._need_asyncio = True
        return cst.Attribute(cst.Name(self._asyncio_name or "asyncio"), cst.Name(attr))

    def _wait_tasks(self, original: cst.BaseExpression,
                    updated: cst.BaseExpression) -> cst.BaseExpression:
        """``asyncio.wait(fs)`` awaited here: give it tasks, as 3.4-3.10 made of *fs*.

        wait() did ``{ensure_future(f) for f in set(fs)}`` before waiting; doing
        that in the argument keeps the meaning (the same tasks, made at the same
        moment, in the same set order) and works on 3.11+, which refuses coroutines.
        """
        if not isinstance(original, cst.Call) or id(original) not in self._waits:
            return updated
        assert isinstance(updated, cst.Call)
        del self._waits[id(original)]
        args = list(updated.args)
        index = next(i for i, a in enumerate(args)
                     if a.keyword is None or a.keyword.value == "fs")
        value = args[index].value
        if (isinstance(value, (cst.List, cst.Tuple, cst.Set)) and len(value.elements) == 1
                and isinstance(value.elements[0], cst.Element)):
            # One element: nothing to deduplicate, no order to keep.
            element = value.elements[0]
            wrapped = cst.Call(self._asyncio("ensure_future"), [cst.Arg(element.value)])
            new_value: cst.BaseExpression = value.with_changes(
                elements=[element.with_changes(value=wrapped)])
        else:
            source = value if isinstance(value, cst.Set) else cst.Call(
                cst.Name("set"), [cst.Arg(value)])
            new_value = cst.SetComp(
                elt=cst.Call(self._asyncio("ensure_future"), [cst.Arg(cst.Name("f"))]),
                for_in=cst.CompFor(target=cst.Name("f"), iter=source))
        args[index] = args[index].with_changes(value=new_value)
        self._edits += 1
        return updated.with_changes(args=args)

    def _known_tasks(self, node: cst.BaseExpression) -> bool:
        """Whether *node* plainly holds tasks or futures only (no coroutine)."""
        if isinstance(node, cst.Call):
            return self._makes_task(node)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return bool(node.elements) and all(
                isinstance(e, cst.Element) and self._known_tasks(e.value)
                for e in node.elements)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._known_tasks(node.elt)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._known_tasks(node.left) and self._known_tasks(node.right)
        if isinstance(node, cst.Name) and self._frames and self._scopes is not None:
            return node.value in self._scopes.tasks.get(self._frames[-1].path, ())
        return False

    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.Await:
        if self._frames and self._frames[-1].coroutine:
            expression = self._wait_tasks(original_node.expression, updated_node.expression)
            if expression is not updated_node.expression:
                return updated_node.with_changes(expression=expression)
        return updated_node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_edits.append(self._edits)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine) -> cst.BaseStatement:
        if self._line_edits.pop() != self._edits:
            realigned: cst.SimpleStatementLine = _realign(original_node, updated_node)
            return realigned
        return updated_node

    # Our `await x` in a primary position needs parentheses back: (await x).attr
    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.Attribute) -> cst.Attribute:
        if isinstance(updated_node.value, cst.Await) and not updated_node.value.lpar:
            return updated_node.with_changes(value=_paren(updated_node.value))
        return updated_node

    def leave_Subscript(self, original_node: cst.Subscript,
                        updated_node: cst.Subscript) -> cst.Subscript:
        if isinstance(updated_node.value, cst.Await) and not updated_node.value.lpar:
            return updated_node.with_changes(value=_paren(updated_node.value))
        return updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With) -> cst.With:
        if not self._frames or self._frames[-1].kind != "convert":
            return updated_node
        locks = [i for i in original_node.items
                 if isinstance(i.item, cst.Yield) and isinstance(i.item.value, cst.From)]
        if not locks:
            return updated_node
        if len(locks) != len(original_node.items) or any(i.asname for i in locks):
            self._frames[-1].blockers.append((original_node, "LC011", ""))
            return updated_node
        items = []
        for item in updated_node.items:
            awaited = item.item
            assert isinstance(awaited, cst.Await)
            inner = awaited.expression
            if awaited.lpar and not getattr(inner, "lpar", None):
                inner = inner.with_changes(lpar=awaited.lpar, rpar=awaited.rpar)
            items.append(item.with_changes(item=inner))
        new: cst.With = _realign(
            original_node, updated_node.with_changes(items=items, asynchronous=cst.Asynchronous()))
        return new

    # -- calls --------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if isinstance(updated_node.func, cst.Await) and not updated_node.func.lpar:
            updated_node = updated_node.with_changes(func=_paren(updated_node.func))
        target = self.qualified(original_node.func)
        if target is None:
            return updated_node
        if target in _LOOP_REMOVED:
            loops = [a for a in updated_node.args
                     if a.keyword is not None and a.keyword.value == "loop"]
            plain = [a for a in loops if isinstance(a.value, (cst.Name, cst.Attribute))]
            if len(plain) < len(loops):
                self.reports.append((original_node, "LC010", target))
            if plain and target in _LOOP_BOUND_AT_CALL and (
                    self._target < LOOP_BOUND_LAZILY_SINCE) and not (
                    self._frames and self._frames[-1].coroutine):
                # Made outside the running loop: before 3.10 it binds to loop= at once,
                # without it to whatever loop is current then.
                self.reports.append((original_node, "LC016", target))
                plain = []
            if plain:
                self._edits += 1
                for arg in plain:
                    root = _root_name(arg.value)
                    if root:
                        self._removed[root] += 1
                args = _remove_from(updated_node.args, plain)
                updated_node = updated_node.with_changes(args=args)
                if not args:
                    updated_node = updated_node.with_changes(
                        whitespace_before_args=cst.SimpleWhitespace(""))
        if target == "asyncio.wait":
            first = next((a for a in original_node.args
                          if a.keyword is None or a.keyword.value == "fs"), None)
            if first is not None and not first.star and not self._known_tasks(first.value):
                self._waits[id(original_node)] = original_node
        if target.startswith("asyncio.Task.") and target[13:] in ("all_tasks", "current_task"):
            self.reports.append((original_node, "LC013", ""))
        if target == "asyncio.get_event_loop" and not self._frames:
            self.reports.append((original_node, "LC014", ""))
        if target in _DECORATORS:
            self.reports.append((original_node, "LC009", ""))
            if target in _ASYNCIO_DECORATORS and self._legacy_ok:
                root = _root_name(original_node.func)
                if root:
                    self._removed[root] += 1
                updated_node = updated_node.with_changes(func=self._legacy_decorator())
        return updated_node

    def _makes_task(self, call: cst.Call) -> bool:
        if self.qualified(call.func) in _TASK_MAKERS:
            return True
        parts = _dotted(call.func)
        return bool(parts) and parts[-1] in ("create_task", "ensure_future")  # type: ignore

    def port_module(self, module: cst.Module, plan: Plan) -> cst.Module:
        """Transform only the top-level statements the plan flags interesting.

        Same result as ``module.visit(self)`` when the plan and the name counts
        given to the constructor come from :mod:`legacy_coro._port_plan`.
        """
        self.visit_Module(module)
        body: List[cst.BaseStatement] = []
        for stmt, wanted, binds in zip(module.body, plan.interesting, plan.binds):
            if wanted:
                new = stmt.visit(self)
                assert isinstance(new, cst.BaseStatement)
                body.append(new)
                continue
            body.append(stmt)
            if binds:
                self._shadowed.add(binds)
        return self.leave_Module(module, module.with_changes(body=body))

    # -- the module: imports left unused go, imports needed come ------------

    def _remaining(self, name: str) -> int:
        return self._uses[name] - self._not_uses[name] - self._removed[name]

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        # asyncio.wait() calls no yield from / await gave tasks: 3.11+ refuses coroutines.
        for call in self._waits.values():
            self.reports.append((call, "LC005", ""))
        drop = {name for name, count in self._removed.items()
                if count > 0 and name in self._bindings and self._remaining(name) <= 0}
        if self._need_asyncio and self._asyncio_name:
            drop.discard(self._asyncio_name)
        statements: List[Any] = list(updated_node.body)
        additions: List[str] = []
        if self._need_asyncio and not self._asyncio_name:
            additions.append("import asyncio")
        if self._need_legacy:
            additions.append("from legacy_coro import coroutine"
                             if isinstance(self._legacy_ref, cst.Name) else "import legacy_coro")
        position = self._import_position(statements)
        if self._need_result and not self._result_defined:
            self._add_result_helper(statements, position)
        statements[position:position] = [cst.parse_statement(line) for line in additions]
        body: List[cst.CSTNode] = []
        carried: List[cst.EmptyLine] = []
        dropped_first = False
        for stmt in statements:
            if drop and isinstance(stmt, cst.SimpleStatementLine):
                new_stmt = self._drop_imports(stmt, drop)
                if new_stmt is None:
                    carried.extend(stmt.leading_lines)
                    dropped_first = dropped_first or not body
                    continue
                stmt = new_stmt
            if dropped_first and not body:
                # The new first statement does not start with the blank lines
                # that separated it from the import that went.
                leading = list(stmt.leading_lines)  # type: ignore[attr-defined]
                while leading and leading[0].comment is None:
                    leading.pop(0)
                stmt = stmt.with_changes(leading_lines=leading)
            if carried:
                stmt = stmt.with_changes(leading_lines=carried + list(stmt.leading_lines))
                carried = []
            body.append(stmt)
        if body == list(updated_node.body):
            return updated_node
        return updated_node.with_changes(body=body)

    def _add_result_helper(self, statements: List[Any], imports_end: int) -> None:
        """Add the result helper after the imports, before the code that uses it.

        After the last module-level import before the first statement that uses
        it: it is defined before a converted function can be called.
        """
        needle = self._result_name + "("
        first = next((i for i, stmt in enumerate(statements)
                      if needle in _EMPTY.code_for_node(stmt)), len(statements))
        position = imports_end
        for index in range(imports_end, first):
            stmt = statements[index]
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                    isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
                position = index + 1
        following = statements[position] if position < len(statements) else None
        if following is not None:
            # A class now comes before it: two blank lines after the class.
            leading = list(following.leading_lines)
            blank = next((i for i, line in enumerate(leading) if line.comment is not None),
                         len(leading))
            if blank < 2:
                statements[position] = following.with_changes(leading_lines=[
                    cst.EmptyLine(indent=False)] * (2 - blank) + leading)
        statements.insert(position, _result_helper(self._result_name))

    @staticmethod
    def _import_position(body: Sequence[cst.CSTNode]) -> int:
        """Return where new imports go: after the leading docstring and imports."""
        position = 0
        for index, stmt in enumerate(body):
            if not isinstance(stmt, cst.SimpleStatementLine):
                break
            if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
                position = index + 1
            elif index == 0 and isinstance(stmt.body[0], cst.Expr) and isinstance(
                    stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                position = 1
            else:
                break
        return position

    def _drop_imports(self, line: cst.SimpleStatementLine,
                      drop: Set[str]) -> Optional[cst.SimpleStatementLine]:
        statements: List[cst.BaseSmallStatement] = []
        for small in line.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                    small.names, cst.ImportStar):
                gone = [a for a in small.names if self._alias_local(a) in drop]
                if gone:
                    names = _remove_from(small.names, gone)
                    if not names:
                        continue
                    small = small.with_changes(names=names)
            statements.append(small)
        if len(statements) == len(line.body) and all(
                a is b for a, b in zip(statements, line.body)):
            return line
        if not statements:
            return None
        last = statements[-1]
        if last is not line.body[-1]:
            statements[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return line.with_changes(body=statements)

    @staticmethod
    def _alias_local(alias: cst.ImportAlias) -> Optional[str]:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        parts = _dotted(alias.name)
        return parts[0] if parts else None


#: What ``legacy-coro port`` adds to a module where a converted function returns a
#: value that may be awaitable: 3.10's ``@asyncio.coroutine`` awaited the result of a
#: function that never yields (Lib/asyncio/coroutines.py, ``coro()`` in ``coroutine()``),
#: ``async def`` returns it as it is.  ``return await _LegacyCoroResult(value)`` applies
#: the same rule.  A class, so that ``__await__`` can ``yield from`` a plain generator
#: as 3.10 did (``await`` refuses one); stdlib imports only, syntax of 3.5.
RESULT_HELPER_CODE = """\
# Added by legacy-coro port (LC018): `return await {name}(value)` does with the
# value what @asyncio.coroutine did (Python 3.4-3.10) with the result of a function
# that never yielded: a future, a generator or another awaitable is awaited, anything
# else is returned as it is.  Where the value is never awaitable, `return value` is
# enough; where it always is, `return await value`.
class {name}:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __await__(self):
        import collections.abc
        import types

        res = self.value
        if ((hasattr(res.__class__, "_asyncio_future_blocking")
                and res._asyncio_future_blocking is not None)
                or isinstance(res, types.GeneratorType)):
            res = yield from res
        else:
            try:
                await_meth = res.__await__
            except AttributeError:
                pass
            else:
                if isinstance(res, collections.abc.Awaitable):
                    res = yield from await_meth()
        return res
"""


def _result_helper(name: str) -> cst.BaseStatement:
    """The result helper class called *name*, two blank lines and its comment above it."""
    code = RESULT_HELPER_CODE.format(name=name)
    comments = [line for line in code.splitlines() if line.startswith("#")]
    statement = cst.parse_statement(code[code.index("class "):])
    lines = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    lines += [cst.EmptyLine(indent=False, comment=cst.Comment(c)) for c in comments]
    return statement.with_changes(leading_lines=lines)


class _NameCounter(cst.CSTVisitor):
    """Count the names under a node as the transformer's own visit counts them."""

    def __init__(self, transformer: "PortTransformer") -> None:
        super().__init__()
        self.transformer = transformer

    def visit_Name(self, node: cst.Name) -> None:
        self.transformer.visit_Name(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.transformer.visit_Attribute(node)

    def visit_Arg(self, node: cst.Arg) -> None:
        self.transformer.visit_Arg(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value not in self.transformer._shadowed:
            self.transformer._not_uses[node.name.value] += 1

    visit_ClassDef = visit_FunctionDef  # type: ignore[assignment]


class _InspectedNames(cst.CSTVisitor):
    """Collect the names passed to ``iscoroutinefunction()`` other than asyncio's."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        parts = _dotted(node.func)
        if not parts or parts[-1] != "iscoroutinefunction" or parts[0] in (
                "asyncio", "legacy_coro") or not node.args:
            return
        target = _dotted(node.args[0].value)
        if target:
            self.names.add(target[-1])


def plan_module(reduced: Reduced, module: cst.Module) -> Optional[Plan]:
    """Line the statements *reduced* planned (with :mod:`ast`) up with those of *module*.

    Returns None when they do not line up; the caller then visits everything.
    """
    flags: List[bool] = []
    binds: List[Optional[str]] = []
    units = reduced.units
    index = 0
    for stmt in module.body:
        size = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        group = units[index:index + size]
        index += size
        if len(group) != size:
            return None
        flags.append(any(unit.interesting for unit in group))
        binds.append(group[0].binds if size == 1 else None)
    if index != len(units):
        return None
    return Plan(flags, binds)


def inspected_names(module: cst.Module) -> Set[str]:
    """Return the names a module passes to ``iscoroutinefunction()`` (not asyncio's)."""
    finder = _InspectedNames()
    module.visit(finder)
    return finder.names


# ---------------------------------------------------------------------------

def _decode(source: bytes) -> Tuple[str, str]:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding), encoding


def _compiles(text: str, path: str) -> Optional[str]:
    """Return None when *text* compiles on the running Python, else the error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_output(original: str, new: str, path: str) -> None:
    """Raise PortError unless *new* compiles on this Python.

    compile() is the running interpreter's own parser and compiler, so it
    catches what a parse alone would not (``await`` outside ``async def``).
    LibCST is not asked to parse the result again: it read the input, and the
    port only adds ``async``/``await``, which its grammar reads on every
    version; the tests port every output a second time to hold that.
    """
    problem = _compiles(new, path)
    if problem is None:
        return
    before = _compiles(original, path)
    if before is not None:
        version = "{}.{}".format(*sys.version_info[:2])
        raise PortError("parse", f"does not compile on Python {version}: {before}")
    raise PortError("internal", f"internal error: the ported code does not compile: {problem}")


def _not_reproduced(text: str, code: str) -> str:
    """Say where LibCST's round trip of *text* differs, and what to do about it."""
    old, new = text.splitlines(), code.splitlines()
    line = next((n for n, (a, b) in enumerate(zip(old, new), 1) if a != b),
                min(len(old), len(new)) + 1)
    was = old[line - 1].strip() if line <= len(old) else ""
    becomes = new[line - 1].strip() if line <= len(new) else ""
    return (f"LibCST does not reproduce line {line} exactly ({was!r} would become "
            f"{becomes!r}), so the file is left as it is; reformat that line (for example "
            "`except X :` as `except X:`, LibCST issue 1457) and run again")


class _LineState(CodegenState):
    """LibCST's code generation, noting the line where each node that can be a site starts.

    The port renders the module it parsed anyway (to check that LibCST gives
    back the text it was given); noting lines on the way costs next to nothing,
    where LibCST's PositionProvider renders the module once more, slowly.  The
    line is where PositionProvider's syntactic position starts (``def``, not
    the decorator above it).
    """

    __slots__ = ("marks",)

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent, default_newline)
        self.marks: List[Tuple[int, int]] = []  #: (tokens before it, id(node)), in order

    @contextlib.contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *,
                                  start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        if type(node) in _SITE_NODES:
            self.marks.append((len(self.tokens), id(node)))
        yield

    def lines(self) -> Dict[int, int]:
        """id(node) -> the line it starts on, counting the newlines of the tokens before it."""
        lines: Dict[int, int] = {}
        line, done = 1, 0
        for index, node in self.marks:
            chunk = "".join(self.tokens[done:index])
            line += chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            done = index
            lines[node] = line
        return lines


#: the node types a site is reported at
_SITE_NODES = frozenset({cst.Call, cst.FunctionDef, cst.Decorator, cst.Yield, cst.With,
                         cst.If, cst.Return})


class _Lines:
    """The line of the original file where a node of *module* starts.

    From the rendering the port does anyway (:class:`_LineState`); for a node it
    did not note, from LibCST's PositionProvider (which renders the module again).
    """

    def __init__(self, module: cst.Module, lines: Optional[Dict[int, int]],
                 reduced: Optional[Reduced]) -> None:
        self.module = module
        self.lines = lines or {}
        self.reduced = reduced
        self.positions: Optional[Any] = None

    def __call__(self, node: cst.CSTNode) -> Optional[int]:
        number = self.lines.get(id(node))
        if number is None:
            if self.positions is None:
                self.positions = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                    PositionProvider)
            position = self.positions.get(node)
            if position is None:
                return None
            number = int(position.start.line)
        return self.reduced.original_line(number) if self.reduced else number


def _render(module: cst.Module) -> Tuple[str, Optional[Dict[int, int]]]:
    """Return the module's code and the first line of each node a site can be at."""
    try:
        state = _LineState(module.default_indent, module.default_newline)
        module._codegen(state)
    except (AttributeError, TypeError):  # a LibCST whose code generation works otherwise
        return module.code, None
    return "".join(state.tokens), state.lines()


class _Unfold(Exception):
    """Folding did not line up for this file: port it again with nothing folded."""


class Scanned(NamedTuple):
    """One file read and analysed with :mod:`ast` (the first pass of a run)."""

    path: str
    source: bytes
    text: str = ""
    encoding: str = "utf-8"
    prepared: str = ""  #: the text with ``asyncio.async`` rewritten
    analysis: Optional[Analysis] = None  #: None: nothing in the file to port
    module: str = ""
    package: bool = False
    target: Tuple[int, int] = (3, 8)  #: the oldest Python the output must run on


#: The text any rewrite needs: every construct the port rewrites is reached
#: through an import of asyncio or legacy_coro.
_NEEDS_IMPORT = re.compile(r"asyncio|legacy_coro")


def scan(source: bytes, path: str = "<unknown>", module: str = "",
         package: bool = False, force: bool = False,
         target: Tuple[int, int] = (3, 8)) -> Scanned:
    """Read one file and analyse it with :mod:`ast`; raise :class:`PortError` if unreadable.

    A file that cannot need porting (no ``yield``, ``coroutine``, ``loop``...
    in it) is not parsed at all.  A file the running Python cannot parse is an
    error only if something in it could need porting.
    """
    if not force and not _INTERESTING.search(source):
        return Scanned(path, source, module=module, package=package, target=target)
    try:
        text, encoding = _decode(source)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise PortError("parse", f"cannot decode: {exc}") from None
    prepared = rewrite_async_calls(text)
    analysis = analyse(prepared, module, package, ident=path, target=target)
    if analysis is None:
        if not _NEEDS_IMPORT.search(prepared):
            return Scanned(path, source, text, encoding, prepared, None, module, package, target)
        version = "{}.{}".format(*sys.version_info[:2])
        raise PortError("parse", f"cannot parse on Python {version}: {syntax_error(prepared)}")
    return Scanned(path, source, text, encoding, prepared, analysis, module, package, target)


def port_scanned(scanned: Scanned, facts: Facts, target: Tuple[int, int] = (3, 8),
                 transformer_factory: Optional[type] = None) -> Ported:
    """Port a scanned file with what the run-wide analysis found (the second pass)."""
    notes = facts.notes
    reports = tuple(Site(*r) for r in facts.reports)
    analysis = scanned.analysis
    if analysis is None or not facts.rewrites:
        return Ported(scanned.source, False, 0, (), reports, notes=notes)
    factory = transformer_factory or PortTransformer
    try:
        ported = _port(scanned, analysis, facts, target, factory)
    except _Unfold:
        unfolded = analyse(scanned.prepared, scanned.module, scanned.package, fold=False,
                           ident=scanned.path, target=scanned.target)
        assert unfolded is not None
        ported = _port(scanned, unfolded, facts, target, factory)
    sites = tuple(sorted(set(ported.sites + reports)))
    return ported._replace(sites=sites, notes=notes)


def port_source(source: bytes, path: str = "<unknown>",
                transformer_factory: Optional[type] = None,
                target: Tuple[int, int] = (3, 8), result_helper: bool = True) -> Ported:
    """Port one file's bytes on its own; raise :class:`PortError` when it cannot be done safely.

    Statements with nothing to port are left out of what LibCST parses
    (:mod:`legacy_coro._port_plan`); where that does not line up, the file is
    ported again with nothing left out.  The result is the same.
    """
    scanned = scan(source, path, *(module_name(path) if path not in ("<unknown>", "-")
                                   else ("", False)), target=target)
    infos = {path: scanned.analysis.info} if scanned.analysis is not None else {}
    refused: Set[Tuple[str, Tuple[str, ...]]] = set()
    while True:
        facts = Run(infos, refused, result_helper).facts(path) if infos else Facts()
        ported = port_scanned(scanned, facts, target, transformer_factory)
        if not ported.refused_helpers:
            return ported
        refused.update((path, helper) for helper in ported.refused_helpers)


def _port(scanned: Scanned, analysis: Analysis, facts: Facts, target: Tuple[int, int],
          factory: type) -> Ported:
    """Port *scanned* as *analysis* planned it (reduced None: visit the whole module)."""
    reduced = analysis.reduced
    source, text, encoding, prepared, path = (scanned.source, scanned.text, scanned.encoding,
                                              scanned.prepared, scanned.path)
    folded = reduced is not None and bool(reduced.kept)
    parsed = reduced.text if reduced else prepared
    try:
        module = cst.parse_module(parsed)
    except cst.ParserSyntaxError as exc:
        if folded:
            raise _Unfold() from None
        raise PortError("parse", f"LibCST cannot parse: {exc.message} (line {exc.raw_line})"
                        ) from None
    rendered, lines = _render(module)
    if rendered != parsed:  # LibCST would change text it was not asked to change
        if folded:
            raise _Unfold()
        raise PortError("parse", _not_reproduced(parsed, rendered))
    inspected = set(analysis.scopes.inspected)
    plan = plan_module(reduced, module) if reduced else None
    line_of = _Lines(module, lines, reduced)
    if reduced is not None and plan is not None:
        transformer = factory(inspected, reduced.counts, analysis.scopes, facts, target, line_of)
        new_module = transformer.port_module(module, plan)
    elif folded:
        raise _Unfold()
    else:
        transformer = factory(inspected, None, analysis.scopes, facts, target, line_of)
        new_module = module.visit(transformer)
    code = new_module.code
    new_text = reduced.restore(code) if reduced is not None else code
    if new_text is None:  # the transform lost a placeholder
        raise _Unfold()
    sites: List[Site] = []
    if transformer.reports:
        sites = sorted({Site(line_of(n) or 0, code, detail)
                        for n, code, detail in transformer.reports})
    changed = new_text != text
    if changed:
        _check_output(prepared, new_text, path)
    return Ported(
        new_text.encode(encoding) if changed else source,
        changed,
        len(transformer.converted),
        tuple(transformer.converted),
        tuple(sites),
        tuple(transformer.refused_helpers),
    )
