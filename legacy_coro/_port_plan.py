"""What ``legacy-coro port`` shows LibCST, and what the port knows of names: one :mod:`ast` pass.

LibCST builds a Python object for every token, parses about ten times slower
than :mod:`ast`, and a transform rebuilds every node it visits.  Most of a file
has nothing to port.  This pass reads the file with ast, finds the statements
the port could touch, and replaces every other statement that fills whole lines
by one placeholder line of the same indentation.  LibCST parses and transforms
the shorter text; :meth:`Reduced.restore` puts the original lines back, byte
for byte.

The same walk records, for :mod:`legacy_coro._port_names`, what a ``yield
from`` could be handed: every scope and what it binds (imports, functions,
classes, parameters, locals), every function and class with what converting
it would meet, every ``yield from`` with its callee, and the other references
to functions (:class:`ModuleInfo`).  Plain :mod:`ast` and text only: LibCST is
not imported here.
"""

import ast
import bisect
import re
import warnings
from collections import Counter
from typing import (
    Any, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple, Union,
)

from legacy_coro._port_branches import branch_outcome, mentions_version_info
from legacy_coro._versions import COROUTINE_DECORATORS, TASK_ENTRY_POINTS, canonical_asyncio

__all__ = [
    "KEYWORDS", "Analysis", "ClassInfo", "FunctionInfo", "ModuleInfo", "Reduced", "Scopes",
    "SiteInfo", "Unit", "absolute_module", "analyse", "plain_iterable", "plainly_not_awaitable",
    "reduce_source", "syntax_error",
]

#: Names and attributes the transform acts on (with the local names of the
#: asyncio / legacy_coro imports of the file).  A statement with none of them,
#: no yield, no return, no import and no ``loop=`` keyword has nothing to port.
KEYWORDS = frozenset({"coroutine", "coroutines", "wait", "all_tasks", "current_task",
                      "get_event_loop", "iscoroutinefunction"})
_OWN_MODULES = ("asyncio", "legacy_coro")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")
_PLACEHOLDER = "__legacy_coro_kept_"

#: ``yield from`` of a call of these is a plain generator at work, never an awaitable.
NOT_AWAITABLE_CALLS = frozenset(
    "range list tuple dict set frozenset str bytes iter enumerate zip map filter reversed "
    "sorted".split()
)
#: calls whose value is a str or a number, whatever their argument (LC001)
STR_OR_NUMBER = frozenset({"str", "repr", "len", "int", "float", "bool", "format"})
#: the patterns of ``match`` (3.10+) that bind a name
_MATCH_CAPTURES = frozenset(getattr(ast, name) for name in ("MatchAs", "MatchStar", "MatchMapping")
                            if hasattr(ast, name))
#: decorators after which a function is still the function it was (see _Reducer._decorator)
_SAME_KIND = frozenset({"static", "class", "transparent"})
#: comparisons whose result is a bool whatever the operands (``<`` may return anything)
_BOOL_COMPARISONS = frozenset({ast.Is, ast.IsNot, ast.In, ast.NotIn})
_ITERABLE_NODES = frozenset({ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp,
                             ast.DictComp, ast.GeneratorExp, ast.JoinedStr})
#: the last part of a callee that makes a task of its argument: ``loop.create_task(c)``
_TASK_MAKERS = frozenset({"ensure_future", "create_task"})
#: task entry points with a name nothing else has: ``x.run_until_complete(c)`` is one
_TASK_METHODS = frozenset({"ensure_future", "create_task", "run_until_complete",
                           "run_coroutine_threadsafe", "async"})

Path = Tuple[str, ...]  #: where a function, class or scope sits: ("Class", "method")
Binding = Tuple[Any, ...]  #: what a name is bound to in one scope (see _Scope.bind)
RawRef = Tuple[Any, ...]  #: a callee as written: ("name", n), ("dotted", parts), ("super", m)
Key = Tuple[Any, ...]  #: ("call", parts) / ("super", m) / ("name", n): a yield from's operand
#: A reference resolved within its module: ("fn", module, path), ("cls", module, path),
#: ("q", qualified import name), ("method", module, class path, name, subclasses too),
#: ("super", module, class path, name), ("param", module, function path, index, name),
#: ("result", ref): what calling ref returned, ("attr", name): a method of an object
#: the port cannot see, ("builtin", name): a name the module does not bind, ("tasks",),
#: ("unknown",), ("any", (ref, ...)).
Ref = Tuple[Any, ...]
#: the class ``legacy-coro port`` adds to a module that needs it (LC018)
RESULT_HELPER = "_LegacyCoroResult"
VALUE: Binding = ("value",)
PLAIN: Binding = ("plain",)  #: a value no awaiting applies to (see plainly_not_awaitable)
UNKNOWN: Ref = ("unknown",)


class FunctionInfo(NamedTuple):
    """One function of the module, as the run-wide analysis needs it."""

    path: Path
    line: int  #: the line of ``def`` (for a decorated function, not the decorator's)
    kind: str  #: "coroutine" (decorated), "async", "generator", "plain", "other" (decorated)
    method: str  #: "" (a function), "method", "static", "class"
    params: Tuple[str, ...]  #: positional parameters, in order
    data: bool  #: has a ``yield VALUE``: a generator of values, not a coroutine helper
    #: reason codes that would keep it from becoming ``async def``, known from this module
    blockers: Tuple[str, ...]
    returns: Tuple[Ref, ...]  #: the callees of ``return CALL(...)``
    #: for a function that never yields: each ``return VALUE`` whose value is not plainly
    #: something no awaiting applies to, as (line, the callees whose results it may be);
    #: an ``("unknown",)`` callee: it may be anything else
    results: Tuple[Tuple[int, Tuple[Ref, ...]], ...] = ()


class ClassInfo(NamedTuple):
    """One class of the module."""

    path: Path
    line: int
    bases: Tuple[Ref, ...]
    names: Dict[str, str]  #: what the class body binds: name -> "def" / "other"


class SiteInfo(NamedTuple):
    """One ``yield from`` inside a function."""

    fn: Path  #: the function it is in
    key: Optional[Key]  #: how the transform names its operand (None: not a call or name)
    ref: Ref  #: the operand's callee (or the name's binding), resolved in the module
    line: int


