"""The analysis walk of one file: one :mod:`ast` walk, the core's handlers and the fixes'.

The walk visits every node once, with an explicit stack (``ast.walk()`` is a
generator of generators; the stack walks twice as fast), and hands each node
to the handlers registered for its type: first the core's below (scopes and
what they bind, functions, classes, calls, the lines that hold something to
port), then each fix's (:mod:`legacy_coro.port.fixes`, handed in by
:func:`legacy_coro.port._summary.analyse`).  What it found is summed up by
:mod:`._summary` (for the run and the plan) and :mod:`._fold` (what LibCST is
shown).  Plain :mod:`ast`: LibCST is not imported here.
"""

import ast
import re
import warnings
from collections import Counter
from typing import (
    Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple,
    Union,
)

from legacy_coro._versions import TASK_ENTRY_POINTS
from legacy_coro.port._options import DEFAULT_TARGET
from legacy_coro.port._model import DEFAULT_RENAMES, Binding, Key, Path, RawRef, Renames
from legacy_coro.port._names import (
    VALUE, Fn, Resolver, Scope, absolute_module, local_value, raw_ref,
)
from legacy_coro.port._registry import Fix, tables

__all__ = ["CORE", "Walk", "parse", "syntax_error", "walker"]

_OWN_MODULES = ("asyncio", "legacy_coro")
_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")
#: task entry points with a name nothing else has: ``x.run_until_complete(c)`` is one
_TASK_METHODS = frozenset({"ensure_future", "create_task", "run_until_complete",
                           "run_coroutine_threadsafe", "async"})
#: the patterns of ``match`` (3.10+) that bind a name
_MATCH_CAPTURES = tuple(getattr(ast, name) for name in ("MatchAs", "MatchStar", "MatchMapping")
                        if hasattr(ast, name))


class Mark:
    """A stack entry that switches the walk's scope (a function body starts or ends)."""

    __slots__ = ("scope", "fn")

    def __init__(self, scope: Scope, fn: Optional[Fn]) -> None:
        self.scope = scope
        self.fn = fn


class Unit(NamedTuple):
    """One top-level statement of the original file."""

    interesting: bool  #: whether the transform must visit it
    binds: Optional[str]  #: the name a top-level def or class binds


