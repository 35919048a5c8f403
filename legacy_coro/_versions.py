"""What each CPython version changed in asyncio for generator-style code.

The one place that knows the version differences.  The shim, the opt-in
compat layer, the porting report and the README table all read it; the
README table is rendered by :func:`render_table` and a test keeps the two
equal.
"""

import re
import sys
from typing import Dict, NamedTuple, Tuple

__all__ = [
    "ASYNCIO_AWAITABLE_CALLS", "ASYNCIO_COROUTINE_FUNCTIONS", "ASYNCIO_SUBMODULES", "CHANGES",
    "COROUTINE_DECORATORS", "Change",
    "LOOP_ARGUMENT_REMOVED", "LOOP_BOUND_AT_CALL", "LOOP_BOUND_LAZILY_SINCE", "OPT_IN", "PY",
    "POLICY_NAMES", "POLICY_RENAMED", "REMOVED_SUBMODULE_NAMES", "TASK_ENTRY_POINTS",
    "YIELD_FROM_DECORATORS",
    "canonical_asyncio", "change", "printed", "render_table",
]

#: The running interpreter's (major, minor).
PY: Tuple[int, int] = sys.version_info[:2]


class Change(NamedTuple):
    """One asyncio change that breaks generator-style code."""

    key: str  #: stable identifier, used by the compat layer and the report
    version: Tuple[int, int]  #: first CPython version with the change
    what: str  #: what changed
    symptom: str  #: what old code meets there (from a real run where we could)
    remedy: str  #: what legacy_coro offers
    #: a change of behaviour, not a removal: install() restores it only when
    #: asked (``install(restore=[key])``, ``legacy-coro run --restore KEY``),
    #: because code written for the newer Python may rely on the new behaviour
    opt_in: bool = False
    #: a deprecation that removes nothing yet (the names still work, and warn):
    #: install() silences the warning where the change applies, restores nothing
    deprecation: bool = False

    @property
    def label(self) -> str:
        """The version as "3.N"."""
        return f"{self.version[0]}.{self.version[1]}"

    @property
    def applies(self) -> bool:
        """True when the running interpreter has this change."""
        return PY >= self.version


