"""``with (yield from lock):`` in a converted coroutine -> ``async with lock:``.

With ``as``, or beside other context managers, the function is kept (LC011).
"""

import ast
from typing import TYPE_CHECKING, List, Union

import libcst as cst

from legacy_coro.port._cst import realign
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("with_lock")


@FIX.on_ast(ast.With, ast.AsyncWith)
def _blocked(walk: "Walk", node: Union[ast.With, ast.AsyncWith]) -> None:
    items = node.items
    locks = [i for i in items if isinstance(i.context_expr, ast.YieldFrom)]
    if walk.fn is not None and locks and (
            len(locks) != len(items) or any(i.optional_vars for i in locks)):
        walk.fn.blocked.append((node.lineno, "LC011"))


@FIX.leave(cst.With)
def _async_with(t: "Transformer", original: cst.With, updated: cst.With) -> cst.With:
    frame = t.frame
    if frame is None or frame.kind != "convert":
        return updated
    if not any(isinstance(i.item, cst.Yield) and isinstance(i.item.value, cst.From)
               for i in original.items):
        return updated
    items: List[cst.WithItem] = []
    for item in updated.items:
        awaited = item.item
        assert isinstance(awaited, cst.Await)
        inner = awaited.expression
        if awaited.lpar and not getattr(inner, "lpar", None):
            inner = inner.with_changes(lpar=awaited.lpar, rpar=awaited.rpar)
        items.append(item.with_changes(item=inner))
    new: cst.With = realign(
        original, updated.with_changes(items=items, asynchronous=cst.Asynchronous()))
    return new