class Walk:
    """One file's walk: where it is (scope, function) and what it has found so far."""

    def __init__(self, table: "Table", keywords: FrozenSet[str], text: str, module: str = "",
                 package: bool = False, ident: str = "", target: Tuple[int, int] = DEFAULT_TARGET,
                 renames: Renames = DEFAULT_RENAMES,
                 aliases: Optional[Dict[str, str]] = None) -> None:
        self.table = table  #: node type -> the handlers of the core and the fixes
        #: module-level names imported from a module of the run that are asyncio's there
        #: (``from .compat import asyncio``): local name -> what it is (_run.RunNames.aliases)
        self.aliases: Dict[str, str] = aliases or {}
        self.lines: List[str] = _LINES.findall(text)
        self.name = module  # the dotted name, for relative imports
        self.package = package
        self.target = target
        self.renames = renames  #: what ``async``/``await`` used as names became
        self.top = Scope((), "module", None, None)
        self.names = Resolver(self.top, ident or module)
        self.scope = self.top
        self.fn: Optional[Fn] = None
        #: names and attributes whose lines the transform must see (the fixes' keywords,
        #: and the local names of the module's asyncio / legacy_coro imports)
        self.keywords: Set[str] = set(keywords)
        self.counts: Dict[str, int] = Counter()  #: Name uses, not after a def rebinds it
        self.shadowed: Set[str] = set()  #: rebound by a module-level def or class so far
        self.hot = bytearray(len(self.lines) + 2)  #: lines holding something to port
        self.units: List[Unit] = []
        self.fns: List[Fn] = []
        self.classes: List[Tuple[Path, int, List[ast.expr], Scope]] = []
        self.scopes: List[Scope] = [self.top]
        self.sites: List[Tuple[Fn, Scope, Optional[Key], Optional[RawRef], int]] = []
        self.argflows: List[Tuple[Scope, RawRef, Union[int, str], RawRef]] = []
        self.other_names: Set[Tuple[str, Scope]] = set()
        self.other_attrs: Set[str] = set()
        self.setattrs: Set[Tuple[str, str]] = set()
        self.inspected: Set[str] = set()
        self.uses_asyncio = False
        self.task_uses: List[Tuple[RawRef, Scope]] = []
        #: f(g()) where f may be asyncio's run / wait / gather...: (scope, f, g)
        self.maybe_tasks: List[Tuple[Scope, RawRef, RawRef]] = []
        self.consumed: Set[int] = set()  # callee expressions recorded as a yield from or a task
        self.call_how: Dict[int, str] = {}  # Call node id -> "yield" / "task"
        self.assigned: Dict[int, Binding] = {}  # target Name node id -> what it is bound to
        self.returns: List[int] = []
        self.decorated: List[Tuple[int, int, int]] = []  # decorators' first/last line, end
        #: line of an ``if`` whose test is decided for the target -> its value
        self.versions: Dict[int, bool] = {}
        #: sites the walk itself finds, for the report: (line, code, detail)
        self.reports: List[Tuple[int, str, str]] = []
        self.stack: List[Any] = []  #: what the walk visits next, last first

    def push(self, *nodes: Any) -> bool:
        """Walk *nodes* next, instead of the children of the node being handled; False."""
        self.stack.extend(nodes)
        return False

    def suspension(self, node: Union[ast.Yield, ast.YieldFrom]) -> Optional[Fn]:
        """Count a ``yield`` / ``yield from`` of the function around it; return that function.

        None outside a function or in a lambda.  One in a comprehension (3.8+
        refuse it there) keeps its function as it is (LC007).
        """
        self.hot[node.lineno] = 1
        fn = self.fn
        if fn is None or fn.lambda_:
            return None
        fn.yields += 1
        if fn.comprehension:
            fn.blocked.append((node.lineno, "LC007"))
        return fn

    def mark(self, line: int) -> None:
        """Say that *line* holds something to port."""
        self.hot[line] = 1

    def resolve(self, raw: Optional[RawRef], scope: Optional[Scope] = None) -> Any:
        return self.names.resolve(raw, scope or self.scope)

    def walk(self, statements: Sequence[ast.stmt]) -> None:
        """Walk the module's statements, handing every node to its handlers."""
        table = self.table
        self.keywords |= _local_names(statements)
        for stmt in statements:
            stack: List[Any] = [stmt]
            self.stack = stack
            while stack:
                node = stack.pop()
                if node is None or type(node) is str:  # in Dict keys, Global names
                    continue
                handlers = table.get(type(node))
                if handlers is not None:
                    descend = True
                    for handler in handlers:
                        if handler(self, node) is False:
                            descend = False
                    if not descend:
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
                self.shadowed.add(stmt.name)
            self.units.append(Unit(False, binds))
        self._hot_returns()

    def _hot_returns(self) -> None:
        """What a decorated function returns decides whether it converts: visit its returns."""
        hot = self.hot
        inside = bytearray(len(hot))
        for first, last, end in self.decorated:
            if any(hot[first:last + 1]):
                inside[first:end + 1] = b"\x01" * (end + 1 - first)
        for line in self.returns:
            if inside[line]:
                hot[line] = 1


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
            names |= _local_names(list(children(node)), depth + 1)
    return names


def children(stmt: ast.stmt) -> List[ast.stmt]:
    """The statements directly inside *stmt* (bodies, handlers, cases)."""
    found: List[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            found.extend(block)
    for part in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]:
        found.extend(part.body)
    return found


# ---------------------------------------------------------------------------
# The core's handlers: names, scopes, functions, classes, calls.

CORE = Fix("core")


@CORE.on_ast(ast.Name)
def _name(walk: Walk, node: ast.Name) -> bool:
    name = node.id
    if name not in walk.shadowed:
        walk.counts[name] += 1
    if name in walk.keywords:
        walk.hot[node.lineno] = 1
    if type(node.ctx) is ast.Load:
        if id(node) not in walk.consumed:
            walk.other_names.add((name, walk.scope))
    else:
        walk.scope.bind(name, walk.assigned.pop(id(node), VALUE))
    return False


@CORE.on_ast(ast.Attribute)
def _attribute(walk: Walk, node: ast.Attribute) -> bool:
    if node.attr in walk.keywords:
        walk.hot[node.lineno] = 1
    if type(node.ctx) is ast.Load:
        if id(node) not in walk.consumed:
            walk.other_attrs.add(node.attr)
    elif walk.scope is walk.top and isinstance(node.value, ast.Name):
        walk.setattrs.add((node.value.id, node.attr))
    return walk.push(node.value)