class ModuleInfo(NamedTuple):
    """What one module tells the run-wide analysis (:mod:`legacy_coro._port_names`)."""

    module: str  #: dotted module name ("" when unknown)
    ident: str  #: how references name this module's own objects (its file; else the name)
    uses_asyncio: bool  #: imports asyncio or legacy_coro
    functions: Dict[Path, Tuple[FunctionInfo, ...]]  #: more than one: defined twice
    classes: Dict[Path, Tuple[ClassInfo, ...]]
    exports: Dict[str, Tuple[Ref, ...]]  #: module-level names
    stars: Tuple[str, ...]  #: ``from M import *`` at module level
    sites: Tuple[SiteInfo, ...]
    others: FrozenSet[Ref]  #: functions, classes and imports used otherwise than called
    other_attrs: FrozenSet[str]  #: attribute names used otherwise than called
    #: (callee, position or keyword, callee of the call given there): f(g())
    argflows: Tuple[Tuple[Ref, Union[int, str], Ref], ...]
    setattrs: FrozenSet[Tuple[str, str]]  #: ``NAME.attr = ...`` at module level
    tasks: FrozenSet[Ref]  #: callees whose call is handed to a task: ensure_future(f())


class Scopes(NamedTuple):
    """What the transform asks about names inside functions and classes."""

    #: scope path -> local name -> the qualified name it imports (None: something else)
    names: Dict[Path, Dict[str, Optional[str]]]
    #: function path -> names bound only to tasks (``t = loop.create_task(c)``)
    tasks: Dict[Path, FrozenSet[str]]
    kinds: Dict[Path, str]  #: scope path -> "function", "lambda", "class"
    #: names passed to ``iscoroutinefunction()`` other than asyncio's (LC008)
    inspected: FrozenSet[str] = frozenset()
    module: str = ""  #: the module's dotted name, for its relative imports
    package: bool = False  #: whether it is a package's ``__init__``
    #: line of an ``if`` / ``elif`` -> the value its ``sys.version_info`` test has on
    #: every Python of the target: the other branch never runs there, and is left as it is
    versions: Dict[int, bool] = {}
    #: the name of the port's result helper in this module, and whether a class of that
    #: name is defined at module level already (a module ported before)
    result_helper: Tuple[str, bool] = ("_LegacyCoroResult", False)


class Unit(NamedTuple):
    """One top-level statement of the original file."""

    interesting: bool  #: whether the transform must visit it
    binds: Optional[str]  #: the name a top-level def or class binds


class Reduced(NamedTuple):
    """The text LibCST gets, and how to map its results back to the original."""

    text: str  #: the source with the placeholders in
    units: Tuple[Unit, ...]  #: one per top-level statement of the original, in order
    counts: Dict[str, int]  #: Name uses, not counting those after a module-level def rebinds it
    prefix: str  #: the placeholders' names start with it; nothing in the file does
    kept: Dict[str, str]  #: placeholder name -> the original text it stands for
    #: (line of a placeholder in ``text``, lines of the original it stands for minus one)
    folded: Tuple[Tuple[int, int], ...]

    def restore(self, code: str) -> Optional[str]:
        """Put the original statements back into *code*; None if a placeholder went missing."""
        if not self.kept:
            return code
        seen: List[str] = []

        def original(match: "re.Match[str]") -> str:
            seen.append(match.group())
            return self.kept[match.group()]

        restored = re.sub(re.escape(self.prefix) + r"\d+__", original, code)
        return restored if len(seen) == len(set(seen)) == len(self.kept) else None

    def original_line(self, line: int) -> int:
        """Return the line of the original that line *line* of ``text`` is."""
        index = bisect.bisect_left(self.folded, (line, 0))
        return line + sum(extra for _, extra in self.folded[:index])


def _local_names(statements: Sequence[ast.stmt], depth: int = 0) -> Set[str]:
    """Return the local names the module-level asyncio / legacy_coro imports bind.

    Where the transform looks for imports: at module level and inside
    module-level ``if`` and ``try`` blocks, two deep.
    """
    names: Set[str] = set()
    for node in statements:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level and (
                node.module.split(".")[0] in _OWN_MODULES):
            names.update(alias.asname or alias.name for alias in node.names)
        elif depth < 2 and isinstance(node, (ast.If, ast.Try)):
            names |= _local_names(list(_children(node)), depth + 1)
    return names


def _children(stmt: ast.stmt) -> Iterator[ast.stmt]:
    """Yield the statements directly inside *stmt* (bodies, handlers, cases)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            yield from block
    for part in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]:
        yield from part.body


def _suspends(statements: Sequence[ast.stmt]) -> bool:
    """Whether *statements* hold a ``yield``, ``yield from`` or ``await`` of their function."""
    stack: List[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
        if not isinstance(node, (*_FUNCTIONS, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _first_line(stmt: ast.stmt) -> int:
    decorators: Sequence[ast.expr] = getattr(stmt, "decorator_list", ())
    return min([stmt.lineno] + [d.lineno for d in decorators])


class _Fn:
    """A function (or lambda) while the walk is inside it."""

    __slots__ = ("path", "name", "line", "is_async", "lambda_", "decorators", "params",
                 "method", "yields", "values", "plain_from", "with_blocked", "returns")

    def __init__(self, path: Path, name: str, line: int, is_async: bool, lambda_: bool,
                 decorators: Sequence[ast.expr], params: Tuple[str, ...], method: bool) -> None:
        self.path = path
        self.name = name
        self.line = line
        self.is_async = is_async
        self.lambda_ = lambda_
        self.decorators = decorators
        self.params = params
        self.method = method  #: defined directly in a class body
        self.yields = 0
        self.values = False  #: a `yield VALUE` (LC002)
        self.plain_from = False  #: a `yield from` of a plain iterable (LC006)
        self.with_blocked = False  #: `with (yield from X) as y` or beside others (LC011)
        self.returns: List[ast.Return] = []


class _Scope:
    """A module, function, lambda or class body: the names it binds."""

    __slots__ = ("path", "kind", "parent", "fn", "names", "globals", "nonlocals", "stars", "cls")

    def __init__(self, path: Path, kind: str, parent: Optional["_Scope"],
                 fn: Optional[_Fn], cls: Optional[Path] = None) -> None:
        self.path = path
        self.kind = kind  #: "module", "function", "lambda", "class"
        self.parent = parent
        self.fn = fn
        self.names: Dict[str, List[Binding]] = {}
        self.globals: Set[str] = set()
        self.nonlocals: Set[str] = set()  #: declared ``nonlocal`` here (in globals too)
        self.stars: List[str] = []  #: modules imported with `from M import *`
        self.cls = cls  #: for a function scope directly in a class body: the class path

    def bind(self, name: str, binding: Binding) -> None:
        if name in self.globals:
            scope = self
            while scope.parent is not None:
                scope = scope.parent
            scope.bind(name, binding)
            return
        found = self.names.get(name)
        if found is None:
            self.names[name] = [binding]
        elif binding not in found:
            found.append(binding)


class _Mark:
    """A stack entry that switches the walk's scope (a function body starts or ends)."""

    __slots__ = ("scope", "fn")
    _fields = ()

    def __init__(self, scope: _Scope, fn: Optional[_Fn]) -> None:
        self.scope = scope
        self.fn = fn


