"""Legacy and native coroutines agree on every generated program.

Hypothesis builds programs as trees of coroutine calls (depth <= 8, at most 4
children per node).  A node logs its entry, then runs steps -- sleep(0) (a
bare ``yield`` in some legacy nodes), a future resolved a few loop turns
later (with a value or an exception), a short or long timer, a call, a
spawned task, a task cancelled after k loop turns, gather (with and without
``return_exceptions``), wait_for with a timeout, shield -- each optionally
inside ``try/except Exception``, and ends by returning or raising, inside an
optional ``except BaseException: log; raise`` and an optional ``finally``.
Some nodes are decorated *plain* functions that return their child's
coroutine (3.10's wrapper path).  The root task may be cancelled from outside
after k loop turns.

Programs of a second family run the legacy renderings under the compat
layer (``legacy_coro.install()``, the source compiled through the layer's
transform, as ``legacy-coro run`` does): there, some legacy nodes are
*undecorated* generators (the 2014-2016 helper style, which may ``yield from``
a coroutine only under the layer), and a step may await a custom awaitable
whose ``__await__`` is a plain generator delegating to a child (``return
(yield from self._coro)``, with ``__iter__ = __await__``).  Their native
rendering runs without the layer and is the reference.

Each program is rendered as source text three times: all ``async def``/
``await``, all ``@coroutine``/``yield from``, and mixed node by node.  Each
rendering runs in a fresh namespace on a fresh event loop and appends events
to a list (enter, step, result, exception type and message, cancellation,
finally, outcome of every spawned task); the three lists must be equal.

Determinism: every event is ordered by loop turns, never by the wall clock.
On asyncio's loop, time is virtual (``_virtual_clock_loop``): the loop never
sleeps, it jumps to the next timer, so timers and timeouts fire in an order
fixed by the program.  uvloop's clock cannot be replaced, so under
LEGACY_CORO_LOOP=uvloop the programs have no timers and wait_for only gets
timeouts that cannot expire.
"""

import asyncio
import selectors
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
from conftest import LOOP
from hypothesis import given
from hypothesis import strategies as st

MAX_DEPTH = 8
MAX_FANOUT = 4
MAX_NODES = 40

TIMERS = (0.001, 0.002, 0.01, 5.0)  # seconds of (virtual) time
TIMEOUTS = (0.0015, 0.0105, 100.0)  # the last one never expires
CHILD_KINDS = ("call", "gather", "wait_for", "shield", "task", "spawn")
LAYER_CHILD_KINDS = CHILD_KINDS + ("awaitable",)
LEAF_KINDS = ("sleep0", "future", "timer")


# --- the program model -------------------------------------------------------------------


@dataclass
class Step:
    kind: str
    children: List["Node"] = field(default_factory=list)
    arg: float = 0  # loop turns, timer/timeout index, cancel-after turns (-1: never)
    flag: bool = False  # future: fails; gather: return_exceptions; task: create_task
    catch: bool = False  # wrapped in try/except Exception


@dataclass
class Node:
    id: int
    steps: List[Step] = field(default_factory=list)
    value: int = 0
    raises: Optional[str] = None  # exception class name, or None to return value
    reraise: bool = False
    final: bool = False
    passthrough: Optional["Node"] = None  # plain function returning this child's coroutine
    bare_yield: bool = False  # legacy rendering of sleep(0) as a bare ``yield``
    force_gen: bool = False  # legacy rendering keeps a generator with no suspension
    legacy: bool = False  # style of this node in the mixed rendering
    plain_gen: bool = False  # legacy rendering: an undecorated generator (layer programs)


@dataclass
class Program:
    root: Node
    cancel_root_after: Optional[int] = None
    layer: bool = False  # legacy renderings run under legacy_coro.install()

    def nodes(self) -> List[Node]:
        out: List[Node] = []
        todo = [self.root]
        while todo:
            node = todo.pop()
            out.append(node)
            if node.passthrough is not None:
                todo.append(node.passthrough)
            for step in node.steps:
                todo.extend(step.children)
        return sorted(out, key=lambda n: n.id)


# --- rendering ---------------------------------------------------------------------------


