"""A branch of ``if sys.version_info ...`` that never runs on the target is left as it is.

Old code kept a branch for the Pythons it once ran on::

    if sys.version_info[:3] <= (3, 5, 0):
        @asyncio.coroutine
        def connect(*args, **kwds): ...
    else:
        connect = Connect

When the test has one value on every Python the port's output must run on
(``--py38-plus``: 3.8 and every later 3.x release, pre-releases included, as
pyupgrade counts them), the other branch never runs there: the port leaves it
exactly as it is (no rewrite, no site, no import added for it) and ports the
branch that runs.  The test is evaluated, with Python's own operators, at one
version of each kind the test can tell apart (below and at and above every
number it names, and every release level), so the answer is exact for the
comparisons, slices, indexes and attributes of ``sys.version_info`` it
accepts; anything else in the test (a call, ``sys.hexversion``, a name set
from ``sys.version_info`` elsewhere) leaves the ``if`` undecided, ported as
before.

The branch that never runs is not walked by the analysis: it binds nothing,
calls nothing, has no site and nothing in it is ported; its names still count
as uses, so that no import it needs is dropped.  Inside a function, a dead
branch holding a ``yield`` or ``await`` of that function is ported with it (an
``async def`` cannot keep a ``yield from``).
"""

import ast
import itertools
import operator
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from legacy_coro.port._names import raw_ref
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "branch_outcome", "mentions_version_info"]

FIX = Fix("version_branches")


class _Version(NamedTuple):
    """A value of ``sys.version_info``: a tuple with named fields, compared as a tuple."""

    major: int
    minor: int
    micro: int
    releaselevel: str
    serial: int


_LEVELS = ("alpha", "beta", "candidate", "final")
_FIELDS = frozenset(_Version._fields)
_COMPARE: Dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
#: 3.8 wraps a plain subscript in ast.Index (looked up only there: 3.16 deprecates the name)
_INDEX = getattr(ast, "Index", None) if sys.version_info < (3, 9) else None
_MAX_VERSIONS = 50_000


class _Undecided(Exception):
    """The test holds something other than a comparison of sys.version_info."""


def mentions_version_info(text: str) -> bool:
    """The cheap test before :func:`branch_outcome`: does the text name version_info at all."""
    return "version_info" in text


def branch_outcome(test: ast.expr, is_version_info: Callable[[ast.expr], bool],
                   target: Tuple[int, int]) -> Optional[bool]:
    """Return the value *test* has on every Python 3 release from *target* on, or None.

    *is_version_info* says whether a name or attribute node is ``sys.version_info``
    (however it was imported).  None: the value depends on the version, or the
    test is not one this module reads.
    """
    numbers: Set[int] = set()
    uses: List[bool] = []
    for node in ast.walk(test):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            numbers.add(abs(node.value))
        elif isinstance(node, (ast.Name, ast.Attribute)) and is_version_info(node):
            uses.append(True)
    if not uses or target[0] != 3:
        return None
    near = {n + d for n in numbers for d in (-1, 0, 1)}
    minors = sorted({target[1]} | {n for n in near if n >= target[1]})
    counts = sorted({0} | {n for n in near if n >= 0})
    if len(minors) * len(counts) * len(counts) * len(_LEVELS) > _MAX_VERSIONS:
        return None
    seen: Set[bool] = set()
    for minor, micro, level, serial in itertools.product(minors, counts, _LEVELS, counts):
        version = _Version(3, minor, micro, level, serial)
        try:
            seen.add(bool(_evaluate(test, version, is_version_info)))
        except (_Undecided, TypeError, IndexError, ValueError):
            return None
        if len(seen) > 1:
            return None
    return seen.pop()