CHANGES: Tuple[Change, ...] = (
    Change(
        "asyncio.async", (3, 7),
        "`async` and `await` became keywords",
        "`asyncio.async(x)`, `from asyncio import async`, `config.async`, `dict(async=True)`, "
        "`def f(self, async=False)`, `import pkg.async`: a SyntaxError (in a branch that "
        "never runs too)",
        "`legacy-coro run` / `install()` compile them (the program, its modules, its test "
        "modules; names, tracebacks and `sys.modules` stay `async`) and restore "
        "`asyncio.async` as `ensure_future`; `legacy-coro port` rewrites "
        "`asyncio.async(x)` to `asyncio.ensure_future(x)`",
    ),
    Change(
        "fd-used-by-transport", (3, 7),
        "`add_reader()`, `add_writer()`, `remove_reader()` and `remove_writer()` refuse a "
        "socket object that a transport uses (3.6 checked integer file descriptors only)",
        "`RuntimeError: File descriptor <socket.socket fd=7, ...> is used by transport ...` "
        "(an old protocol that writes to its transport's socket itself: irc3's DCC file "
        "sends)",
        "opt-in: `legacy_coro.install(restore=['fd-used-by-transport'])`, "
        "`legacy-coro run --restore fd-used-by-transport`: a socket object is not checked, "
        "as in 3.6 (asyncio's own loops: uvloop checks in its own code)",
        opt_in=True,
    ),
    Change(
        "plain-generator-await", (3, 7),
        "`asyncio.sleep()` and most helpers became `async def`",
        "an undecorated generator doing `yield from asyncio.sleep()` raises `TypeError: cannot "
        "'yield from' a coroutine object in a non-coroutine generator`",
        "decorate the generator with `@coroutine`; `legacy-coro run` / `legacy_coro.install()` "
        "let undecorated generators do it (the program's modules, site-packages, pytest's test "
        "modules), and they stay generators",
    ),
    Change(
        "Task.all_tasks", (3, 9),
        "`Task.current_task()` / `Task.all_tasks()` removed (deprecated 3.7)",
        "`AttributeError: type object '_asyncio.Task' has no attribute 'all_tasks'`",
        "`legacy_coro.install()`; `port` reports them",
    ),
    Change(
        "with-yield-from-lock", (3, 9),
        "`with (yield from lock)` / `with (await lock)` removed (deprecated 3.7)",
        "`TypeError: 'Lock' object is not iterable`",
        "`legacy_coro.install()`; `port` rewrites to `async with lock:`",
    ),
    Change(
        "asyncio.coroutine-deprecated", (3, 8),
        "`@asyncio.coroutine` deprecated",
        "DeprecationWarning at decoration time",
        "`from legacy_coro import coroutine` (no warning)",
    ),
    Change(
        "submodule-names", (3, 8),
        "the exceptions moved to `asyncio.exceptions`; `asyncio.futures.CancelledError`, "
        "`asyncio.futures.TimeoutError`, `asyncio.futures.InvalidStateError`, "
        "`asyncio.streams.IncompleteReadError` and the other names old code reached through "
        "a submodule are gone (`asyncio.X` remains)",
        "`AttributeError: module 'asyncio.futures' has no attribute 'CancelledError'` (an old "
        "server's `except asyncio.futures.CancelledError:`)",
        "`legacy_coro.install()` puts the names back; `port` spells them `asyncio.X`",
    ),
    Change(
        "CancelledError-base", (3, 8),
        "`CancelledError` derives from `BaseException`",
        "`except Exception` stops catching cancellation (a server's handler that caught it "
        "there to close its connections no longer runs that code)",
        "opt-in: `legacy_coro.install(restore=['CancelledError-base'])`, "
        "`legacy-coro run --restore CancelledError-base`: it derives from `Exception` again, "
        "in the whole process",
        opt_in=True,
    ),
    Change(
        "transport-socket", (3, 8),
        "`transport.get_extra_info('socket')` gives an `asyncio.TransportSocket`, not the "
        "socket: it refuses `setblocking(True)`, and from 3.11 has no `send()`, "
        "`sendfile()`, `recv()`",
        "`ValueError: setblocking(): transport sockets cannot be blocking`; "
        "`AttributeError: 'TransportSocket' object has no attribute 'send'` (3.11+)",
        "opt-in: `legacy_coro.install(restore=['transport-socket'])`, "
        "`legacy-coro run --restore transport-socket`: the transport's own socket, as in 3.7 "
        "(asyncio's own loops: uvloop's transports give a socket of their own)",
        opt_in=True,
    ),
    Change(
        "loop-argument", (3, 10),
        "`loop=` removed from sleep, gather, wait_for, wait, shield, as_completed, the queues, "
        "Lock, Event, Condition, Semaphore, BoundedSemaphore, open_connection, start_server "
        "(and unix variants), create_subprocess_exec/shell",
        "`TypeError: sleep() got an unexpected keyword argument 'loop'`",
        "`legacy_coro.install()`; `port` removes the argument",
    ),
    Change(
        "wait-coroutines", (3, 11),
        "`asyncio.wait()` refuses bare coroutines (deprecated 3.8)",
        "`TypeError: Passing coroutines is forbidden, use tasks explicitly.`",
        "`legacy_coro.install()`; `port` reports the call",
    ),
    Change(
        "asyncio.coroutine", (3, 11),
        "`asyncio.coroutine` removed",
        "`AttributeError: module 'asyncio' has no attribute 'coroutine'`",
        "`from legacy_coro import coroutine`, or `legacy_coro.install()`",
    ),
    Change(
        "generator-rejected", (3, 12),
        "`asyncio.iscoroutine()` false for every generator",
        "`create_task(gen)`, `asyncio.Task(gen)`: `TypeError: a coroutine was expected, got "
        "<generator ...>`; "
        "`ensure_future(gen)`, `run_until_complete(gen)`: `TypeError: An asyncio.Future, a "
        "coroutine or an awaitable is required`; "
        "`asyncio.run(gen)`: `ValueError: a coroutine was expected ...`; a framework that "
        "runs a handler's result when `asyncio.iscoroutine(result)` returns the generator",
        "`@coroutine` returns native coroutine objects, accepted everywhere; "
        "`legacy_coro.install()` makes `asyncio.iscoroutine()` true for generator objects "
        "again, as through 3.11, so every task entry point (uvloop's too) takes them",
    ),
    Change(
        "wait_for-inline", (3, 12),
        "`wait_for(aw, timeout)` awaits `aw` inline instead of wrapping it in a task",
        "the awaited coroutine starts at once, before callbacks scheduled just before it, "
        "in the caller's task and context (3.11 and before: in a task of its own, one loop "
        "turn later)",
        "opt-in: `legacy_coro.install(restore=['wait_for-inline'])`, "
        "`legacy-coro run --restore wait_for-inline`",
        opt_in=True,
    ),
    Change(
        "wait_closed-connections", (3, 12),
        "`Server.wait_closed()` waits for every open connection (3.12.1)",
        "an old server that closes its listener and then waits before closing its "
        "connections hangs (3.12.0 and before returned at once once the server was closed)",
        "opt-in: `legacy_coro.install(restore=['wait_closed-connections'])`, "
        "`legacy-coro run --restore wait_closed-connections`",
        opt_in=True,
    ),
    Change(
        "get_event_loop-warns", (3, 12),
        "`get_event_loop()` with no current loop warns",
        "`DeprecationWarning: There is no current event loop`",
        "`legacy_coro.install()`; `port` reports the call",
    ),
    Change(
        "get_event_loop-raises", (3, 14),
        "`get_event_loop()` with no current loop raises",
        "`RuntimeError: There is no current event loop in thread 'MainThread'.`",
        "`legacy_coro.install()`; `port` reports the call",
    ),
    Change(
        "asyncio.run-awaitable", (3, 14),
        "`asyncio.run()` takes any awaitable, not only a coroutine (gh-120284)",
        "`asyncio.run(gen)`: `TypeError: An asyncio.Future, a coroutine or an awaitable is "
        "required` instead of 3.12's `ValueError`; a generator flagged by `types.coroutine` "
        "now runs there (seen on 3.14.7 and 3.15.0rc1)",
        "`@coroutine` returns native coroutine objects, accepted everywhere; "
        "`legacy_coro.install()` accepts undecorated generators (`generator-rejected`)",
    ),
    Change(
        "policy-deprecated", (3, 14),
        "event loop policies deprecated, to be removed in 3.16 (gh-127949): "
        "`get_event_loop_policy()`, `set_event_loop_policy()`, `DefaultEventLoopPolicy`, "
        "`AbstractEventLoopPolicy`",
        "`DeprecationWarning: 'asyncio.set_event_loop_policy' is deprecated and slated for "
        "removal in Python 3.16` (seen on 3.14.7 and 3.15.0rc1)",
        "`legacy_coro.install()` silences the warning, as old code ran without it (the "
        "names still work until 3.16); `install()` itself uses none of them",
        deprecation=True,
    ),
    Change(
        "policy-classes-renamed", (3, 14),
        "the policy classes' names in asyncio's submodules took a leading underscore "
        "(`asyncio.events.AbstractEventLoopPolicy`, `asyncio.events."
        "BaseDefaultEventLoopPolicy`, `asyncio.unix_events.DefaultEventLoopPolicy`; only "
        "`asyncio.AbstractEventLoopPolicy` and `asyncio.DefaultEventLoopPolicy` stay, "
        "deprecated)",
        "`AttributeError: module 'asyncio.events' has no attribute "
        "'BaseDefaultEventLoopPolicy'` (uvloop before 0.15 subclasses it; seen on 3.14.7 and "
        "3.15.0rc1)",
        "`legacy_coro.install()` puts the names back as the classes 3.14 renamed; on 3.16 "
        "`policy-removed` restores the classes themselves",
    ),
    Change(
        "iscoroutinefunction-deprecated", (3, 14),
        "`asyncio.iscoroutinefunction()` deprecated for `inspect.iscoroutinefunction()`",
        "`DeprecationWarning: 'asyncio.iscoroutinefunction' is deprecated and slated for "
        "removal in Python 3.16; use inspect.iscoroutinefunction() instead`",
        "`legacy_coro.install()` silences the warning, as old code ran without it; "
        "`inspect.iscoroutinefunction()` and `legacy_coro.iscoroutinefunction()` are true "
        "for `@coroutine` functions too",
        deprecation=True,
    ),
    Change(
        "policy-removed", (3, 16),
        "event loop policies removed (gh-127949): `get_event_loop_policy()`, "
        "`set_event_loop_policy()`, `AbstractEventLoopPolicy`, `DefaultEventLoopPolicy`",
        "`AttributeError: module 'asyncio' has no attribute 'get_event_loop_policy'` (seen on "
        "3.16.0a0)",
        "`legacy_coro.install()` restores them as 3.15 had them: a policy set with "
        "`set_event_loop_policy()` (a subclass of `DefaultEventLoopPolicy`, or a policy of its "
        "own) makes the loops of `get_event_loop()`, `new_event_loop()` and `asyncio.run()`; "
        "`port` reports the calls (`asyncio.run(..., loop_factory=...)` replaces them)",
    ),
    Change(
        "iscoroutinefunction-removed", (3, 16),
        "`asyncio.iscoroutinefunction()` removed",
        "`AttributeError: module 'asyncio' has no attribute 'iscoroutinefunction'` (seen on "
        "3.16.0a0)",
        "`legacy_coro.install()` restores it as 3.15 had it; `inspect.iscoroutinefunction()` "
        "and `legacy_coro.iscoroutinefunction()` are true for `@coroutine` functions too",
    ),
)