def absolute_module(name: str, package: bool, module: str, level: int) -> str:
    """The absolute name of ``from .module import`` (*level* dots) in module *name*."""
    if not level:
        return module
    parts = name.split(".") if name else []
    if not package:
        parts = parts[:-1]
    parts = parts[:len(parts) - (level - 1)] if level > 1 else parts
    if module:
        parts.append(module)
    return ".".join(parts) or module


def _raw_ref(node: ast.expr) -> Optional[RawRef]:
    """Return what a callee expression names, unresolved: a name, a dotted name, super().m."""
    parts: List[str] = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    kind = type(node)
    if kind is ast.Name:
        parts.append(node.id)  # type: ignore[attr-defined]
        parts.reverse()
        return ("name", parts[0]) if len(parts) == 1 else ("dotted", tuple(parts))
    if (kind is ast.Call and len(parts) == 1 and type(node.func) is ast.Name  # type: ignore
            and node.func.id == "super"):  # type: ignore[attr-defined]
        return ("super", parts[0])
    return None


def _key(raw: Optional[RawRef]) -> Optional[Key]:
    """The verdict key of ``yield from CALLEE(...)``, as the transform computes it."""
    if raw is None:
        return None
    if raw[0] == "name":
        return ("call", (raw[1],))
    if raw[0] == "dotted":
        return ("call", raw[1])
    return ("super", raw[1])


def plain_iterable(node: ast.expr) -> bool:
    """True when ``yield from node`` plainly iterates (a display, a literal, ``range()``...)."""
    kind = type(node)
    if kind in _ITERABLE_NODES:
        return True
    if kind is ast.Constant:
        return type(node.value) in (str, bytes, int, float, complex)  # type: ignore
    return (kind is ast.Call and type(node.func) is ast.Name  # type: ignore[attr-defined]
            and node.func.id in NOT_AWAITABLE_CALLS)  # type: ignore[attr-defined]


def plainly_not_awaitable(node: Optional[ast.expr]) -> bool:
    """True for values no awaiting could apply to: literals and arithmetic on them (LC001)."""
    if node is None:
        return True
    kind = type(node)
    if kind in _ITERABLE_NODES or kind is ast.JoinedStr:
        return True
    if kind is ast.Constant:
        return node.value is not Ellipsis  # type: ignore[attr-defined]
    if kind is ast.Call:
        func = node.func  # type: ignore[attr-defined]
        if type(func) is ast.Attribute:
            value = func.value
            return type(value) is ast.Constant and type(value.value) is str
        return type(func) is ast.Name and func.id in STR_OR_NUMBER
    if kind is ast.BinOp:
        return (plainly_not_awaitable(node.left)  # type: ignore[attr-defined]
                and plainly_not_awaitable(node.right))  # type: ignore[attr-defined]
    if kind is ast.UnaryOp:
        return (type(node.op) is ast.Not  # type: ignore[attr-defined]
                or plainly_not_awaitable(node.operand))  # type: ignore[attr-defined]
    if kind is ast.Compare:  # a bool, whatever the operands
        return all(type(op) in _BOOL_COMPARISONS for op in node.ops)  # type: ignore
    if kind is ast.IfExp:
        return (plainly_not_awaitable(node.body)  # type: ignore[attr-defined]
                and plainly_not_awaitable(node.orelse))  # type: ignore[attr-defined]
    return False


def _makes_tasks(node: Optional[ast.expr]) -> bool:
    """Whether *node* is a task-making call, or a list/set/comprehension of them."""
    kind = type(node)
    if kind is ast.Call:
        raw = _raw_ref(node.func)  # type: ignore[union-attr]
        if raw is None or raw[0] == "super":
            return False
        return (raw[1] if raw[0] == "name" else raw[1][-1]) in _TASK_MAKERS
    if kind in (ast.List, ast.Tuple, ast.Set):
        return bool(node.elts) and all(  # type: ignore[union-attr]
            _makes_tasks(e) for e in node.elts)  # type: ignore[union-attr]
    if kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
        return _makes_tasks(node.elt)  # type: ignore[union-attr]
    if kind is ast.BinOp and type(node.op) is ast.Add:  # type: ignore[union-attr]
        return _makes_tasks(node.left) and _makes_tasks(node.right)  # type: ignore
    return False


def _local_value(node: ast.expr) -> Binding:
    """What an assignment of *node* to a local name binds it to."""
    if _makes_tasks(node):
        return ("tasks",)
    if plainly_not_awaitable(node):
        return PLAIN
    if type(node) is ast.Call:
        raw = _raw_ref(node.func)  # type: ignore[attr-defined]
        if raw is not None:
            return ("result", raw)
    return VALUE