def _render_node(node: Node, legacy: bool) -> List[str]:
    name = f"n{node.id}"
    aw = "yield from " if legacy else "await "
    if legacy and node.plain_gen:
        out = [f"def {name}(log):", "    if False:  # a generator, whatever its steps",
               "        yield"]
    elif legacy:
        out = ["@coroutine", f"def {name}(log):"]
    else:
        out = [f"async def {name}(log):"]
    if node.passthrough is not None:
        call = f"n{node.passthrough.id}(log)"
        out.append(f"    return {call}" if legacy else f"    return await {call}")
        return out
    out += [f"    log.append(('enter', {node.id}))", "    try:"]
    body: List[str] = []
    if legacy and node.force_gen:
        body.append("if False:  # a generator that never suspends")
        body.append("    yield")
    for j, step in enumerate(node.steps):
        body += _render_step(node, j, step, legacy, aw)
    if node.raises is None:
        body.append(f"log.append(('return', {node.id}, {node.value}))")
        body.append(f"return {node.value}")
    else:
        body.append(f"log.append(('raise', {node.id}, {node.raises!r}))")
        body.append(f"raise {node.raises}('n{node.id}')")
    out += ["        " + line for line in body]
    if node.reraise:
        out += [
            "    except BaseException as e:",
            f"        log.append(('reraise', {node.id}, H.norm(e), H.norm(e.__context__)))",
            "        raise",
        ]
    if node.final:
        out += ["    finally:", f"        log.append(('finally', {node.id}))"]
    if not (node.reraise or node.final):
        out += ["    finally:", "        pass"]
    return out


def _sleep0(node: Node, legacy: bool) -> str:
    if legacy:
        return "yield" if node.bare_yield else "yield from asyncio.sleep(0)"
    return "await asyncio.sleep(0)"


def _render_step(node: Node, j: int, step: Step, legacy: bool, aw: str) -> List[str]:
    nid = node.id
    calls = [f"n{c.id}(log)" for c in step.children]
    kind = step.kind
    if kind == "sleep0":
        return [_sleep0(node, legacy), f"log.append(('step', {nid}, {j}))"]
    if kind == "timer":
        return [f"{aw}asyncio.sleep({TIMERS[int(step.arg)]})", f"log.append(('step', {nid}, {j}))"]
    if kind == "spawn":
        return [f"H.spawn(({nid}, {j}), {calls[0]})", f"log.append(('spawned', {nid}, {j}))"]
    pre: List[str] = []
    if kind == "future":
        outcome = f"exc=E2('f{nid}.{j}')" if step.flag else f"value={j}"
        expr = f"r = {aw}H.later({int(step.arg)}, {outcome})"
    elif kind == "call":
        expr = f"r = {aw}{calls[0]}"
    elif kind == "gather":
        expr = f"r = {aw}asyncio.gather({', '.join(calls)}, return_exceptions={step.flag})"
    elif kind == "wait_for":
        expr = f"r = {aw}asyncio.wait_for({calls[0]}, {TIMEOUTS[int(step.arg)]})"
    elif kind == "shield":
        expr = f"r = {aw}asyncio.shield({calls[0]})"
    elif kind == "awaitable":
        expr = f"r = {aw}Awaitable({calls[0]})"
    elif kind == "task":
        make = "asyncio.get_event_loop().create_task" if step.flag else "asyncio.ensure_future"
        pre.append(f"t = {make}({calls[0]})")
        if step.arg >= 0:
            pre.append(f"for _ in range({int(step.arg)}):")
            pre.append("    " + _sleep0(node, legacy))
            pre.append("t.cancel()")
        expr_lines = [
            "try:",
            f"    r = {aw}t",
            "except asyncio.CancelledError:",
            f"    log.append(('task-cancelled', {nid}, {j}, t.cancelled()))",
            "    if not t.cancelled():",
            "        raise",
            "    r = 'cancelled'",
        ]
        return pre + _guard(nid, j, step, expr_lines)
    else:  # pragma: no cover - the strategy draws only the kinds above
        raise AssertionError(kind)
    return pre + _guard(nid, j, step, [expr])


