"""What a name means inside one module: scopes, what they bind, callees resolved.

The analysis walk (:mod:`._analyse`) makes a :class:`Scope` for the module and
for every function, lambda and class body, binds names in them as it meets
imports, definitions, parameters and assignments, and resolves each callee it
records with :class:`Resolver`, as Python would look the name up.  Plain
:mod:`ast`: LibCST is not imported here.
"""

import ast
from typing import Dict, List, Optional, Sequence, Set, Tuple

from legacy_coro._versions import COROUTINE_DECORATORS, canonical_asyncio
from legacy_coro.port._model import UNKNOWN, Binding, Key, Path, RawRef, Ref

__all__ = [
    "Fn", "NOT_AWAITABLE_CALLS", "PLAIN", "Resolver", "Scope", "VALUE", "absolute_module",
    "key_of", "local_value", "plain_iterable", "plainly_not_awaitable", "raw_ref",
]

VALUE: Binding = ("value",)
PLAIN: Binding = ("plain",)  #: a value no awaiting applies to (see plainly_not_awaitable)

#: ``yield from`` of a call of these is a plain generator at work, never an awaitable.
NOT_AWAITABLE_CALLS = frozenset(
    "range list tuple dict set frozenset str bytes iter enumerate zip map filter reversed "
    "sorted".split()
)
#: calls whose value is a str or a number, whatever their argument (LC001)
STR_OR_NUMBER = frozenset({"str", "repr", "len", "int", "float", "bool", "format"})
#: comparisons whose result is a bool whatever the operands (``<`` may return anything)
_BOOL_COMPARISONS = (ast.Is, ast.IsNot, ast.In, ast.NotIn)
_ITERABLE_NODES = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp,
                   ast.DictComp, ast.GeneratorExp, ast.JoinedStr)
#: the last part of a callee that makes a task of its argument: ``loop.create_task(c)``
TASK_MAKERS = frozenset({"ensure_future", "create_task"})
#: decorators after which a function is still the function it was (see Resolver.decorator)
SAME_KIND = frozenset({"static", "class", "transparent"})


class Fn:
    """A function (or lambda) while the walk is inside it."""

    __slots__ = ("path", "name", "line", "is_async", "lambda_", "node", "params", "method",
                 "yields", "values", "blocked", "returns", "comprehension")

    def __init__(self, path: Path, name: str, line: int, is_async: bool, lambda_: bool,
                 node: Optional[ast.AST], params: Tuple[str, ...], method: bool) -> None:
        self.path = path
        self.name = name
        self.line = line
        self.is_async = is_async
        self.lambda_ = lambda_
        self.node = node  #: the FunctionDef (None for a lambda)
        self.params = params
        self.method = method  #: defined directly in a class body
        self.yields = 0
        self.values = False  #: a `yield VALUE`
        #: (line, code): what in its body keeps it from becoming ``async def``
        self.blocked: List[Tuple[int, str]] = []
        self.returns: List[ast.Return] = []
        self.comprehension = 0  #: comprehensions open around the walk, inside it

    @property
    def decorators(self) -> Sequence[ast.expr]:
        return getattr(self.node, "decorator_list", ())


class Scope:
    """A module, function, lambda or class body: the names it binds."""

    __slots__ = ("path", "kind", "parent", "fn", "names", "globals", "nonlocals", "stars", "cls")

    def __init__(self, path: Path, kind: str, parent: Optional["Scope"],
                 fn: Optional[Fn], cls: Optional[Path] = None) -> None:
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


