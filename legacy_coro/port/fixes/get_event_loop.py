"""``asyncio.get_event_loop()`` outside a coroutine -> ``_legacy_get_event_loop()`` (LC014).

Before 3.12, ``get_event_loop()`` outside a running loop gave the loop set for
the thread and, in the main thread with none set, made one and set it.  3.12
warns in that last case (``DeprecationWarning: There is no current event
loop``) and 3.14 raises ``RuntimeError`` instead.  Almost every old program
does it at module level or in its ``__main__`` block, so the port writes a
call of a small helper it adds to the module, which answers as 3.4-3.11 did
on every version.  In a coroutine (converted or not) the call gives the
running loop everywhere, and is left.  The one difference: after
``set_event_loop(None)`` in the main thread, old Pythons raised where the
helper makes a loop.
"""

from typing import TYPE_CHECKING, Any

import libcst as cst

from legacy_coro.port import _helpers as helpers
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "HELPER", "HELPER_CODE", "call"]

HELPER = "_legacy_get_event_loop"

FIX = Fix("get_event_loop", keywords={"get_event_loop"}, helper=HELPER)

#: What ``legacy-coro port`` adds to a module that calls ``get_event_loop()`` outside a
#: coroutine.  Stdlib imports only, syntax of 3.5.
HELPER_CODE = """\
# Added by legacy-coro port (LC014): asyncio.get_event_loop() as Python
# 3.4-3.11 answered it outside a coroutine: the running loop, else the loop set
# for this thread, else (in the main thread) a new loop, set.  3.12 warns in
# that last case and 3.14 raises instead.
def {name}():
    import asyncio
    import threading
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            if threading.current_thread() is not threading.main_thread():
                raise
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop
"""


def in_coroutine(t: "Transformer") -> bool:
    """Whether the node being left runs inside a running loop (a coroutine's own body)."""
    frame = t.frame
    return frame is not None and frame.coroutine


def call(t: "Transformer") -> cst.Call:
    """A call of the helper (which the module then gets)."""
    return cst.Call(cst.Name(helpers.use(t, HELPER)))


@FIX.leave(cst.Call)
def _through_helper(t: "Transformer", original: cst.Call, updated: cst.Call) -> Any:
    if original.args or in_coroutine(t) or t.qualified(original.func) != (
            "asyncio.get_event_loop") or helpers.inside(t):
        return updated
    t.report(original, "LC014")
    t.took_out(original.func)
    t.edited()
    return call(t).with_changes(lpar=updated.lpar, rpar=updated.rpar)


@FIX.at_finish
def _add_helper(t: "Transformer", original: cst.Module, updated: cst.Module) -> cst.Module:
    return helpers.add(t, updated, HELPER, HELPER_CODE)