def _guard(nid: int, j: int, step: Step, lines: List[str]) -> List[str]:
    got = f"log.append(('got', {nid}, {j}, H.norm(r)))"
    if not step.catch:
        return lines + [got]
    return (
        ["try:"]
        + ["    " + line for line in lines]
        + [
            "except Exception as e:",
            f"    log.append(('except', {nid}, {j}, H.norm(e), H.norm(e.__context__)))",
            "else:",
            "    " + got,
        ]
    )


# A custom awaitable of 2015-2018 libraries: __await__ is a plain generator.
# The legacy form delegates as 3.10 allowed (the layer makes it work); the
# native form asks the coroutine for its iterator explicitly.
_AWAITABLE = """
class Awaitable:
    def __init__(self, coro):
        self._coro = coro

    def __await__(self):
        return (yield from self._coro{native})

    __iter__ = __await__
"""


def render(program: Program, style: str) -> str:
    """Return the program's source text, in style "native", "legacy" or "mixed"."""
    lines = ["import asyncio", "from legacy_coro import coroutine", ""]
    if program.layer:
        lines += _AWAITABLE.format(native=".__await__()" if style == "native" else "").split("\n")
    for node in program.nodes():
        legacy = {"native": False, "legacy": True, "mixed": node.legacy}[style]
        lines += _render_node(node, legacy) + [""]
    return "\n".join(lines)


# --- running -----------------------------------------------------------------------------


class E1(Exception):
    pass


class E2(ValueError):
    pass


def _norm(value: Any) -> Any:
    if isinstance(value, BaseException):
        return ("exc", type(value).__name__, str(value))
    if isinstance(value, (list, tuple)):  # gather's results
        return [_norm(v) for v in value]
    return value


def _outcome(task: "asyncio.Future[Any]") -> Any:
    if task.cancelled():
        return ("cancelled",)
    exc = task.exception()
    return _norm(exc) if exc is not None else ("result", _norm(task.result()))