#: Names old code reached through an asyncio submodule that a later Python no
#: longer has there (the "submodule-names" row: gone from 3.8, when the
#: exceptions moved to ``asyncio.exceptions``), each with the spelling that
#: works on every Python from 3.8 to 3.16.  Compared on 3.6-3.16: these are the
#: public, non-module names of asyncio's submodules on 3.6 or 3.7 that 3.8 lacks
#: there and that ``asyncio`` itself has on every version since.
REMOVED_SUBMODULE_NAMES: Dict[str, str] = {
    "asyncio.futures.CancelledError": "asyncio.CancelledError",
    "asyncio.futures.TimeoutError": "asyncio.TimeoutError",
    "asyncio.futures.InvalidStateError": "asyncio.InvalidStateError",
    "asyncio.base_futures.CancelledError": "asyncio.CancelledError",
    "asyncio.base_futures.TimeoutError": "asyncio.TimeoutError",
    "asyncio.base_futures.InvalidStateError": "asyncio.InvalidStateError",
    "asyncio.streams.IncompleteReadError": "asyncio.IncompleteReadError",
    "asyncio.streams.LimitOverrunError": "asyncio.LimitOverrunError",
    "asyncio.events.SendfileNotAvailableError": "asyncio.SendfileNotAvailableError",
}