class _Reducer:
    """Decide which statements LibCST must see; build the text with placeholders.

    The same walk records what the port needs to know about names: every scope
    and what it binds, every function and class, every ``yield from`` and the
    references to functions that decide whether an undecorated generator may
    become ``async def`` too (see :class:`ModuleInfo`).
    """

    def __init__(self, text: str, tree: ast.Module, module: str = "",
                 package: bool = False, ident: str = "",
                 target: Tuple[int, int] = (3, 8)) -> None:
        self.lines: List[str] = _LINES.findall(text)
        self.name = module  # the dotted name, for relative imports
        self.module = ident or module  # how references to this module's own objects name it
        self.package = package
        self.target = target
        self._nonlocals: Optional[Set[Tuple[Path, str]]] = None
        #: line of an ``if`` whose test is decided for the target -> its value
        self.versions: Dict[int, bool] = {}
        keywords = KEYWORDS | _local_names(tree.body)
        self.counts: Dict[str, int] = Counter()
        hot = bytearray(len(self.lines) + 2)
        returns: List[int] = []
        decorated: List[Tuple[int, int, int]] = []  # first and last decorator line, last line
        shadowed: Set[str] = set()
        self.units: List[Unit] = []
        top = _Scope((), "module", None, None)
        self.top = top
        self.fns: List[_Fn] = []
        self.classes: List[Tuple[Path, int, List[ast.expr], _Scope]] = []
        self.scopes: List[_Scope] = [top]
        self.sites: List[Tuple[_Fn, _Scope, Optional[Key], Optional[RawRef], int]] = []
        self.argflows: List[Tuple[_Scope, RawRef, Union[int, str], RawRef]] = []
        self.other_names: Set[Tuple[str, _Scope]] = set()
        self.other_attrs: Set[str] = set()
        self.setattrs: Set[Tuple[str, str]] = set()
        self.inspected: Set[str] = set()
        self.uses_asyncio = False
        self.task_uses: List[Tuple[RawRef, _Scope]] = []
        #: f(g()) where f may be asyncio's run / wait / gather...: (scope, f, g)
        self.maybe_tasks: List[Tuple[_Scope, RawRef, RawRef]] = []
        consumed: Set[int] = set()  # callee expressions recorded as a yield from or a task
        call_how: Dict[int, str] = {}  # Call node id -> "yield" / "task"
        assigned: Dict[int, Binding] = {}  # target Name node id -> what it is bound to
        scope = top
        fn: Optional[_Fn] = None
        # ast.walk() is a generator of generators; an explicit stack walks twice as fast.
        for stmt in tree.body:
            stack: List[Any] = [stmt]
            while stack:
                node = stack.pop()
                if node is None or type(node) is str:  # in Dict keys, Global names
                    continue
                kind = type(node)
                if kind is ast.Name:
                    name = node.id
                    if name not in shadowed:
                        self.counts[name] += 1
                    if name in keywords:
                        hot[node.lineno] = 1
                    if type(node.ctx) is ast.Load:
                        if id(node) not in consumed:
                            self.other_names.add((name, scope))
                    else:
                        scope.bind(name, assigned.pop(id(node), VALUE))
                    continue
                if kind is ast.Attribute:
                    if node.attr in keywords:
                        hot[node.lineno] = 1
                    if type(node.ctx) is ast.Load:
                        if id(node) not in consumed:
                            self.other_attrs.add(node.attr)
                    elif scope is top and type(node.value) is ast.Name:
                        self.setattrs.add((node.value.id, node.attr))
                    stack.append(node.value)
                    continue
                if kind is ast.Call:
                    self._call(node, scope, fn, consumed, call_how)
                elif kind is ast.keyword:
                    if node.arg == "loop":
                        hot[node.value.lineno] = 1
                elif kind is ast.YieldFrom:
                    hot[node.lineno] = 1
                    if fn is not None and not fn.lambda_:
                        fn.yields += 1
                        value = node.value
                        if plain_iterable(value):
                            fn.plain_from = True
                        elif type(value) is ast.Call:
                            raw = _raw_ref(value.func)
                            call_how[id(value)] = "yield"
                            self.sites.append((fn, scope, _key(raw), raw, node.lineno))
                        elif type(value) is ast.Name:
                            self.sites.append((fn, scope, ("name", value.id),
                                               ("name", value.id), node.lineno))
                        else:
                            self.sites.append((fn, scope, None, None, node.lineno))
                elif kind is ast.Yield:
                    hot[node.lineno] = 1
                    if fn is not None and not fn.lambda_:
                        fn.yields += 1
                        value = node.value
                        if value is not None and not (
                                type(value) is ast.Constant and value.value is None):
                            fn.values = True
                elif kind is ast.Import or kind is ast.ImportFrom:
                    hot[node.lineno] = 1
                    self._import(node, scope)
                    continue
                elif kind is ast.Return:
                    returns.append(node.lineno)
                    if fn is not None:
                        fn.returns.append(node)
                elif kind is ast.Assign:
                    targets = node.targets
                    if len(targets) == 1 and type(targets[0]) is ast.Name:
                        assigned[id(targets[0])] = _local_value(node.value)
                elif kind in _FUNCTIONS:
                    if node.decorator_list:
                        lines = [d.lineno for d in node.decorator_list]
                        decorated.append((min(lines), max(lines),
                                          node.end_lineno or len(hot) - 2))
                    scope, fn = self._function(node, scope, fn, stack)
                    continue
                elif kind is ast.ClassDef:
                    scope = self._class(node, scope, fn, stack)
                    continue
                elif kind is ast.Lambda:
                    scope, fn = self._lambda(node, scope, fn, stack)
                    continue
                elif kind is _Mark:
                    scope, fn = node.scope, node.fn
                    continue
                elif kind is ast.comprehension:
                    # Its target is bound in the comprehension's own scope, which the
                    # port does not track; the iterables and conditions are walked.
                    stack.append(node.iter)
                    stack.extend(node.ifs)
                    continue
                elif kind is ast.With or kind is ast.AsyncWith:
                    items = node.items
                    locks = [i for i in items if type(i.context_expr) is ast.YieldFrom]
                    if fn is not None and locks and (
                            len(locks) != len(items) or any(i.optional_vars for i in locks)):
                        fn.with_blocked = True
                elif kind is ast.Global or kind is ast.Nonlocal:
                    scope.globals.update(node.names)
                    if kind is ast.Nonlocal:
                        scope.nonlocals.update(node.names)
                elif kind is ast.ExceptHandler:
                    if node.name:
                        scope.bind(node.name, VALUE)
                elif kind in _MATCH_CAPTURES:  # `case [x, *rest]`, `case {**rest}`
                    name = getattr(node, "name", None) or getattr(node, "rest", None)
                    if name:
                        scope.bind(name, VALUE)
                elif kind is ast.If:
                    live = self._live_branch(node, scope, fn, shadowed)
                    if live is not None:
                        stack.append(node.test)
                        stack.extend(live)
                        continue
                for field in node._fields:
                    value = getattr(node, field, None)
                    if type(value) is list:
                        stack.extend(value)
                    elif isinstance(value, ast.AST):
                        stack.append(value)
            binds = None
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                binds = stmt.name
                shadowed.add(stmt.name)
            self.units.append(Unit(False, binds))
        # What a function decorated with the coroutine decorator returns decides
        # whether it converts: its returns are worth a visit.
        inside = bytearray(len(hot))
        for first, last, end in decorated:
            if any(hot[first:last + 1]):
                inside[first:end + 1] = b"\x01" * (end + 1 - first)
        for line in returns:
            if inside[line]:
                hot[line] = 1
        self.hot_upto = [0]  # hot_upto[n]: how many of lines 1..n hold something to port
        for flag in hot[1:]:
            self.hot_upto.append(self.hot_upto[-1] + flag)
        self.folds: List[Tuple[int, int, str]] = []  # (first line, last line, indent), 0-based

    # -- the walk's helpers ---------------------------------------------------

    def _live_branch(self, node: ast.If, scope: _Scope, fn: Optional[_Fn],
                     shadowed: Set[str]) -> Optional[List[ast.stmt]]:
        """The branch of ``if sys.version_info ...`` that runs, when the other never runs.

        The branch that never runs is not walked: it binds nothing, calls
        nothing, has no site and nothing in it is ported; its names still count
        as uses, so that no import it needs is dropped.  Inside a function, a
        dead branch holding a ``yield`` or ``await`` of that function is ported
        with it (an ``async def`` cannot keep a ``yield from``): None.
        """
        test = node.test
        end = getattr(test, "end_lineno", None) or test.lineno
        if not mentions_version_info("".join(self.lines[test.lineno - 1:end])):
            return None

        def is_version_info(name: ast.expr) -> bool:
            raw = _raw_ref(name)
            return raw is not None and self._resolve(raw, scope) == ("q", "sys.version_info")

        outcome = branch_outcome(test, is_version_info, self.target)
        if outcome is None:
            return None
        dead, live = (node.orelse, node.body) if outcome else (node.body, node.orelse)
        if not dead:
            return None
        if fn is not None and _suspends(dead):
            return None
        for stmt in dead:
            for inner in ast.walk(stmt):
                if type(inner) is ast.Name and inner.id not in shadowed:
                    self.counts[inner.id] += 1
        self.versions[node.lineno] = outcome
        return live

    def _call(self, node: ast.Call, scope: _Scope, fn: Optional[_Fn], consumed: Set[int],
              call_how: Dict[int, str]) -> None:
        func = node.func
        raw = _raw_ref(func)
        how = call_how.pop(id(node), None)
        if raw is None:
            return
        if how is not None:
            consumed.add(id(func))
            if how == "task":
                self.task_uses.append((raw, scope))
        last = raw[1] if raw[0] != "dotted" else raw[1][-1]
        if last in TASK_ENTRY_POINTS:
            # A distinctive name is a task entry point whatever it is called on
            # (loop.run_until_complete); a common one (run, wait, gather...) only
            # if it turns out to be asyncio's, which is known after the walk.
            how = "task" if last in _TASK_METHODS else "task?"
            for arg in node.args:
                kind = type(arg)
                calls: List[ast.expr] = []
                if kind is ast.Call:
                    calls = [arg]
                elif kind in (ast.List, ast.Tuple, ast.Set):
                    calls = [e for e in arg.elts if type(e) is ast.Call]  # type: ignore
                elif kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp):
                    if type(arg.elt) is ast.Call:  # type: ignore[attr-defined]
                        calls = [arg.elt]  # type: ignore[attr-defined]
                elif kind is ast.Starred and type(arg.value) is ast.Call:  # type: ignore
                    calls = [arg.value]  # type: ignore[attr-defined]
                for call in calls:
                    call_how[id(call)] = how
                    if how == "task?":
                        inner = _raw_ref(call.func)  # type: ignore[attr-defined]
                        if inner is not None:
                            self.maybe_tasks.append((scope, raw, inner))
            return
        if last == "iscoroutinefunction" and node.args and (
                raw[0] != "dotted" or raw[1][0] not in _OWN_MODULES):
            target = _raw_ref(node.args[0])
            if target is not None and target[0] != "super":
                self.inspected.add(target[1] if target[0] == "name" else target[1][-1])
        for index, arg in enumerate(node.args):
            if type(arg) is ast.Call:
                inner = _raw_ref(arg.func)
                if inner is not None:
                    self.argflows.append((scope, raw, index, inner))
        for keyword in node.keywords:
            if keyword.arg and type(keyword.value) is ast.Call:
                inner = _raw_ref(keyword.value.func)  # type: ignore[attr-defined]
                if inner is not None:
                    self.argflows.append((scope, raw, keyword.arg, inner))

    def _import(self, node: Union[ast.Import, ast.ImportFrom], scope: _Scope) -> None:
        if type(node) is ast.Import:
            for alias in node.names:
                if alias.name.split(".")[0] in _OWN_MODULES:
                    self.uses_asyncio = True
                if alias.asname:
                    scope.bind(alias.asname, ("import", alias.name))
                else:
                    root = alias.name.split(".")[0]
                    scope.bind(root, ("import", root))
            return
        module = self._absolute(node.module or "", node.level)  # type: ignore[union-attr]
        if module.split(".")[0] in _OWN_MODULES:
            self.uses_asyncio = True
        for alias in node.names:
            if alias.name == "*":
                scope.stars.append(module)
            else:
                scope.bind(alias.asname or alias.name, ("import", f"{module}.{alias.name}"))

    def _absolute(self, module: str, level: int) -> str:
        return absolute_module(self.name, self.package, module, level)

    def _function(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef], scope: _Scope,
                  fn: Optional[_Fn], stack: List[Any]) -> Tuple[_Scope, Optional[_Fn]]:
        path = scope.path + (node.name,)
        scope.bind(node.name, ("def", path))
        args = node.args
        params = tuple(a.arg for a in [*getattr(args, "posonlyargs", ()), *args.args])
        method = scope.kind == "class"
        new_fn = _Fn(path, node.name, node.lineno, type(node) is ast.AsyncFunctionDef, False,
                     node.decorator_list, params, method)
        self.fns.append(new_fn)
        inner = _Scope(path, "function", scope, new_fn, scope.path if method else None)
        self.scopes.append(inner)
        self._parameters(args, inner)
        stack.append(_Mark(scope, fn))
        stack.extend(node.body)
        stack.append(_Mark(inner, new_fn))
        stack.extend(node.decorator_list)
        stack.append(args)
        stack.append(node.returns)
        stack.extend(getattr(node, "type_params", ()))
        return scope, fn

    def _lambda(self, node: ast.Lambda, scope: _Scope, fn: Optional[_Fn],
                stack: List[Any]) -> Tuple[_Scope, Optional[_Fn]]:
        path = scope.path + ("<lambda>",)
        new_fn = _Fn(path, "<lambda>", node.lineno, False, True, (), (), False)
        inner = _Scope(path, "lambda", scope, new_fn)
        self.scopes.append(inner)
        self._parameters(node.args, inner)
        stack.append(_Mark(scope, fn))
        stack.append(node.body)
        stack.append(_Mark(inner, new_fn))
        stack.append(node.args)
        return scope, fn

    def _class(self, node: ast.ClassDef, scope: _Scope, fn: Optional[_Fn],
               stack: List[Any]) -> _Scope:
        path = scope.path + (node.name,)
        scope.bind(node.name, ("class", path))
        inner = _Scope(path, "class", scope, fn)
        self.classes.append((path, node.lineno, node.bases, inner))
        self.scopes.append(inner)
        stack.append(_Mark(scope, fn))
        stack.extend(node.body)
        stack.append(_Mark(inner, fn))
        stack.extend(node.decorator_list)
        stack.extend(node.bases)
        stack.extend(node.keywords)
        stack.extend(getattr(node, "type_params", ()))
        return scope

    @staticmethod
    def _parameters(args: ast.arguments, scope: _Scope) -> None:
        positional = [*getattr(args, "posonlyargs", ()), *args.args]
        for index, arg in enumerate(positional):
            scope.bind(arg.arg, ("param", index, arg.arg))
        for arg in args.kwonlyargs:
            scope.bind(arg.arg, ("param", -1, arg.arg))
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                scope.bind(arg.arg, VALUE)

    # -- what the walk found, resolved within the module --------------------

    def _lookup(self, scope: _Scope, name: str) -> Tuple[Optional[_Scope], List[Binding]]:
        """Find *name* as Python would from *scope*: class bodies only for themselves."""
        current: Optional[_Scope] = scope
        first = True
        while current is not None:
            if current.kind != "class" or first:
                found = current.names.get(name)
                if found:
                    return current, found
            first = False
            current = current.parent
        return None, []

    def _resolve(self, raw: Optional[RawRef], scope: _Scope, depth: int = 0) -> Ref:
        """Resolve a callee as written in *scope* to a :data:`Ref`."""
        if raw is None:
            return UNKNOWN
        if raw[0] == "super":
            cls = self._class_of(scope)
            return ("super", self.module, cls, raw[1]) if cls is not None else UNKNOWN
        rest: Tuple[str, ...] = ()
        if raw[0] == "name":
            root = raw[1]
        else:
            root, rest = raw[1][0], tuple(raw[1][1:])
        where, bindings = self._lookup(scope, root)
        if where is None:
            if self.top.stars:
                refs = [("q", ".".join((m, root) + rest)) for m in self.top.stars]
                return refs[0] if len(refs) == 1 else ("any", tuple(refs))
            return ("attr", rest[-1]) if rest else ("builtin", root)
        refs = [self._apply(b, rest, where, depth) for b in bindings]
        return refs[0] if len(refs) == 1 else ("any", tuple(refs))

    def _apply(self, binding: Binding, rest: Tuple[str, ...], where: _Scope, depth: int) -> Ref:
        kind = binding[0]
        if kind == "import":
            return ("q", ".".join((binding[1],) + rest))
        if kind == "class":
            if not rest:
                return ("cls", self.module, binding[1])
            if len(rest) == 1:
                return ("method", self.module, binding[1], rest[0], False)
        elif kind == "def":
            if not rest:
                return ("fn", self.module, binding[1])
        elif kind == "param":
            if not rest:
                return ("param", self.module, where.path, binding[1], binding[2])
            if (binding[1] == 0 and len(rest) == 1 and where.cls is not None
                    and self._method_kind(where) in ("method", "class")):
                return ("method", self.module, where.cls, rest[0], True)
        elif kind == "result" and not rest:
            if depth > 3:
                return UNKNOWN
            return ("result", self._resolve(binding[1], where, depth + 1))
        elif kind == "tasks" and not rest:
            return ("tasks",)
        return ("attr", rest[-1]) if rest else UNKNOWN

    def _class_of(self, scope: _Scope) -> Optional[Path]:
        current: Optional[_Scope] = scope
        while current is not None:
            if current.cls is not None:
                return current.cls
            current = current.parent
        return None

    def _decorator(self, node: ast.expr, scope: _Scope) -> str:
        """Return "coroutine", "static", "class", "transparent" or "other" for a decorator.

        "transparent": ``functools.wraps(...)``, which returns the function it is
        given, its kind unchanged (it copies the wrapped function's name and doc).
        """
        if type(node) is ast.Call:
            raw = _raw_ref(node.func)  # type: ignore[attr-defined]
            if raw is not None and raw[0] != "super" and self._resolve(raw, scope) == (
                    "q", "functools.wraps"):
                return "transparent"
            return "other"
        raw = _raw_ref(node)
        if raw is None or raw[0] == "super":
            return "other"
        ref = self._resolve(raw, scope)
        refs = ref[1] if ref[0] == "any" else (ref,)
        for one in refs:
            if one[0] == "q" and canonical_asyncio(one[1]) in COROUTINE_DECORATORS:
                return "coroutine"
        if ref == ("builtin", "staticmethod"):
            return "static"
        if ref == ("builtin", "classmethod"):
            return "class"
        return "other"

    def _method_kind(self, scope: _Scope) -> str:
        fn = scope.fn
        if fn is None or not fn.method or scope.parent is None:
            return ""
        kinds = [self._decorator(d, scope.parent) for d in fn.decorators]
        return "static" if "static" in kinds else "class" if "class" in kinds else "method"

    def _function_info(self, fn: _Fn, scope: _Scope) -> FunctionInfo:
        parent = scope.parent or self.top
        kinds = [self._decorator(d, parent) for d in fn.decorators]
        blockers: List[str] = []
        if "coroutine" in kinds:
            kind = "coroutine"
            index = kinds.index("coroutine")
            if any(k not in _SAME_KIND for k in kinds[index + 1:]):
                blockers.append("LC012")
        elif fn.is_async:
            kind = "async"
        elif any(k not in _SAME_KIND for k in kinds):
            kind = "other"
        else:
            kind = "generator" if fn.yields else "plain"
        if fn.values:
            blockers.append("LC002")
        if fn.plain_from:
            blockers.append("LC006")
        if fn.with_blocked:
            blockers.append("LC011")
        if fn.name in self.inspected:
            blockers.append("LC008")
        returns = tuple(self._resolve(_raw_ref(r.value.func), scope)  # type: ignore
                        for r in fn.returns if type(r.value) is ast.Call)
        results: List[Tuple[int, Tuple[Ref, ...]]] = []
        if not fn.yields and not fn.is_async:
            for ret in fn.returns:
                alternatives = self._alternatives(ret.value, scope)
                if alternatives is None:
                    results.append((ret.lineno, (UNKNOWN,)))
                elif alternatives:
                    results.append((ret.lineno, tuple(alternatives)))
        method = self._method_kind(scope) if fn.method else ""
        return FunctionInfo(fn.path, fn.line, kind, method, fn.params, fn.values,
                            tuple(blockers), returns, tuple(results))

    def _alternatives(self, node: Optional[ast.expr], scope: _Scope,
                      local: bool = True) -> Optional[List[Ref]]:
        """The calls whose results a returned *node* may be, if that is all it may be.

        [] when it is plainly not awaitable (a literal...); None when it may be
        something else.  A local name (with *local*) is what every assignment of
        it in the function gives: a literal, or a call's result.
        """
        if plainly_not_awaitable(node):
            return []
        kind = type(node)
        if kind is ast.Call:
            raw = _raw_ref(node.func)  # type: ignore[union-attr]
            return [self._resolve(raw, scope)] if raw is not None else None
        parts: List[ast.expr] = []
        if kind is ast.IfExp:
            parts = [node.body, node.orelse]  # type: ignore[union-attr]
        elif kind is ast.BoolOp:  # `a or b` is a or b
            parts = node.values  # type: ignore[union-attr]
        elif kind is ast.Name and local:
            return self._local_alternatives(node.id, scope)  # type: ignore[union-attr]
        else:
            return None
        found: List[Ref] = []
        for part in parts:
            more = self._alternatives(part, scope, local)
            if more is None:
                return None
            found += more
        return found

    def _local_alternatives(self, name: str, scope: _Scope) -> Optional[List[Ref]]:
        if name in scope.globals or (scope.path, name) in self._nonlocal_targets():
            return None
        found: List[Ref] = []
        for binding in scope.names.get(name, [VALUE]):
            if binding == PLAIN:
                continue
            if binding[0] != "result":
                return None
            found.append(self._resolve(binding[1], scope))
        return found

    def _nonlocal_targets(self) -> Set[Tuple[Path, str]]:
        """(function path, name) for every name an inner function may rebind (``nonlocal``)."""
        if self._nonlocals is None:
            self._nonlocals = set()
            for inner in self.scopes:
                parent = inner.parent
                while inner.nonlocals and parent is not None and parent.kind != "module":
                    self._nonlocals.update((parent.path, name) for name in inner.nonlocals)
                    parent = parent.parent
        return self._nonlocals

    def info(self) -> ModuleInfo:
        """Return what this module tells the run-wide analysis."""
        functions: Dict[Path, Tuple[FunctionInfo, ...]] = {}
        by_fn: Dict[int, _Scope] = {id(s.fn): s for s in self.scopes
                                    if s.kind == "function" and s.fn is not None}
        for fn in self.fns:
            info = self._function_info(fn, by_fn[id(fn)])
            functions[fn.path] = functions.get(fn.path, ()) + (info,)
        classes: Dict[Path, Tuple[ClassInfo, ...]] = {}
        for path, line, bases, body in self.classes:
            outer = body.parent or self.top
            names = {name: ("def" if all(b[0] == "def" for b in bound) else "other")
                     for name, bound in body.names.items()}
            refs = tuple(self._resolve(_raw_ref(b), outer) for b in bases)
            classes[path] = classes.get(path, ()) + (ClassInfo(path, line, refs, names),)
        exports = {name: tuple(self._apply(b, (), self.top, 0) for b in bound)
                   for name, bound in self.top.names.items()}
        sites = tuple(SiteInfo(fn.path, key, self._resolve(raw, scope), line)
                      for fn, scope, key, raw, line in self.sites)
        others: Set[Ref] = set()
        for name, scope in self.other_names:
            where, bindings = self._lookup(scope, name)
            for binding in bindings:
                if binding[0] in ("def", "class", "import"):
                    others.add(self._apply(binding, (), where or self.top, 0))
        argflows = tuple((self._resolve(callee, scope), at, self._resolve(inner, scope))
                         for scope, callee, at, inner in self.argflows)
        tasks = set(self._resolve(raw, scope) for raw, scope in self.task_uses)
        flows = list(argflows)
        for scope, callee, inner in self.maybe_tasks:
            target = self._resolve(callee, scope)
            if target[0] == "q" and canonical_asyncio(target[1]).split(".")[0] == "asyncio":
                tasks.add(self._resolve(inner, scope))
            else:  # not asyncio's: an ordinary use of g, and g() handed to f
                ref = self._resolve(inner, scope)
                others.add(ref)
                flows.append((target, 0, ref))
        argflows = tuple(flows)
        return ModuleInfo(self.name, self.module, self.uses_asyncio, functions, classes,
                          exports, tuple(self.top.stars), sites, frozenset(others),
                          frozenset(self.other_attrs), argflows, frozenset(self.setattrs),
                          frozenset(tasks))

    def scope_table(self) -> Scopes:
        """Return what the transform asks about names inside functions and classes."""
        merged: Dict[Path, Dict[str, List[Binding]]] = {}
        kinds: Dict[Path, str] = {}
        for scope in self.scopes:
            if scope.kind == "module":
                continue
            kinds[scope.path] = scope.kind
            table = merged.setdefault(scope.path, {})
            for name, bound in scope.names.items():
                table.setdefault(name, []).extend(bound)
        names: Dict[Path, Dict[str, Optional[str]]] = {}
        tasks: Dict[Path, FrozenSet[str]] = {}
        for path, table in merged.items():
            names[path] = {
                name: (bound[0][1] if bound[0][0] == "import"
                       and all(b == bound[0] for b in bound) else None)
                for name, bound in table.items()}
            tasks[path] = frozenset(name for name, bound in table.items()
                                    if all(b == ("tasks",) for b in bound))
        return Scopes(names, tasks, kinds, frozenset(self.inspected), self.name, self.package,
                      dict(self.versions), self._result_helper())

    def _result_helper(self) -> Tuple[str, bool]:
        """A module-level name for the port's helper: its own class, or a free name."""
        number = 1
        while True:
            name = RESULT_HELPER + (str(number) if number > 1 else "")
            bound = self.top.names.get(name)
            if bound == [("class", (name,))]:
                return name, True
            if bound is None and not self.counts.get(name):
                return name, False
            number += 1

    def hot(self, stmt: ast.stmt) -> bool:
        end = getattr(stmt, "end_lineno", None) or len(self.lines)
        return self.hot_upto[end] > self.hot_upto[_first_line(stmt) - 1]

    def fold(self, stmt: ast.stmt) -> bool:
        """Mark *stmt* for a placeholder if it fills whole lines; return whether it did."""
        first, last = _first_line(stmt) - 1, (getattr(stmt, "end_lineno", None) or 0) - 1
        if last < first or last >= len(self.lines):
            return False
        line = self.lines[first]
        indent = len(line) - len(line.lstrip(" \t\f"))
        if first + 1 != stmt.lineno:  # decorated: the first line must be the first decorator's
            if not line.startswith("@", indent):
                return False
        elif indent != stmt.col_offset or line.startswith("elif", indent):
            return False  # something else starts the line (`x = 1; y = 2`), or an `elif`
        tail = self.lines[last].encode("utf-8")[stmt.end_col_offset:].decode(  # type: ignore
            "utf-8", "replace").strip()
        if tail and not tail.startswith("#"):
            return False
        # Comment lines indented deeper than the statement belong with it (the
        # footer of its block): LibCST drops such lines after a simple statement
        # at the end of a file, so they go into the fold too.
        following = last + 1
        while following < len(self.lines):
            text = self.lines[following]
            stripped = text.lstrip(" \t\f")
            if stripped.startswith("#") and len(text) - len(stripped) > indent:
                last = following
            elif stripped.strip():
                break
            following += 1
        self.folds.append((first, last, line[:indent]))
        return True

    def visit(self, statements: Sequence[ast.stmt]) -> None:
        for stmt in statements:
            if self.hot(stmt) or not self.fold(stmt):
                self.visit(list(_children(stmt)))

    def reduced(self) -> Reduced:
        pieces: List[str] = []
        kept: Dict[str, str] = {}
        folded: List[Tuple[int, int]] = []
        prefix = _PLACEHOLDER
        while any(prefix in line for line in self.lines):
            prefix += "x_"
        position = gone = 0
        for first, last, indent in sorted(self.folds):
            pieces.extend(self.lines[position:first])
            text = "".join(self.lines[first:last + 1])[len(indent):]
            body = text.rstrip("\r\n")
            name = f"{prefix}{len(kept)}__"
            kept[name] = body
            pieces.append(indent + name + text[len(body):])
            folded.append((first - gone + 1, last - first))
            gone += last - first
            position = last + 1
        pieces.extend(self.lines[position:])
        return Reduced("".join(pieces), tuple(self.units), self.counts, prefix, kept,
                       tuple(folded))


