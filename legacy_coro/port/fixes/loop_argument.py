"""``loop=NAME`` of the asyncio functions that lost it in 3.10 -> dropped.

A ``loop=`` whose value is not a plain name or attribute is left (LC010).  A
call that picks its loop at once (a primitive, a queue, ``gather``...) made
outside a coroutine keeps ``loop=`` below ``--py310-plus`` (LC016): before
3.10, without it, the call binds to whatever loop is current then.
"""

import ast
from typing import TYPE_CHECKING

import libcst as cst

from legacy_coro._versions import LOOP_ARGUMENT_REMOVED, LOOP_BOUND_AT_CALL, LOOP_BOUND_LAZILY_SINCE
from legacy_coro.port._cst import remove_from
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("loop_argument")

_LOOP_REMOVED = frozenset("asyncio." + name for name in LOOP_ARGUMENT_REMOVED)
_LOOP_BOUND_AT_CALL = frozenset("asyncio." + name for name in LOOP_BOUND_AT_CALL)


@FIX.on_ast(ast.keyword)
def _keyword(walk: "Walk", node: ast.keyword) -> None:
    if node.arg == "loop":
        walk.mark(node.value.lineno)


@FIX.leave(cst.Call)
def _drop_loop(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    target = t.qualified(original.func)
    if target not in _LOOP_REMOVED:
        return updated
    loops = [a for a in updated.args if a.keyword is not None and a.keyword.value == "loop"]
    plain = [a for a in loops if isinstance(a.value, (cst.Name, cst.Attribute))]
    if len(plain) < len(loops):
        t.report(original, "LC010", target or "")
    frame = t.frame
    if plain and target in _LOOP_BOUND_AT_CALL and t.ctx.target < LOOP_BOUND_LAZILY_SINCE and not (
            frame is not None and frame.coroutine):
        # Made outside the running loop: before 3.10 it binds to loop= at once,
        # without it to whatever loop is current then.
        t.report(original, "LC016", target or "")
        return updated
    if not plain:
        return updated
    t.edited()
    for arg in plain:
        t.took_out(arg.value)
    args = remove_from(updated.args, plain)
    updated = updated.with_changes(args=args)
    if not args:
        updated = updated.with_changes(whitespace_before_args=cst.SimpleWhitespace(""))
    return updated