#: What the "policy-removed" row (3.16) restores, where old code reaches it
#: (3.14 and 3.15 spell the classes with a leading underscore in asyncio.events
#: and asyncio.unix_events, POLICY_RENAMED, and keep the public names only on
#: asyncio itself, through its module __getattr__).
POLICY_NAMES: Tuple[str, ...] = (
    "asyncio.get_event_loop_policy", "asyncio.set_event_loop_policy",
    "asyncio.AbstractEventLoopPolicy", "asyncio.DefaultEventLoopPolicy",
    "asyncio.events.get_event_loop_policy", "asyncio.events.set_event_loop_policy",
    "asyncio.events.AbstractEventLoopPolicy", "asyncio.events.BaseDefaultEventLoopPolicy",
    "asyncio.unix_events.DefaultEventLoopPolicy",
)

#: The "policy-classes-renamed" row (3.14): each submodule name old code used, and
#: the name 3.14 and 3.15 give that class.
POLICY_RENAMED: Dict[str, str] = {
    "asyncio.events.AbstractEventLoopPolicy": "_AbstractEventLoopPolicy",
    "asyncio.events.BaseDefaultEventLoopPolicy": "_BaseDefaultEventLoopPolicy",
    "asyncio.unix_events.DefaultEventLoopPolicy": "_DefaultEventLoopPolicy",
}


