"""``asyncio.wait(fs)`` awaited in a coroutine: give it tasks, as 3.4-3.10 did.

``asyncio.wait(fs)`` -> ``asyncio.wait({asyncio.ensure_future(f) for f in set(fs)})``.

wait() did ``{ensure_future(f) for f in set(fs)}`` before waiting, up to 3.10;
doing that in the argument keeps the meaning (the same tasks, made at the same
moment, in the same set order) and works on 3.11+, which refuses coroutines.
A literal list, tuple or set of two elements or more needs no ``set(...)``:
``wait([a(), b()])`` -> ``wait({asyncio.ensure_future(f) for f in {a(), b()}})``,
the set display adding the same elements to an empty set in the same order as
``set([a(), b()])`` does, so it iterates in the same order and the tasks are
made (and start) in that order.  The idiom ``[asyncio.ensure_future(a()),
asyncio.ensure_future(b())]`` is not written: it makes the tasks in the list's
order, where 3.10 made them in the set's (which follows the objects' hashes).
A ``wait()`` whose argument may hold coroutines and that no ``yield from`` or
``await`` rewrites is reported (LC005).
"""

from typing import TYPE_CHECKING, Dict

import libcst as cst

from legacy_coro.port._cst import dotted
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("asyncio_wait", keywords={"wait"})

_TASK_MAKERS = frozenset({"asyncio.ensure_future", "asyncio.create_task", "asyncio.Task"})


def _pending(t: "Transformer") -> Dict[int, cst.Call]:
    """The calls whose first argument may hold coroutines, not yet given tasks."""
    found: Dict[int, cst.Call] = t.state.setdefault(FIX.name, {})
    return found


@FIX.leave(cst.Call)
def _note(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    if t.qualified(original.func) != "asyncio.wait":
        return updated
    first = next((a for a in original.args if a.keyword is None or a.keyword.value == "fs"), None)
    if first is not None and not first.star and not _known_tasks(t, first.value):
        _pending(t)[id(original)] = original
    return updated


def _makes_task(t: "Transformer", call: cst.Call) -> bool:
    if t.qualified(call.func) in _TASK_MAKERS:
        return True
    parts = dotted(call.func)
    return bool(parts) and parts is not None and parts[-1] in ("create_task", "ensure_future")


def _known_tasks(t: "Transformer", node: cst.BaseExpression) -> bool:
    """Whether *node* plainly holds tasks or futures only (no coroutine)."""
    if isinstance(node, cst.Call):
        return _makes_task(t, node)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return bool(node.elements) and all(
            isinstance(e, cst.Element) and _known_tasks(t, e.value) for e in node.elements)
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return _known_tasks(t, node.elt)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _known_tasks(t, node.left) and _known_tasks(t, node.right)
    if isinstance(node, cst.Name) and t.frames:
        return node.value in t.ctx.scopes.tasks.get(t.frames[-1].path, ())
    return False


def _with_tasks(t: "Transformer", original: cst.BaseExpression,
                updated: cst.BaseExpression) -> cst.BaseExpression:
    """``asyncio.wait(fs)`` awaited here: give it tasks, as 3.4-3.10 made of *fs*."""
    if not isinstance(original, cst.Call) or id(original) not in _pending(t):
        return updated
    assert isinstance(updated, cst.Call)
    del _pending(t)[id(original)]
    args = list(updated.args)
    index = next(i for i, a in enumerate(args) if a.keyword is None or a.keyword.value == "fs")
    value = args[index].value
    if (isinstance(value, (cst.List, cst.Tuple, cst.Set)) and len(value.elements) == 1
            and isinstance(value.elements[0], cst.Element)):
        # One element: nothing to deduplicate, no order to keep.
        element = value.elements[0]
        wrapped = cst.Call(t.imports.asyncio("ensure_future"), [cst.Arg(element.value)])
        new_value: cst.BaseExpression = value.with_changes(
            elements=[element.with_changes(value=wrapped)])
    else:
        source = _as_set(value)
        new_value = cst.SetComp(
            elt=cst.Call(t.imports.asyncio("ensure_future"), [cst.Arg(cst.Name("f"))]),
            for_in=cst.CompFor(target=cst.Name("f"), iter=source))
    args[index] = args[index].with_changes(value=new_value)
    t.edited()
    return updated.with_changes(args=args)


def _as_set(value: cst.BaseExpression) -> cst.BaseExpression:
    """What ``set(value)`` is, as a set display where *value* is a literal of 2+ elements.

    A set display and ``set()`` of a list or tuple evaluate the same elements
    in the same order and add them to a new set in that order: the same set,
    iterating in the same order (which decides the order the tasks are made).
    A tuple in more than one pair of parentheses keeps ``set(...)``.
    """
    if isinstance(value, cst.Set):
        return value
    if isinstance(value, cst.List) and len(value.elements) >= 2:
        return cst.Set(value.elements, cst.LeftCurlyBrace(value.lbracket.whitespace_after),
                       cst.RightCurlyBrace(value.rbracket.whitespace_before),
                       lpar=value.lpar, rpar=value.rpar)
    if isinstance(value, cst.Tuple) and len(value.elements) >= 2 and len(value.lpar) == 1:
        return cst.Set(value.elements, cst.LeftCurlyBrace(value.lpar[0].whitespace_after),
                       cst.RightCurlyBrace(value.rpar[0].whitespace_before))
    return cst.Call(cst.Name("set"), [cst.Arg(value)])


@FIX.leave(cst.Yield)
def _yielded_from(t: "Transformer", original: cst.Yield, updated: cst.Yield) -> cst.Yield:
    """``yield from asyncio.wait(fs)`` in a coroutine, converted or kept."""
    frame = t.frame
    if (frame is None or frame.kind in ("class", "drop", "lambda") or not frame.coroutine
            or not isinstance(updated.value, cst.From)
            or not isinstance(original.value, cst.From)):
        return updated
    item = _with_tasks(t, original.value.item, updated.value.item)
    if item is updated.value.item:
        return updated
    return updated.with_changes(value=updated.value.with_changes(item=item))


@FIX.leave(cst.Await)
def _awaited(t: "Transformer", original: cst.Await, updated: cst.Await) -> cst.Await:
    if t.frames and t.frames[-1].coroutine:
        expression = _with_tasks(t, original.expression, updated.expression)
        if expression is not updated.expression:
            return updated.with_changes(expression=expression)
    return updated


@FIX.at_finish
def _unwrapped(t: "Transformer", original: cst.Module, updated: cst.Module) -> cst.Module:
    """The wait() calls no yield from / await gave tasks: 3.11+ refuses coroutines (LC005)."""
    for call in _pending(t).values():
        t.report(call, "LC005")
    return updated
