"""``asyncio.Task.all_tasks()`` / ``Task.current_task()`` (removed in 3.9) -> what they answered.

``Task.current_task(loop)`` is ``asyncio.current_task(loop)``; without a loop,
``asyncio.current_task()`` in a coroutine, and outside one the loop
``get_event_loop()`` gave (see fixes/get_event_loop.py), since
``current_task()`` with no running loop raises where the old call gave None.

``Task.all_tasks()`` gave every task of the loop still referenced, finished
ones included; ``asyncio.all_tasks()`` gives the pending ones only, so
following its advice changes what a program prints.  The port writes a call
of a small helper it adds to the module, which answers as 3.4-3.8 did (LC020);
where finished tasks do not matter, ``asyncio.all_tasks()`` is simpler.
``Task.all_tasks`` named other than in a call is left (LC013, an error: an
AttributeError on 3.9+).
"""

from typing import TYPE_CHECKING, Any, List, Optional

import libcst as cst

from legacy_coro.port import _helpers as helpers
from legacy_coro.port._registry import Fix
from legacy_coro.port.fixes import get_event_loop

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "HELPER", "HELPER_CODE"]

HELPER = "_legacy_all_tasks"

FIX = Fix("all_tasks", keywords={"all_tasks", "current_task"}, helper=HELPER)

#: What ``legacy-coro port`` adds to a module that calls ``Task.all_tasks()``.  The
#: tasks alive are the garbage collector's tracked objects that are tasks: what the
#: old WeakSet of every task held.  Stdlib imports only, syntax of 3.5.
HELPER_CODE = """\
# Added by legacy-coro port (LC020): asyncio.Task.all_tasks(loop) as Python
# 3.4-3.8 answered it: every task of the loop still referenced, finished ones
# included (asyncio.all_tasks() gives the pending ones only).  Where finished
# tasks do not matter, asyncio.all_tasks() is enough.
def {name}(loop):
    import asyncio
    import gc

    return {{task for task in gc.get_objects()
            if isinstance(task, asyncio.Task) and task.get_loop() is loop}}
"""

_NAMES = ("asyncio.Task.all_tasks", "asyncio.Task.current_task")


def _loop(t: "Transformer", args: List[cst.Arg]) -> Optional[cst.BaseExpression]:
    """The loop the old call meant: its argument, else the running one or get_event_loop()'s."""
    for arg in args:
        if arg.keyword is None or arg.keyword.value == "loop":
            return arg.value
    if get_event_loop.in_coroutine(t):
        return None
    return get_event_loop.call(t)


@FIX.leave(cst.Call)
def _rewrite(t: "Transformer", original: cst.Call, updated: cst.Call) -> Any:
    target = t.qualified(original.func)
    if target not in _NAMES:
        return updated
    t.state.get(FIX.name, {}).pop(id(original.func), None)  # called: not a name left
    if len(original.args) > 1 or any(
            a.star or (a.keyword is not None and a.keyword.value != "loop")
            for a in original.args):
        t.report(original, "LC013")  # a call the port cannot read
        return updated
    t.took_out(original.func)
    t.edited()
    loop = _loop(t, list(updated.args))
    if target.endswith("current_task"):
        return updated.with_changes(func=t.imports.asyncio("current_task"), args=(
            [cst.Arg(loop)] if loop is not None else []))
    t.report(original, "LC020")
    if loop is None:
        loop = cst.Call(t.imports.asyncio("get_running_loop"))
    return updated.with_changes(func=cst.Name(helpers.use(t, HELPER)), args=[cst.Arg(loop)])


@FIX.leave(cst.Attribute)
def _named(t: "Transformer", original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
    """Note ``Task.all_tasks`` named: an error, unless the call around it is rewritten."""
    if original.attr.value in ("all_tasks", "current_task") and t.qualified(original) in _NAMES:
        t.state.setdefault(FIX.name, {})[id(original)] = original
    return updated


@FIX.at_finish
def _named_not_called(t: "Transformer", original: cst.Module, updated: cst.Module
                      ) -> cst.Module:
    for node in t.state.get(FIX.name, {}).values():
        t.report(node, "LC013")
    return helpers.add(t, updated, HELPER, HELPER_CODE)