def raw_ref(node: ast.expr) -> Optional[RawRef]:
    """Return what a callee expression names, unresolved: a name, a dotted name, super().m."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        parts.reverse()
        return ("name", parts[0]) if len(parts) == 1 else ("dotted", tuple(parts))
    if (isinstance(node, ast.Call) and len(parts) == 1 and isinstance(node.func, ast.Name)
            and node.func.id == "super"):
        return ("super", parts[0])
    return None


def key_of(raw: Optional[RawRef]) -> Optional[Key]:
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
    if isinstance(node, _ITERABLE_NODES):
        return True
    if isinstance(node, ast.Constant):
        return type(node.value) in (str, bytes, int, float, complex)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in NOT_AWAITABLE_CALLS)


def plainly_not_awaitable(node: Optional[ast.expr]) -> bool:
    """True for values no awaiting could apply to: literals and arithmetic on them (LC001)."""
    if node is None or isinstance(node, _ITERABLE_NODES):
        return True
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            value = func.value
            return isinstance(value, ast.Constant) and type(value.value) is str
        return isinstance(func, ast.Name) and func.id in STR_OR_NUMBER
    if isinstance(node, ast.BinOp):
        return plainly_not_awaitable(node.left) and plainly_not_awaitable(node.right)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not) or plainly_not_awaitable(node.operand)
    if isinstance(node, ast.Compare):  # a bool, whatever the operands
        return all(isinstance(op, _BOOL_COMPARISONS) for op in node.ops)
    if isinstance(node, ast.IfExp):
        return plainly_not_awaitable(node.body) and plainly_not_awaitable(node.orelse)
    return False


def makes_tasks(node: Optional[ast.expr]) -> bool:
    """Whether *node* is a task-making call, or a list/set/comprehension of them."""
    if isinstance(node, ast.Call):
        raw = raw_ref(node.func)
        if raw is None or raw[0] == "super":
            return False
        return (raw[1] if raw[0] == "name" else raw[1][-1]) in TASK_MAKERS
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return bool(node.elts) and all(makes_tasks(e) for e in node.elts)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return makes_tasks(node.elt)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return makes_tasks(node.left) and makes_tasks(node.right)
    return False


def local_value(node: ast.expr) -> Binding:
    """What an assignment of *node* to a local name binds it to."""
    if makes_tasks(node):
        return ("tasks",)
    if plainly_not_awaitable(node):
        return PLAIN
    if isinstance(node, ast.Call):
        raw = raw_ref(node.func)
        if raw is not None:
            return ("result", raw)
    return VALUE


class Resolver:
    """Resolve names as written in a scope of one module, once the walk has bound them all."""

    def __init__(self, top: Scope, ident: str) -> None:
        self.top = top
        self.module = ident  #: how references to this module's own objects name it

    def lookup(self, scope: Scope, name: str) -> Tuple[Optional[Scope], List[Binding]]:
        """Find *name* as Python would from *scope*: class bodies only for themselves."""
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind != "class" or first:
                found = current.names.get(name)
                if found:
                    return current, found
            first = False
            current = current.parent
        return None, []

    def resolve(self, raw: Optional[RawRef], scope: Scope, depth: int = 0) -> Ref:
        """Resolve a callee as written in *scope* to a :data:`Ref`."""
        if raw is None:
            return UNKNOWN
        if raw[0] == "super":
            cls = self.class_of(scope)
            return ("super", self.module, cls, raw[1]) if cls is not None else UNKNOWN
        rest: Tuple[str, ...] = ()
        if raw[0] == "name":
            root = raw[1]
        else:
            root, rest = raw[1][0], tuple(raw[1][1:])
        where, bindings = self.lookup(scope, root)
        if where is None:
            if self.top.stars:
                refs = [("q", ".".join((m, root) + rest)) for m in self.top.stars]
                return refs[0] if len(refs) == 1 else ("any", tuple(refs))
            return ("attr", rest[-1]) if rest else ("builtin", root)
        refs = [self.apply(b, rest, where, depth) for b in bindings]
        return refs[0] if len(refs) == 1 else ("any", tuple(refs))

    def apply(self, binding: Binding, rest: Tuple[str, ...], where: Scope, depth: int) -> Ref:
        """What ``NAME.rest`` is when NAME is bound to *binding* in *where*."""
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
                    and self.method_kind(where) in ("method", "class")):
                return ("method", self.module, where.cls, rest[0], True)
        elif kind == "result" and not rest:
            if depth > 3:
                return UNKNOWN
            return ("result", self.resolve(binding[1], where, depth + 1))
        elif kind == "tasks" and not rest:
            return ("tasks",)
        return ("attr", rest[-1]) if rest else UNKNOWN

    @staticmethod
    def class_of(scope: Scope) -> Optional[Path]:
        current: Optional[Scope] = scope
        while current is not None:
            if current.cls is not None:
                return current.cls
            current = current.parent
        return None

    def decorator(self, node: ast.expr, scope: Scope) -> str:
        """Return "coroutine", "static", "class", "transparent" or "other" for a decorator.

        "transparent": ``functools.wraps(...)``, which returns the function it is
        given, its kind unchanged (it copies the wrapped function's name and doc).
        """
        if isinstance(node, ast.Call):
            raw = raw_ref(node.func)
            if raw is not None and raw[0] != "super" and self.resolve(raw, scope) == (
                    "q", "functools.wraps"):
                return "transparent"
            return "other"
        raw = raw_ref(node)
        if raw is None or raw[0] == "super":
            return "other"
        ref = self.resolve(raw, scope)
        if self.qualified_decorator(ref) is not None:
            return "coroutine"
        if ref == ("builtin", "staticmethod"):
            return "static"
        if ref == ("builtin", "classmethod"):
            return "class"
        return "other"

    @staticmethod
    def qualified_decorator(ref: Ref) -> Optional[str]:
        """The coroutine decorator *ref* is (``asyncio.coroutine``...), if it is one."""
        refs = ref[1] if ref[0] == "any" else (ref,)
        for one in refs:
            if one[0] == "q" and canonical_asyncio(one[1]) in COROUTINE_DECORATORS:
                return canonical_asyncio(one[1])
        return None

    def method_kind(self, scope: Scope) -> str:
        fn = scope.fn
        if fn is None or not fn.method or scope.parent is None:
            return ""
        kinds = [self.decorator(d, scope.parent) for d in fn.decorators]
        return "static" if "static" in kinds else "class" if "class" in kinds else "method"