#: The asyncio names whose ``loop=`` parameter 3.10 removed (the "loop-argument" row),
#: as ``legacy-coro port`` drops it.  Queue covers its subclasses.
LOOP_ARGUMENT_REMOVED: Tuple[str, ...] = (
    "sleep", "gather", "wait_for", "wait", "shield", "as_completed",
    "Queue", "PriorityQueue", "LifoQueue",
    "Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore",
    "open_connection", "start_server", "open_unix_connection", "start_unix_server",
    "create_subprocess_exec", "create_subprocess_shell",
)

#: Those of LOOP_ARGUMENT_REMOVED that pick their loop when *called*: before 3.10,
#: without ``loop=`` they take ``get_event_loop()`` at once, so one made outside the
#: running loop (at module level, in an ``__init__`` run before the loop starts) binds to
#: whatever loop is current then.  3.10+ binds primitives at first use, inside the loop.
#: The others are coroutine functions: their body, where the loop is picked, runs inside
#: the loop that awaits them on every version.  (Measured: tests/test_port_versions.py.)
LOOP_BOUND_AT_CALL: Tuple[str, ...] = (
    "gather", "shield", "as_completed",
    "Queue", "PriorityQueue", "LifoQueue",
    "Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore",
)

#: The version from which dropping ``loop=`` from LOOP_BOUND_AT_CALL outside a coroutine
#: keeps the meaning (primitives bind to the running loop at first use).
LOOP_BOUND_LAZILY_SINCE: Tuple[int, int] = (3, 10)

#: What the coroutine decorator is called once imports are resolved (with
#: :func:`canonical_asyncio`): asyncio's, and legacy_coro's drop-in.
COROUTINE_DECORATORS = frozenset({"asyncio.coroutine", "legacy_coro.coroutine"})

#: The decorators whose generator functions may already ``yield from`` a
#: coroutine (their code is flagged): the coroutine decorators, and
#: ``types.coroutine``.  The compat layer's source transform leaves their
#: ``yield from`` alone.
YIELD_FROM_DECORATORS = COROUTINE_DECORATORS | {"types.coroutine"}

#: asyncio's submodules (3.4-3.15).  Old code spells an API through them
#: (``asyncio.queues.Queue``, ``from asyncio.locks import Lock``,
#: ``asyncio.tasks.async``); every public name of these is also ``asyncio.NAME``.
ASYNCIO_SUBMODULES = frozenset({
    "base_events", "base_futures", "base_subprocess", "base_tasks", "compat", "constants",
    "coroutines", "events", "exceptions", "format_helpers", "futures", "graph", "locks", "log",
    "mixins", "proactor_events", "protocols", "queues", "runners", "selector_events",
    "sslproto", "staggered", "streams", "subprocess", "taskgroups", "tasks", "threads",
    "timeouts", "tools", "transports", "trsock", "unix_events", "windows_events",
    "windows_utils",
})