@CORE.on_ast(ast.Call)
def _call(walk: Walk, node: ast.Call) -> None:
    raw = raw_ref(node.func)
    how = walk.call_how.pop(id(node), None)
    if raw is None:
        return
    scope = walk.scope
    if how is not None:
        walk.consumed.add(id(node.func))
        if how == "task":
            walk.task_uses.append((raw, scope))
    last = raw[1] if raw[0] != "dotted" else raw[1][-1]
    if last in TASK_ENTRY_POINTS:
        # A distinctive name is a task entry point whatever it is called on
        # (loop.run_until_complete); a common one (run, wait, gather...) only
        # if it turns out to be asyncio's, which is known after the walk.
        how = "task" if last in _TASK_METHODS else "task?"
        for arg in node.args:
            for call in _calls_in(arg):
                walk.call_how[id(call)] = how
                if how == "task?":
                    inner = raw_ref(call.func)
                    if inner is not None:
                        walk.maybe_tasks.append((scope, raw, inner))
        return
    for index, arg in enumerate(node.args):
        if isinstance(arg, ast.Call):
            inner = raw_ref(arg.func)
            if inner is not None:
                walk.argflows.append((scope, raw, index, inner))
    for keyword in node.keywords:
        if keyword.arg and isinstance(keyword.value, ast.Call):
            inner = raw_ref(keyword.value.func)
            if inner is not None:
                walk.argflows.append((scope, raw, keyword.arg, inner))


def _calls_in(arg: ast.expr) -> List[ast.Call]:
    """The calls an argument hands over: ``f()``, ``[f(), g()]``, ``(f() for x in y)``, ``*f()``."""
    if isinstance(arg, ast.Call):
        return [arg]
    if isinstance(arg, (ast.List, ast.Tuple, ast.Set)):
        return [e for e in arg.elts if isinstance(e, ast.Call)]
    if isinstance(arg, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return [arg.elt] if isinstance(arg.elt, ast.Call) else []
    if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Call):
        return [arg.value]
    return []


@CORE.on_ast(ast.Import, ast.ImportFrom)
def _import(walk: Walk, node: Union[ast.Import, ast.ImportFrom]) -> bool:
    walk.hot[node.lineno] = 1
    scope = walk.scope
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] in _OWN_MODULES:
                walk.uses_asyncio = True
            if alias.asname:
                scope.bind(alias.asname, ("import", alias.name))
            else:
                root = alias.name.split(".")[0]
                scope.bind(root, ("import", root))
        return False
    module = absolute_module(walk.name, walk.package, node.module or "", node.level or 0)
    if module.split(".")[0] in _OWN_MODULES:
        walk.uses_asyncio = True
    for alias in node.names:
        local = alias.asname or alias.name
        if alias.name == "*":
            scope.stars.append(module)
        elif scope is walk.top and local in walk.aliases:  # asyncio's, through the run
            walk.uses_asyncio = True
            scope.bind(local, ("import", walk.aliases[local]))
        else:
            scope.bind(local, ("import", f"{module}.{alias.name}"))
    return False


@CORE.on_ast(ast.Return)
def _return(walk: Walk, node: ast.Return) -> None:
    walk.returns.append(node.lineno)
    if walk.fn is not None:
        walk.fn.returns.append(node)


@CORE.on_ast(ast.Assign)
def _assign(walk: Walk, node: ast.Assign) -> None:
    targets = node.targets
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        if walk.scope.kind == "class" and isinstance(node.value, ast.Name):
            # `__await__ = __iter__` in a class body: one name for another
            walk.assigned[id(targets[0])] = ("alias", node.value.id)
        else:
            walk.assigned[id(targets[0])] = local_value(node.value)


