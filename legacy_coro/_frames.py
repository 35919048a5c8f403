"""Wrappers that leave no frame of theirs in a traceback.

The layer puts back what asyncio removed partly with Python functions (a
primitive's constructor taking ``loop=``, ``Task.all_tasks()``, 3.15's event
loop policies on 3.16).  An exception leaving one of them should read as it
did when asyncio had the behaviour itself: the caller's frames and asyncio's,
none of legacy_coro's.
"""

import functools
import sys
import types
from typing import Any, Callable, Set, TypeVar

__all__ = ["hiding"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: 3.11+: an exception re-raised by a bare ``raise`` keeps the traceback it
#: carries, so a wrapper can drop its own entry (on 3.8-3.10 it cannot).
CAN_HIDE_FRAMES = sys.version_info >= (3, 11)

_HIDDEN_CODES: Set[types.CodeType] = set()


def hiding(wrapper: _F) -> _F:
    """Return *wrapper* so that an exception leaving it does not show its frame (3.11+)."""
    if not CAN_HIDE_FRAMES:
        return wrapper

    @functools.wraps(wrapper)
    def hidden(*args: Any, **kwargs: Any) -> Any:
        try:
            return wrapper(*args, **kwargs)
        except BaseException as exc:
            tb = exc.__traceback__
            # drop this frame's entry and the wrapper's: the caller sees asyncio's frames only
            while tb is not None and tb.tb_frame.f_code in _HIDDEN_CODES:
                tb = tb.tb_next
            exc.__traceback__ = tb
            raise

    _HIDDEN_CODES.add(wrapper.__code__)
    _HIDDEN_CODES.add(hidden.__code__)  # type: ignore[attr-defined]
    return hidden  # type: ignore[return-value]