#: asyncio functions whose call gives an awaitable on every version: coroutine
#: functions (``@coroutine`` generators before 3.7, ``async def`` since) and functions
#: that return a future or task.  ``yield from`` of their call becomes ``await``.
ASYNCIO_AWAITABLE_CALLS = frozenset({
    "sleep", "wait", "wait_for", "gather", "shield", "ensure_future", "async", "create_task",
    "wrap_future", "open_connection", "start_server", "open_unix_connection",
    "start_unix_server", "create_subprocess_exec", "create_subprocess_shell", "to_thread",
    "Future", "Task",
})

#: Those of ASYNCIO_AWAITABLE_CALLS that are coroutine functions (``async def``) since
#: 3.7: a plain generator cannot ``yield from`` their calls there (``TypeError: cannot
#: 'yield from' a coroutine object in a non-coroutine generator``); the others return
#: futures, which it can.
ASYNCIO_COROUTINE_FUNCTIONS = frozenset({
    "sleep", "wait", "wait_for", "open_connection", "start_server", "open_unix_connection",
    "start_unix_server", "create_subprocess_exec", "create_subprocess_shell", "to_thread",
})

#: asyncio functions and event loop methods that accept a coroutine object and run
#: it in a task.  A generator object handed to them (3.4-3.11 accepted one) can be a
#: coroutine object instead: ``legacy-coro port`` may convert such a generator helper.
TASK_ENTRY_POINTS = frozenset({
    "ensure_future", "async", "create_task", "Task", "gather", "wait_for", "shield", "wait",
    "as_completed", "run", "run_until_complete", "run_coroutine_threadsafe",
})


def canonical_asyncio(name: str) -> str:
    """Return ``asyncio.NAME`` for ``asyncio.SUBMODULE.NAME``; any other name unchanged."""
    if name.startswith("asyncio."):
        parts = name.split(".")
        if len(parts) > 2 and parts[1] in ASYNCIO_SUBMODULES:
            return "asyncio." + ".".join(parts[2:])
    return name


#: The keys of the changes install() restores only when asked.
OPT_IN: Tuple[str, ...] = tuple(c.key for c in CHANGES if c.opt_in)


def change(key: str) -> Change:
    """Return the change named *key*."""
    for item in CHANGES:
        if item.key == key:
            return item
    raise KeyError(f"no asyncio change named {key!r}; known: {', '.join(c.key for c in CHANGES)}")


_PRINTED = re.compile(r"`((?:[A-Z]\w*)(?:Error|Warning): [^`]*)`")


def printed(key: str, call: str = "") -> str:
    """Return what the interpreter prints for change *key*, as its symptom quotes it.

    The quoted ``Error: message`` (or ``Warning: message``) of the row's
    symptom, cut where the symptom elides a part (``...`` or an object's
    ``<repr>``), so it is a prefix of the interpreter's own line: what a test
    looks for in the output of old code run without legacy_coro.  With
    *call* (e.g. ``"asyncio.run(gen)"``), the message quoted after that call.
    """
    symptom = change(key).symptom
    if call:
        start = symptom.find(f"`{call}`")
        if start < 0:
            raise KeyError(f"the {key!r} symptom quotes no {call!r}")
        symptom = symptom[start:]
    found = _PRINTED.search(symptom)
    if found is None:
        raise KeyError(f"the {key!r} symptom quotes no error or warning")
    return re.split(r" ?\.\.\.| ?<", found.group(1))[0]


def render_table() -> str:
    """Render CHANGES as the README's Markdown table, oldest first."""
    lines = [
        "| Python | what changed | what old code sees | what legacy_coro does |",
        "| --- | --- | --- | --- |",
    ]
    for item in sorted(CHANGES, key=lambda c: c.version):
        lines.append(f"| {item.label} | {item.what} | {item.symptom} | {item.remedy} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_table())