@CORE.on_ast(ast.FunctionDef, ast.AsyncFunctionDef)
def _function(walk: Walk, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> bool:
    if node.decorator_list:
        lines = [d.lineno for d in node.decorator_list]
        walk.decorated.append((min(lines), max(lines), node.end_lineno or len(walk.hot) - 2))
    scope, fn = walk.scope, walk.fn
    path = scope.path + (node.name,)
    scope.bind(node.name, ("def", path))
    args = node.args
    params = tuple(a.arg for a in [*getattr(args, "posonlyargs", ()), *args.args])
    method = scope.kind == "class"
    new_fn = Fn(path, node.name, node.lineno, isinstance(node, ast.AsyncFunctionDef), False,
                node, params, method)
    walk.fns.append(new_fn)
    inner = Scope(path, "function", scope, new_fn, scope.path if method else None)
    walk.scopes.append(inner)
    _parameters(args, inner)
    return walk.push(Mark(scope, fn), *node.body, Mark(inner, new_fn), *node.decorator_list,
                 args, node.returns, *getattr(node, "type_params", ()))


@CORE.on_ast(ast.Lambda)
def _lambda(walk: Walk, node: ast.Lambda) -> bool:
    scope, fn = walk.scope, walk.fn
    path = scope.path + ("<lambda>",)
    new_fn = Fn(path, "<lambda>", node.lineno, False, True, None, (), False)
    inner = Scope(path, "lambda", scope, new_fn)
    walk.scopes.append(inner)
    _parameters(node.args, inner)
    return walk.push(Mark(scope, fn), node.body, Mark(inner, new_fn), node.args)


@CORE.on_ast(ast.ClassDef)
def _class(walk: Walk, node: ast.ClassDef) -> bool:
    scope, fn = walk.scope, walk.fn
    path = scope.path + (node.name,)
    scope.bind(node.name, ("class", path))
    inner = Scope(path, "class", scope, fn)
    walk.classes.append((path, node.lineno, node.bases, inner))
    walk.scopes.append(inner)
    return walk.push(Mark(scope, fn), *node.body, Mark(inner, fn), *node.decorator_list,
                 *node.bases, *node.keywords, *getattr(node, "type_params", ()))


@CORE.on_ast(Mark)
def _mark(walk: Walk, node: Mark) -> bool:
    walk.scope, walk.fn = node.scope, node.fn
    return False


@CORE.on_ast(ast.comprehension)
def _comprehension(walk: Walk, node: ast.comprehension) -> bool:
    # Its target is bound in the comprehension's own scope, which the port does
    # not track; the iterables and conditions are walked.
    return walk.push(node.iter, *node.ifs)


class _LeaveComprehension:
    """A stack entry: the walk leaves a comprehension of this function."""

    __slots__ = ("fn",)

    def __init__(self, fn: Fn) -> None:
        self.fn = fn


@CORE.on_ast(ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
def _enter_comprehension(walk: Walk, node: ast.expr) -> Optional[bool]:
    """A ``yield`` in a comprehension is the comprehension's (LC007): count the depth."""
    fn = walk.fn
    if fn is None:
        return None
    fn.comprehension += 1
    fields = [getattr(node, field) for field in node._fields]
    return walk.push(_LeaveComprehension(fn), *(
        one for value in fields for one in (value if isinstance(value, list) else [value])))


@CORE.on_ast(_LeaveComprehension)
def _leave_comprehension(walk: Walk, node: _LeaveComprehension) -> bool:
    node.fn.comprehension -= 1
    return False


@CORE.on_ast(ast.Global, ast.Nonlocal)
def _global(walk: Walk, node: Union[ast.Global, ast.Nonlocal]) -> None:
    walk.scope.globals.update(node.names)
    if isinstance(node, ast.Nonlocal):
        walk.scope.nonlocals.update(node.names)


@CORE.on_ast(ast.ExceptHandler)
def _except(walk: Walk, node: ast.ExceptHandler) -> None:
    if node.name:
        walk.scope.bind(node.name, VALUE)


@CORE.on_ast(*_MATCH_CAPTURES)
def _capture(walk: Walk, node: Any) -> None:  # `case [x, *rest]`, `case {**rest}`
    name = getattr(node, "name", None) or getattr(node, "rest", None)
    if name:
        walk.scope.bind(name, VALUE)


def _parameters(args: ast.arguments, scope: Scope) -> None:
    positional = [*getattr(args, "posonlyargs", ()), *args.args]
    for index, arg in enumerate(positional):
        scope.bind(arg.arg, ("param", index, arg.arg))
    for arg in args.kwonlyargs:
        scope.bind(arg.arg, ("param", -1, arg.arg))
    for arg in (args.vararg, args.kwarg):
        if arg is not None:
            scope.bind(arg.arg, VALUE)


Table = Dict[type, Tuple[Callable[..., Any], ...]]


def walker(fixes: Iterable[Fix]) -> Callable[..., Walk]:
    """Return a maker of walks with the core's handlers and those of *fixes*.

    A statement with none of the fixes' keywords (nor the local names of the
    module's asyncio / legacy_coro imports), no yield, no return, no import and
    no ``loop=`` keyword has nothing to port.
    """
    fixes = list(fixes)
    table = tables([CORE, *fixes], "ast")
    keywords = frozenset().union(*(fix.keywords for fix in fixes))

    def make(text: str, module: str = "", package: bool = False, ident: str = "",
             target: Tuple[int, int] = DEFAULT_TARGET, renames: Renames = DEFAULT_RENAMES,
             aliases: Optional[Dict[str, str]] = None) -> Walk:
        return Walk(table, keywords, text, module, package, ident, target, renames, aliases)

    return make


def parse(text: str) -> Optional[ast.Module]:
    """The module *text* is, as the running Python reads it (None if it cannot)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        # MemoryError: 3.8's parser on deep nesting ("s_push: parser stack overflow")
        return None


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
