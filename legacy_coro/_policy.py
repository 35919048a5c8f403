"""Event loop policies for CPython 3.16, which removed them (gh-127949): 3.15's, put back.

Old code calls ``asyncio.get_event_loop_policy()``,
``asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`` and subclasses
``asyncio.DefaultEventLoopPolicy`` all the time.  3.16 keeps the current loop
in a thread-local of ``asyncio.events`` instead (``events._local``), read by
``events._get_event_loop()`` -- which the C ``get_event_loop()`` calls when no
loop is running -- and written by ``events.set_event_loop()``.

The classes and functions here are 3.15's, as 3.15 wrote them.  The layer
(:mod:`legacy_coro._compat`, the "policy-removed" row) sets them on asyncio
and recompiles those three functions of ``asyncio.events`` in place so that
each asks the current policy first, as 3.15's did:
``get_event_loop()``, ``set_event_loop()``, ``new_event_loop()`` (and so
``asyncio.run()``) go through a policy set by old code.  The policy in use
until old code sets one keeps its loops in 3.16's own thread-local, so a loop
set before ``install()`` is still the current one under it.

Nothing here runs at import but definitions; on 3.8-3.15 none of it is used.
"""

import asyncio
import asyncio.events
import os
import sys
import threading
from typing import Any, Optional

from legacy_coro._frames import hiding

__all__ = ["AbstractEventLoopPolicy", "BaseDefaultEventLoopPolicy", "DefaultEventLoopPolicy",
           "current", "get_event_loop_policy", "set_event_loop_policy"]


class AbstractEventLoopPolicy:
    """Abstract policy for accessing the event loop."""

    def get_event_loop(self) -> Any:
        """Get the event loop for the current context.

        Returns an event loop object implementing the AbstractEventLoop interface,
        or raises an exception in case no event loop has been set for the
        current context and the current policy does not specify to create one.

        It should never return None."""
        raise NotImplementedError

    def set_event_loop(self, loop: Any) -> None:
        """Set the event loop for the current context to loop."""
        raise NotImplementedError

    def new_event_loop(self) -> Any:
        """Create and return a new event loop object according to this
        policy's rules. If there's need to set this loop as the event loop for
        the current context, set_event_loop must be called explicitly."""
        raise NotImplementedError


class BaseDefaultEventLoopPolicy(AbstractEventLoopPolicy):
    """Default policy implementation for accessing the event loop.

    In this policy, each thread has its own event loop.  However, we
    only automatically create an event loop by default for the main
    thread; other threads by default have no event loop.

    Other policies may have different rules (e.g. a single global
    event loop, or automatically creating an event loop per thread, or
    using some other notion of context to which an event loop is
    associated).
    """

    _loop_factory: Any = None

    class _Local(threading.local):
        _loop: Any = None

    def __init__(self) -> None:
        self._local = self._Local()

    @hiding
    def get_event_loop(self) -> Any:
        """Get the event loop for the current context.

        Returns an instance of EventLoop or raises an exception.
        """
        if self._local._loop is None:
            raise RuntimeError('There is no current event loop in thread %r.'  # noqa: UP031
                               % threading.current_thread().name)

        return self._local._loop

    @hiding
    def set_event_loop(self, loop: Any) -> None:
        """Set the event loop."""
        if loop is not None and not isinstance(loop, asyncio.events.AbstractEventLoop):
            raise TypeError(f"loop must be an instance of AbstractEventLoop or None, not "
                            f"'{type(loop).__name__}'")
        self._local._loop = loop

    def new_event_loop(self) -> Any:
        """Create a new event loop.

        You must call set_event_loop() to make this the current event
        loop.
        """
        return self._loop_factory()


class _UnixDefaultEventLoopPolicy(BaseDefaultEventLoopPolicy):
    """UNIX event loop policy"""

    @staticmethod
    def _loop_factory() -> Any:
        if sys.platform == "win32":  # pragma: no cover - not run here
            from asyncio.windows_events import EventLoop
        else:
            from asyncio.unix_events import SelectorEventLoop as EventLoop
        return EventLoop()


DefaultEventLoopPolicy = _UnixDefaultEventLoopPolicy

# Where 3.13 defined them (3.15 kept these names through module __getattr__).
for _cls, _module in ((AbstractEventLoopPolicy, "asyncio.events"),
                      (BaseDefaultEventLoopPolicy, "asyncio.events"),
                      (_UnixDefaultEventLoopPolicy, "asyncio.unix_events")):
    _cls.__module__ = _module
BaseDefaultEventLoopPolicy._Local.__module__ = "asyncio.events"
BaseDefaultEventLoopPolicy._Local.__qualname__ = "BaseDefaultEventLoopPolicy._Local"
del _cls, _module

_lock = threading.Lock()
#: the default policy current() made: it keeps its loops in 3.16's own thread-local
_implicit: Optional[Any] = None


def current() -> Any:
    """Return the policy in use, making the default one first if none is."""
    global _implicit
    policy = getattr(asyncio.events, "_event_loop_policy", None)
    if policy is None:
        with _lock:
            policy = getattr(asyncio.events, "_event_loop_policy", None)
            if policy is None:
                policy = _implicit = DefaultEventLoopPolicy()
                policy._local = asyncio.events._local  # type: ignore[attr-defined]
                asyncio.events._event_loop_policy = policy  # type: ignore[attr-defined]
    return policy


def get_event_loop_policy() -> Any:
    """Get the current event loop policy."""
    return current()


@hiding
def set_event_loop_policy(policy: Optional[Any]) -> None:
    """Set the current event loop policy.

    If policy is None, the default policy is restored."""
    if policy is not None and not isinstance(policy, AbstractEventLoopPolicy):
        raise TypeError(f"policy must be an instance of AbstractEventLoopPolicy or None, not "
                        f"'{type(policy).__name__}'")
    asyncio.events._event_loop_policy = policy  # type: ignore[attr-defined]


def _after_fork_in_child() -> None:
    """Forget the parent's loops in a forked child, as 3.15's ``on_fork`` did."""
    policy = getattr(asyncio.events, "_event_loop_policy", None)
    if not isinstance(policy, BaseDefaultEventLoopPolicy):
        return
    if policy is _implicit:  # 3.16's own on_fork (run before this) made a new thread-local
        policy._local = asyncio.events._local  # type: ignore[attr-defined,union-attr]
    else:
        policy._local = BaseDefaultEventLoopPolicy._Local()


_fork_handler_registered = False


def register_fork_handler() -> None:
    """Reset the policy's loops in a forked child (once per process; idle when not installed)."""
    global _fork_handler_registered
    if not _fork_handler_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _fork_handler_registered = True