def _evaluate(node: ast.expr, version: _Version,
              is_version_info: Callable[[ast.expr], bool]) -> Any:
    """The value of *node* on a Python whose ``sys.version_info`` is *version*."""
    def value(inner: ast.expr) -> Any:
        return _evaluate(inner, version, is_version_info)

    if isinstance(node, ast.Constant):
        if type(node.value) in (int, str):
            return node.value
    elif isinstance(node, ast.Tuple):
        return tuple(value(e) for e in node.elts)
    elif isinstance(node, (ast.Name, ast.Attribute)):
        if is_version_info(node):
            return version
        if (isinstance(node, ast.Attribute) and node.attr in _FIELDS
                and isinstance(node.value, (ast.Name, ast.Attribute))
                and is_version_info(node.value)):
            return getattr(version, node.attr)
    elif isinstance(node, ast.Subscript):
        return value(node.value)[_subscript(node.slice, value)]
    elif isinstance(node, ast.Compare):
        return _compare(node, value)
    elif isinstance(node, ast.BoolOp):
        values = [value(v) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    elif isinstance(node, ast.UnaryOp):
        operand = value(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, ast.USub) and type(operand) is int:
            return -operand
        if isinstance(node.op, ast.UAdd) and type(operand) is int:
            return operand
    raise _Undecided()


def _compare(node: ast.Compare, value: Callable[[ast.expr], Any]) -> bool:
    left = value(node.left)
    for op, comparator in zip(node.ops, node.comparators):
        compare = _COMPARE.get(type(op))
        if compare is None:
            raise _Undecided()
        right = value(comparator)
        if not compare(left, right):
            return False
        left = right
    return True


def _subscript(node: Any, value: Callable[[ast.expr], Any]) -> Any:
    """An index or slice of constants (``[0]``, ``[:2]``, ``[0:3]``)."""
    if _INDEX is not None and type(node) is _INDEX:
        node = node.value
    if type(node) is ast.Slice:
        parts = [None if p is None else value(p) for p in (node.lower, node.upper, node.step)]
        if any(p is not None and type(p) is not int for p in parts):
            raise _Undecided()
        return slice(*parts)
    index = value(node)
    if type(index) is not int:
        raise _Undecided()
    return index


# -- the analysis: walk the branch that runs, and only that one -----------------------

def _suspends(statements: List[ast.stmt]) -> bool:
    """Whether *statements* hold a ``yield``, ``yield from`` or ``await`` of their function."""
    stack: List[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Await)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False


@FIX.on_ast(ast.If)
def _live_branch(walk: "Walk", node: ast.If) -> Optional[bool]:
    """Walk only the branch that runs, when the other never runs on the target."""
    test = node.test
    end = getattr(test, "end_lineno", None) or test.lineno
    if not mentions_version_info("".join(walk.lines[test.lineno - 1:end])):
        return None

    def is_version_info(name: ast.expr) -> bool:
        raw = raw_ref(name)
        return raw is not None and walk.resolve(raw) == ("q", "sys.version_info")

    outcome = branch_outcome(test, is_version_info, walk.target)
    if outcome is None:
        return None
    dead, live = (node.orelse, node.body) if outcome else (node.body, node.orelse)
    if not dead or (walk.fn is not None and _suspends(dead)):
        return None
    for stmt in dead:
        for inner in ast.walk(stmt):
            if isinstance(inner, ast.Name) and inner.id not in walk.shadowed:
                walk.counts[inner.id] += 1
    walk.versions[node.lineno] = outcome
    return walk.push(node.test, *live)


# -- the transform: visit the branch that runs, and only that one ----------------------

def _outcome(t: "Transformer", node: cst.If) -> Optional[bool]:
    """The value of this ``if``'s version test on the target (None: not decided)."""
    versions = t.ctx.scopes.versions
    if not versions:
        return None
    line = t.ctx.line_of(node)
    return versions.get(line) if line is not None else None


@FIX.visit(cst.If)
def _enter_if(t: "Transformer", node: cst.If) -> Optional[bool]:
    outcome = _outcome(t, node)
    if outcome is None:
        return None
    t.state.setdefault(FIX.name, {})[id(node)] = outcome
    return False  # leaving it visits the branch that runs


@FIX.leave(cst.If)
def _leave_if(t: "Transformer", original: cst.If, updated: cst.If) -> cst.If:
    outcome = t.state.get(FIX.name, {}).pop(id(original), None)
    if outcome is None:
        return updated
    live_field = "body" if outcome else "orelse"
    live = getattr(original, live_field)
    if live is None:
        return updated
    return updated.with_changes(**{live_field: live.visit(t)})
