"""``yield from X`` in a converted coroutine -> ``await X``.

Only where X is awaitable after the port: a ``yield from`` of something
plainly iterated (a list, ``range()``...) keeps its function on
``legacy_coro.coroutine`` (LC006), and so does one whose operand the run
shows to be a plain generator (LC015, decided by :mod:`legacy_coro.port._run`
from the sites recorded here).  An ``await`` in a primary position gets its
parentheses back: ``(await x).attr``.
"""

import ast
from typing import TYPE_CHECKING, Any

import libcst as cst

from legacy_coro.port._cst import PRIMARY, paren, unparen_one_line
from legacy_coro.port._names import key_of, plain_iterable, raw_ref
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("yield_from")


@FIX.on_ast(ast.YieldFrom)
def _site(walk: "Walk", node: ast.YieldFrom) -> None:
    fn = walk.suspension(node)
    if fn is None:
        return
    value = node.value
    if plain_iterable(value):
        if not fn.comprehension:
            fn.blocked.append((node.lineno, "LC006"))
    elif isinstance(value, ast.Call):
        raw = raw_ref(value.func)
        walk.call_how[id(value)] = "yield"
        walk.sites.append((fn, walk.scope, key_of(raw), raw, node.lineno))
    elif isinstance(value, ast.Name):
        walk.sites.append((fn, walk.scope, ("name", value.id), ("name", value.id), node.lineno))
    else:
        walk.sites.append((fn, walk.scope, None, None, node.lineno))


@FIX.leave(cst.Yield)
def _await(t: "Transformer", original: cst.Yield, updated: cst.Yield) -> Any:
    frame = t.frame
    value = updated.value
    if frame is None or frame.kind != "convert" or not isinstance(value, cst.From):
        return updated
    t.edited()
    item = value.item
    if not isinstance(item, PRIMARY) and not getattr(item, "lpar", None):
        item = paren(item)
    # Drop the one pair of parentheses that only `yield` needed, unless the
    # expression spans lines (it would then need them).
    return unparen_one_line(cst.Await(expression=item, whitespace_after_await=(
        value.whitespace_after_from), lpar=updated.lpar, rpar=updated.rpar))


def _primary(t: "Transformer", original: Any, updated: Any) -> Any:
    """Our ``await x`` in a primary position needs parentheses back: ``(await x).attr``."""
    if isinstance(updated.value, cst.Await) and not updated.value.lpar:
        return updated.with_changes(value=paren(updated.value))
    return updated


FIX.leave(cst.Attribute, cst.Subscript)(_primary)


@FIX.leave(cst.Call)
def _called(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    """``(await f)()``."""
    if isinstance(updated.func, cst.Await) and not updated.func.lpar:
        return updated.with_changes(func=paren(updated.func))
    return updated
