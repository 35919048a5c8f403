"""What CPython 3.16 removed: the event loop policies (LC022), ``asyncio.iscoroutinefunction``.

``asyncio.iscoroutinefunction(f)`` -> ``inspect.iscoroutinefunction(f)``: the
same answer for ``async def`` functions and for those kept on
``legacy_coro.coroutine`` (the shim marks them for ``inspect`` too); 3.14
deprecated asyncio's and 3.16 removed it.

The policy system (``get_event_loop_policy()``, ``set_event_loop_policy()``,
``AbstractEventLoopPolicy``, ``DefaultEventLoopPolicy``) has no replacement that
means the same: a policy decided the loops every later call made, and 3.16
offers a loop factory per ``asyncio.run()`` / ``asyncio.Runner`` instead.  Each
use is an error-severity site (LC022) naming that fix; ``legacy-coro run``
restores the policies for code that keeps them.
"""

from typing import TYPE_CHECKING, Any

import libcst as cst

from legacy_coro._versions import POLICY_NAMES, canonical_asyncio
from legacy_coro.port._cst import dotted
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

_POLICY = frozenset(canonical_asyncio(name) for name in POLICY_NAMES)
_LEAVES = frozenset(name.rsplit(".", 1)[1] for name in _POLICY)

FIX = Fix("policy_api", keywords=_LEAVES | {"iscoroutinefunction"})


@FIX.leave(cst.Call)
def _call(t: "Transformer", original: cst.Call, updated: cst.Call) -> Any:
    target = t.qualified(original.func)
    if target == "asyncio.iscoroutinefunction":
        t.took_out(original.func)
        t.edited()
        inspect = t.imports.module("inspect")
        return updated.with_changes(
            func=cst.Attribute(inspect, cst.Name("iscoroutinefunction")))
    if target in _POLICY:
        t.report(original, "LC022", target[8:])
        t.state.setdefault(FIX.name, set()).add(id(original.func))
    return updated


@FIX.leave(cst.Attribute)
def _named(t: "Transformer", original: cst.Attribute, updated: cst.Attribute) -> Any:
    """A policy class named (a base class, an isinstance()): reported where it is not called."""
    if original.attr.value in _LEAVES and t.qualified(original) in _POLICY:
        t.state.setdefault(FIX.name + ".names", {})[id(original)] = original
    return updated


@FIX.leave(cst.ImportFrom)
def _import(t: "Transformer", original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
    module = ".".join(dotted(original.module) or []) if original.module is not None else ""
    if canonical_asyncio(module + ".x").split(".")[0] != "asyncio" or isinstance(
            original.names, cst.ImportStar):
        return updated
    for alias in original.names:
        if isinstance(alias.name, cst.Name) and canonical_asyncio(
                f"{module}.{alias.name.value}") in _POLICY:
            t.report(original, "LC022", alias.name.value)
    return updated


@FIX.at_finish
def _named_not_called(t: "Transformer", original: cst.Module, updated: cst.Module) -> Any:
    called = t.state.get(FIX.name, set())
    for key, node in t.state.get(FIX.name + ".names", {}).items():
        if key not in called:
            t.report(node, "LC022", ".".join(dotted(node) or [])[-40:])
    return updated