class Analysis(NamedTuple):
    """The ast pass over one file."""

    #: the text LibCST gets; None when the text cannot be folded (a lone carriage return)
    reduced: Optional[Reduced]
    info: ModuleInfo
    scopes: Scopes


def analyse(text: str, module: str = "", package: bool = False, fold: bool = True,
            ident: str = "", target: Tuple[int, int] = (3, 8)) -> Optional[Analysis]:
    """Read *text* with :mod:`ast`: what to fold (with *fold*) and what its names are.

    *module* is the file's dotted module name and *package* whether it is a
    package's ``__init__`` (relative imports are resolved with them); *ident*
    names the file in references to its own functions (default: *module*);
    *target* is the oldest Python the port's output must run on (a version
    branch that never runs there is left out).  Returns None when the running
    Python cannot parse *text* (newer syntax).
    """
    lone_cr = re.search(r"\r(?!\n)", text) is not None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.replace("\r\n", "\n").replace("\r", "\n")
                             if lone_cr else text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        # MemoryError: 3.8's parser on deep nesting ("s_push: parser stack overflow")
        return None
    reducer = _Reducer(text, tree, module, package, ident, target)
    for index, stmt in enumerate(tree.body):
        hot = reducer.hot(stmt)
        if hot:
            reducer.units[index] = reducer.units[index]._replace(interesting=True)
        # Not the first statement: it may be the docstring that new imports follow.
        if fold and not lone_cr and (hot or index == 0 or not reducer.fold(stmt)):
            reducer.visit(list(_children(stmt)))
    return Analysis(None if lone_cr else reducer.reduced(), reducer.info(),
                    reducer.scope_table())


def syntax_error(text: str) -> Optional[str]:
    """Return Python's own complaint about *text* ("invalid syntax (line 3)"), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})"
    except (ValueError, MemoryError, RecursionError) as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else "too deeply nested"
    return None


def reduce_source(text: str, fold: bool = True) -> Optional[Reduced]:
    """Plan the port of *text* with :mod:`ast`; with *fold*, leave out what needs no port.

    Returns None when the running Python cannot parse *text* (newer syntax, or
    a lone carriage return as a line break): the caller then gives LibCST the
    whole file and visits all of it.
    """
    analysis = analyse(text, fold=fold)
    return analysis.reduced if analysis is not None else None
