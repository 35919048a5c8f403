"""Which ``if sys.version_info ...`` tests ``legacy-coro port`` can decide for its target.

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
before.  Plain :mod:`ast`: LibCST is not imported here.
"""

import ast
import itertools
import operator
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Set, Tuple

__all__ = ["branch_outcome", "mentions_version_info"]


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
_INDEX = getattr(ast, "Index", None)  # 3.8 wraps a plain subscript in ast.Index
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
        if type(node) is ast.Constant and type(node.value) is int:
            numbers.add(abs(node.value))
        elif type(node) in (ast.Name, ast.Attribute) and is_version_info(node):  # type: ignore
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

    kind = type(node)
    if kind is ast.Constant:
        if type(node.value) in (int, str):  # type: ignore[attr-defined]
            return node.value  # type: ignore[attr-defined]
        raise _Undecided()
    if kind is ast.Tuple:
        return tuple(value(e) for e in node.elts)  # type: ignore[attr-defined]
    if kind is ast.Name or kind is ast.Attribute:
        if is_version_info(node):
            return version
        if (kind is ast.Attribute and node.attr in _FIELDS  # type: ignore[attr-defined]
                and type(node.value) in (ast.Name, ast.Attribute)  # type: ignore[attr-defined]
                and is_version_info(node.value)):  # type: ignore[attr-defined]
            return getattr(version, node.attr)  # type: ignore[attr-defined]
        raise _Undecided()
    if kind is ast.Subscript:
        return value(node.value)[_subscript(node.slice, value)]  # type: ignore[attr-defined]
    if kind is ast.Compare:
        left = value(node.left)  # type: ignore[attr-defined]
        for op, comparator in zip(node.ops, node.comparators):  # type: ignore[attr-defined]
            compare = _COMPARE.get(type(op))
            if compare is None:
                raise _Undecided()
            right = value(comparator)
            if not compare(left, right):
                return False
            left = right
        return True
    if kind is ast.BoolOp:
        values = [value(v) for v in node.values]  # type: ignore[attr-defined]
        if type(node.op) is ast.And:  # type: ignore[attr-defined]
            return all(values)
        return any(values)
    if kind is ast.UnaryOp:
        operand = value(node.operand)  # type: ignore[attr-defined]
        op = type(node.op)  # type: ignore[attr-defined]
        if op is ast.Not:
            return not operand
        if op is ast.USub and type(operand) is int:
            return -operand
        if op is ast.UAdd and type(operand) is int:
            return operand
    raise _Undecided()


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