class Helpers:
    """What a program may call besides asyncio: the same in every style."""

    def __init__(self, log: List[Any]) -> None:
        self.log = log
        self.spawned: List[Tuple[Any, asyncio.Future[Any]]] = []
        self.tasks: List[asyncio.Future[Any]] = []

    def task_factory(self, loop: Any, coro: Any, **kwargs: Any) -> "asyncio.Future[Any]":
        """Make tasks as the loop would, remembering each one."""
        task = asyncio.Task(coro, loop=loop, **kwargs)
        self.tasks.append(task)
        return task

    def loop_error(self, loop: Any, context: Dict[str, Any]) -> None:
        self.log.append(("loop-error", context.get("message")))

    norm = staticmethod(_norm)

    def later(self, turns: int, value: Any = None, exc: Optional[BaseException] = None) -> Any:
        """Return a future resolved after *turns* more loop turns."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def tick(left: int) -> None:
            if fut.done():  # its waiter was cancelled
                return
            if left:
                loop.call_soon(tick, left - 1)
            elif exc is not None:
                fut.set_exception(exc)
            else:
                fut.set_result(value)

        loop.call_soon(tick, turns)
        return fut

    def spawn(self, key: Any, coro: Any) -> None:
        self.spawned.append((key, asyncio.ensure_future(coro)))


async def _drive(program: Program, ns: Dict[str, Any], log: List[Any], helpers: Helpers) -> None:
    root = asyncio.ensure_future(ns["n0"](log))
    if program.cancel_root_after is not None:
        for _ in range(program.cancel_root_after):
            await asyncio.sleep(0)
        root.cancel()
    try:
        result = await root
    except asyncio.CancelledError:
        log.append(("root-cancelled", root.cancelled()))
    except Exception as e:
        log.append(("root-raised", type(e).__name__, str(e)))
    else:
        log.append(("root-result", _norm(result)))
    # Let everything the program left running (spawned tasks, shielded
    # children, tasks of a cancelled parent) finish, then record how.
    me = asyncio.current_task()
    while True:
        others = [t for t in asyncio.all_tasks() if t is not me]
        if not others:
            break
        await asyncio.wait(others)
    for key, task in helpers.spawned:
        log.append(("spawned-outcome", key, _outcome(task)))
    # Every task the program made (gather, shield and wait_for make some), in
    # creation order; reading each outcome also marks its exception retrieved.
    for index, task in enumerate(t for t in helpers.tasks if t is not me):
        log.append(("task-outcome", index, _outcome(task)))


class _Deadlock(RuntimeError):
    pass


def _virtual_clock_loop() -> asyncio.AbstractEventLoop:
    """Return an asyncio loop whose clock jumps to the next timer instead of sleeping."""
    now = [0.0]

    class Selector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
        def select(self, timeout: Optional[float] = None) -> Any:
            events = super().select(0)
            if not events:
                if timeout is None:
                    raise _Deadlock("nothing ready and no timer pending")
                now[0] += timeout
            return events

    loop = asyncio.SelectorEventLoop(Selector())
    loop.time = lambda: now[0]  # type: ignore[method-assign]
    return loop


def _new_loop() -> asyncio.AbstractEventLoop:
    if LOOP == "uvloop":
        import uvloop

        return uvloop.new_event_loop()  # type: ignore[no-any-return]
    return _virtual_clock_loop()


def run_program(source: str, program: Program, layer: bool = False) -> List[Any]:
    """Execute *source* in a fresh namespace on a fresh loop; return its transcript.

    With *layer*, under legacy_coro.install(), compiled as ``legacy-coro run`` does.
    """
    if layer:
        from legacy_coro import installed_patches
        from legacy_coro._compile import compile_source

        with installed_patches():
            return _run(compile_source(source, "<generated program>"), program)
    return _run(compile(source, "<generated program>", "exec"), program)


def _run(code: Any, program: Program) -> List[Any]:
    log: List[Any] = []
    helpers = Helpers(log)
    ns: Dict[str, Any] = {"__name__": "generated_program", "H": helpers, "E1": E1, "E2": E2}
    exec(code, ns)
    loop = _new_loop()
    loop.set_task_factory(helpers.task_factory)
    loop.set_exception_handler(helpers.loop_error)
    try:
        loop.run_until_complete(_drive(program, ns, log, helpers))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    return log


def assert_styles_agree(program: Program) -> List[Any]:
    native = run_program(render(program, "native"), program)
    for style in ("legacy", "mixed"):
        source = render(program, style)
        other = run_program(source, program, layer=program.layer)
        where = " under the layer" if program.layer else ""
        assert other == native, f"{style} differs from native{where}; program:\n{source}"
    return native


# --- the strategy ------------------------------------------------------------------------

TIMED = LOOP != "uvloop"  # timers only where time is virtual


@st.composite
def programs(draw: Callable[..., Any], layer: bool = False) -> Program:
    counter = [0]
    child_kinds = LAYER_CHILD_KINDS if layer else CHILD_KINDS

    def node(depth: int, plain_allowed: bool = True) -> Node:
        n = Node(id=counter[0])
        counter[0] += 1
        n.legacy = draw(st.booleans())
        # an undecorated generator cannot be awaited by a native caller (3.10 neither)
        n.plain_gen = layer and plain_allowed and draw(st.integers(0, 2)) == 0
        room = depth < MAX_DEPTH and counter[0] < MAX_NODES
        if room and not n.plain_gen and draw(st.integers(0, 9)) == 0:
            n.passthrough = node(depth + 1, plain_allowed=False)
            return n
        n.value = draw(st.integers(0, 99))
        n.raises = draw(st.sampled_from([None, None, "E1", "E2"]))
        n.reraise = draw(st.booleans())
        n.final = draw(st.booleans())
        n.bare_yield = draw(st.booleans())
        n.force_gen = draw(st.booleans())
        fanout = 0
        for _ in range(draw(st.integers(1 if depth == 1 else 0, 4))):
            kinds = LEAF_KINDS if TIMED else ("sleep0", "future")
            room = depth < MAX_DEPTH and counter[0] < MAX_NODES and fanout < MAX_FANOUT
            if room:
                kinds = kinds + child_kinds
            kind = draw(st.sampled_from(kinds))
            step = Step(kind, catch=draw(st.booleans()))
            if kind == "gather":
                width = draw(st.integers(1, MAX_FANOUT - fanout))
                step.flag = draw(st.booleans())
            else:
                width = 1 if kind in child_kinds else 0
            fanout += width
            if kind == "future":
                step.arg = draw(st.integers(0, 3))
                step.flag = draw(st.booleans())
            elif kind == "timer":
                step.arg = draw(st.integers(0, len(TIMERS) - 1))
            elif kind == "wait_for":
                step.arg = draw(st.integers(0, len(TIMEOUTS) - 1)) if TIMED else len(TIMEOUTS) - 1
            elif kind == "task":
                step.arg = draw(st.integers(-1, 4))
                step.flag = draw(st.booleans())
            # a legacy caller's `yield from` takes a plain generator, an `await` does not
            plain_allowed = kind != "call" or n.legacy
            step.children = [node(depth + 1, plain_allowed) for _ in range(width)]
            if kind == "task" and not TIMED and any(c.plain_gen for c in step.children):
                step.flag = False  # uvloop's own loop.create_task() refuses a generator (README)
            n.steps.append(step)
        return n

    root = node(1)
    cancel = draw(st.one_of(st.none(), st.integers(0, 12)))
    return Program(root, cancel, layer)


@given(programs())
def test_native_legacy_and_mixed_agree(program):
    assert_styles_agree(program)


@given(programs(layer=True))
def test_native_legacy_and_mixed_agree_under_the_layer(program):
    assert_styles_agree(program)


# --- hand-written programs: the harness itself must see differences ----------------------


def _chain(depth: int) -> Node:
    root = Node(0)
    cur = root
    for i in range(1, depth):
        child = Node(i, raises="E1" if i == depth - 1 else None, final=True)
        cur.steps = [Step("sleep0"), Step("call", [child], catch=(i == 1))]
        cur = child
    return root


def test_deep_chain_of_all_kinds():
    program = Program(_chain(MAX_DEPTH))
    log = assert_styles_agree(program)
    assert ("except", 0, 1, ("exc", "E1", "n7"), None) in log
    assert ("root-result", 0) in log


def test_transcript_records_cancellation_and_finally():
    leaf = Node(2, steps=[Step("timer" if TIMED else "future", arg=3)], final=True)
    mid = Node(1, steps=[Step("shield", [leaf])], reraise=True)
    program = Program(Node(0, steps=[Step("call", [mid])], final=True), cancel_root_after=2)
    log = assert_styles_agree(program)
    assert any(e[:3] == ("reraise", 1, ("exc", "CancelledError", "")) for e in log)
    assert ("finally", 2) in log  # the shielded child finished after all
    assert ("root-cancelled", True) in log


def test_a_shim_that_adds_one_loop_turn_is_caught(monkeypatch):
    import legacy_coro

    real = legacy_coro.coroutine

    def one_turn_late(func):  # the kind of bug this file exists to find
        inner = real(func)

        @real
        def late(*args, **kwargs):
            yield
            return (yield from inner(*args, **kwargs))

        return late

    late = Node(2, legacy=True)  # legacy in the mixed rendering only
    program = Program(Node(0, steps=[Step("gather", [Node(1, steps=[Step("sleep0")]), late])]))
    assert_styles_agree(program)
    monkeypatch.setattr(legacy_coro, "coroutine", one_turn_late)
    with pytest.raises(AssertionError, match="mixed differs from native"):
        assert_styles_agree(program)


@pytest.mark.skipif(not TIMED, reason="uvloop's clock is real time")
def test_virtual_clock_orders_timers_and_timeouts():
    slow = Node(2, steps=[Step("timer", arg=3)])  # 5 s
    fast = Node(3, steps=[Step("timer", arg=0)])  # 1 ms
    root = Node(
        0,
        steps=[
            Step("wait_for", [slow], arg=0, catch=True),  # 1.5 ms timeout expires
            Step("gather", [Node(1, steps=[Step("timer", arg=2)]), fast]),
        ],
    )
    log = assert_styles_agree(Program(root))
    # (its __context__ is the inner CancelledError from 3.11 on, None before)
    assert ("except", 0, 0, ("exc", "TimeoutError", "")) in [e[:4] for e in log]
    assert log.index(("return", 3, 0)) < log.index(("return", 1, 0))
