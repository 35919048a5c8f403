"""What a ``yield from`` hands control to: names resolved through imports, scopes and the run.

Each construct has a row where the port rewrites and a row where it leaves the
site (pyupgrade style).  ``yield from X`` becomes ``await X`` only where X is
awaitable after the port; an undecorated generator converts with its callers
when every use of it is a ``yield from`` inside a coroutine (or a task).
"""

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, port_run  # noqa: E402

# (source, expected or None for "unchanged", codes)
MODULE = [
    # -- undecorated generator helpers -------------------------------------------
    pytest.param(
        """\
        import asyncio

        def read_name(reader):
            line = yield from reader.readline()
            return line.decode()

        @asyncio.coroutine
        def greet(reader):
            name = yield from read_name(reader)
            print("hello", name)
        """,
        """\
        async def read_name(reader):
            line = await reader.readline()
            return line.decode()

        async def greet(reader):
            name = await read_name(reader)
            print("hello", name)
        """,
        ["helper:read_name"],
        id="helper-converted-with-its-caller",
    ),
    pytest.param(
        """\
        import asyncio

        def read_name(reader):
            line = yield from reader.readline()
            return line.decode()

        @asyncio.coroutine
        def greet(reader):
            name = yield from read_name(reader)
            print("hello", name)

        def names(reader):
            return list(read_name(reader))
        """,
        """\
        from legacy_coro import coroutine

        def read_name(reader):
            line = yield from reader.readline()
            return line.decode()

        @coroutine
        def greet(reader):
            name = yield from read_name(reader)
            print("hello", name)

        def names(reader):
            return list(read_name(reader))
        """,
        ["LC003:readline", "LC015:read_name"],
        id="helper-used-otherwise-stays-and-its-caller-too",
    ),
    pytest.param(
        """\
        import asyncio

        def helper():
            yield from asyncio.sleep(0)
            yield 1

        @asyncio.coroutine
        def caller():
            yield from helper()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        def helper():
            yield from asyncio.sleep(0)
            yield 1

        @coroutine
        def caller():
            yield from helper()
        """,
        ["LC004:sleep", "LC015:helper"],
        id="helper-yielding-values-is-a-plain-generator",
    ),
    pytest.param(
        """\
        import asyncio

        def main():
            yield from asyncio.sleep(0)
            print("done")

        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        """,
        """\
        import asyncio

        async def main():
            await asyncio.sleep(0)
            print("done")

        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        """,
        ["helper:main"],
        id="generator-handed-to-a-task-converts",
    ),
    pytest.param(
        """\
        import asyncio

        def tick():
            yield from asyncio.sleep(0)

        def plain():
            yield from tick()

        @asyncio.coroutine
        def caller():
            yield from tick()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        def tick():
            yield from asyncio.sleep(0)

        def plain():
            yield from tick()

        @coroutine
        def caller():
            yield from tick()
        """,
        ["LC004:sleep", "LC003:tick", "LC015:tick"],
        id="helper-also-used-by-a-plain-generator-stays",
    ),
    pytest.param(
        """\
        import asyncio

        def inner():
            yield from asyncio.sleep(0)

        def outer():
            yield from inner()

        @asyncio.coroutine
        def caller():
            yield from outer()
        """,
        """\
        import asyncio

        async def inner():
            await asyncio.sleep(0)

        async def outer():
            await inner()

        async def caller():
            await outer()
        """,
        ["helper:inner", "helper:outer"],
        id="helpers-of-helpers-convert-together",
    ),
    pytest.param(
        """\
        import asyncio

        def helper():
            yield from asyncio.sleep(0)

        @asyncio.coroutine
        def caller():
            coro = helper()
            yield from coro
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        def helper():
            yield from asyncio.sleep(0)

        @coroutine
        def caller():
            coro = helper()
            yield from coro
        """,
        ["LC004:sleep", "LC015:helper"],
        id="generator-object-in-a-local-is-followed",
    ),
    pytest.param(
        """\
        import asyncio

        def helper():
            yield from asyncio.sleep(0)

        @asyncio.coroutine
        def run(coro):
            return (yield from coro)

        @asyncio.coroutine
        def main():
            yield from run(helper())
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        def helper():
            yield from asyncio.sleep(0)

        @coroutine
        def run(coro):
            return (yield from coro)

        async def main():
            await run(helper())
        """,
        ["LC004:sleep", "LC015:helper"],
        id="generator-object-handed-to-a-parameter-is-followed",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def run(coro):
            return (yield from coro)
        """,
        """\
        async def run(coro):
            return await coro
        """,
        [],
        id="parameter-nobody-hands-a-generator",
    ),
    pytest.param(
        """\
        import asyncio

        class Conn:
            def _read(self):
                data = yield from self.reader.read()
                return data

            @asyncio.coroutine
            def recv(self):
                return (yield from self._read())
        """,
        """\
        from legacy_coro import coroutine

        class Conn:
            def _read(self):
                data = yield from self.reader.read()
                return data

            @coroutine
            def recv(self):
                return (yield from self._read())
        """,
        ["LC003:read", "LC015:Conn._read"],
        id="generator-method-through-self",
    ),
    pytest.param(
        """\
        import asyncio

        class Conn:
            @asyncio.coroutine
            def _read(self):
                data = yield from self.reader.read()
                return data

            @asyncio.coroutine
            def recv(self):
                return (yield from self._read())
        """,
        """\
        class Conn:
            async def _read(self):
                data = await self.reader.read()
                return data

            async def recv(self):
                return await self._read()
        """,
        [],
        id="coroutine-method-through-self",
    ),
    pytest.param(
        """\
        import asyncio

        class Base:
            def start(self):
                yield from asyncio.sleep(0)

        class Child(Base):
            @asyncio.coroutine
            def start(self):
                yield from super().start()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Base:
            def start(self):
                yield from asyncio.sleep(0)

        class Child(Base):
            @coroutine
            def start(self):
                yield from super().start()
        """,
        ["LC004:sleep", "LC015:Base.start"],
        id="super-resolves-to-a-generator-method",
    ),
    pytest.param(
        """\
        import asyncio

        class Base:
            @asyncio.coroutine
            def start(self):
                yield from asyncio.sleep(0)

        class Child(Base):
            @asyncio.coroutine
            def start(self):
                yield from super().start()
        """,
        """\
        import asyncio

        class Base:
            async def start(self):
                await asyncio.sleep(0)

        class Child(Base):
            async def start(self):
                await super().start()
        """,
        [],
        id="super-resolves-to-a-coroutine",
    ),
    pytest.param(
        """\
        import asyncio

        class Base:
            @asyncio.coroutine
            def run(self):
                yield from self.step()

            @asyncio.coroutine
            def step(self):
                yield from asyncio.sleep(0)

        class Child(Base):
            def step(self):
                yield from asyncio.sleep(1)
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Base:
            @coroutine
            def run(self):
                yield from self.step()

            async def step(self):
                await asyncio.sleep(0)

        class Child(Base):
            def step(self):
                yield from asyncio.sleep(1)
        """,
        ["LC004:sleep", "LC015:Child.step"],
        id="self-call-may-reach-a-subclass-generator",
    ),
    pytest.param(
        """\
        import asyncio

        class Wire:
            def pump(self):
                yield from asyncio.sleep(0)

        @asyncio.coroutine
        def use(wire):
            yield from wire.pump()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Wire:
            def pump(self):
                yield from asyncio.sleep(0)

        @coroutine
        def use(wire):
            yield from wire.pump()
        """,
        ["LC004:sleep", "LC015:Wire.pump"],
        id="unknown-object-method-named-like-a-generator-of-the-run",
    ),
    pytest.param(
        """\
        import asyncio

        class Wire:
            @staticmethod
            def pump():
                yield from asyncio.sleep(0)

        @asyncio.coroutine
        def use():
            yield from Wire.pump()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Wire:
            @staticmethod
            def pump():
                yield from asyncio.sleep(0)

        @coroutine
        def use():
            yield from Wire.pump()
        """,
        ["LC004:sleep", "LC015:Wire.pump"],
        id="static-generator-method-through-its-class",
    ),
    pytest.param(
        """\
        import asyncio

        class Waiter:
            def wait_one(self):
                result = yield self.fut  # a Task took a yielded future too
                return result

        @asyncio.coroutine
        def use(waiter):
            yield from waiter.wait_one()
        """,
        """\
        from legacy_coro import coroutine

        class Waiter:
            def wait_one(self):
                result = yield self.fut  # a Task took a yielded future too
                return result

        @coroutine
        def use(waiter):
            yield from waiter.wait_one()
        """,
        ["LC015:Waiter.wait_one"],
        id="a-generator-yielding-futures-is-no-awaitable-either",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def use(reader, other):
            yield from reader.readexactly(4)
            yield from other.anything()
            yield from reader.fut
        """,
        """\
        async def use(reader, other):
            await reader.readexactly(4)
            await other.anything()
            await reader.fut
        """,
        [],
        id="what-the-port-cannot-see-is-awaited",
    ),
    pytest.param(
        """\
        import asyncio

        class Conn:
            def read(self):
                yield from asyncio.sleep(0)

        class Conn:
            @asyncio.coroutine
            def recv(self):
                yield from self.read()
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Conn:
            def read(self):
                yield from asyncio.sleep(0)

        class Conn:
            @coroutine
            def recv(self):
                yield from self.read()
        """,
        ["LC004:sleep", "LC015:Conn.read"],
        id="a-class-defined-twice-may-be-either",
    ),
    # -- classes ------------------------------------------------------------------
    pytest.param(
        """\
        import asyncio

        class Waiter:
            def __iter__(self):
                yield from asyncio.sleep(0)

        @asyncio.coroutine
        def main():
            yield from Waiter()
        """,
        """\
        import asyncio

        class Waiter:
            async def __await_impl__(self):
                await asyncio.sleep(0)

            def __await__(self):
                return self.__await_impl__().__await__()

            __iter__ = __await__

        async def main():
            await Waiter()
        """,
        [],
        id="iter-yielding-from-a-coroutine-serves-await",
    ),
    pytest.param(
        """\
        import asyncio

        class Items:
            def __iter__(self):
                yield from self.items

        @asyncio.coroutine
        def main():
            yield from Items()
        """,
        """\
        from legacy_coro import coroutine

        class Items:
            def __iter__(self):
                yield from self.items

        @coroutine
        def main():
            yield from Items()
        """,
        ["LC003:", "LC015:Items"],
        id="class-with-iter-and-no-await",
    ),
    pytest.param(
        """\
        import asyncio

        class Waiter:
            def __await__(self):
                return (yield from asyncio.sleep(0))
            __iter__ = __await__

        @asyncio.coroutine
        def main():
            yield from Waiter()
        """,
        """\
        import asyncio

        class Waiter:
            async def __await_impl__(self):
                return await asyncio.sleep(0)

            def __await__(self):
                return self.__await_impl__().__await__()
            __iter__ = __await__

        async def main():
            await Waiter()
        """,
        [],
        id="generator-await-becomes-await-impl",
    ),
    pytest.param(
        """\
        import asyncio

        class Waiter:
            def __iter__(self):
                return (yield from asyncio.sleep(0))
            __await__ = __iter__

        def gen():
            yield from Waiter()
        """,
        """\
        import asyncio

        class Waiter:
            async def __await_impl__(self):
                return await asyncio.sleep(0)

            def __iter__(self):
                return self.__await_impl__().__await__()
            __await__ = __iter__

        def gen():
            yield from Waiter()
        """,
        ["LC003:Waiter"],
        id="generator-iter-named-await-too",
    ),
    pytest.param(
        """\
        import asyncio

        class Connect:
            def __init__(self, loop):
                self.loop = loop

            @asyncio.coroutine
            def __iter__(self):                 # pragma: no cover
                yield from asyncio.sleep(0)
                return 42

        @asyncio.coroutine
        def main(loop):
            return (yield from Connect(loop))
        """,
        """\
        import asyncio

        class Connect:
            def __init__(self, loop):
                self.loop = loop

            async def __await_impl__(self):     # pragma: no cover
                await asyncio.sleep(0)
                return 42

            def __await__(self):
                return self.__await_impl__().__await__()

            __iter__ = __await__

        async def main(loop):
            return await Connect(loop)
        """,
        [],
        id="decorated-iter-serves-yield-from-and-await",
    ),
    pytest.param(
        """\
        import asyncio

        class Connect:
            @asyncio.coroutine
            def __iter__(self):
                return (yield from asyncio.sleep(0, 42))

            def __await__(self):
                return self.__iter__()
        """,
        """\
        import asyncio

        class Connect:
            async def __await_impl__(self):
                return await asyncio.sleep(0, 42)

            def __iter__(self):
                return self.__await_impl__().__await__()

            def __await__(self):
                return self.__iter__()
        """,
        [],
        id="decorated-iter-beside-an-own-await",
    ),
    pytest.param(
        """\
        import asyncio

        class Odd:
            @asyncio.coroutine
            def __await__(self):
                yield from asyncio.sleep(0)
        """,
        """\
        import asyncio
        from legacy_coro import coroutine

        class Odd:
            @coroutine
            def __await__(self):
                yield from asyncio.sleep(0)
        """,
        ["LC017"],
        id="decorated-await-is-left",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def wrap(awaitable):
            return (yield from awaitable.__await__())
        """,
        """\
        from legacy_coro import coroutine

        @coroutine
        def wrap(awaitable):
            return (yield from awaitable.__await__())
        """,
        ["LC015:__await__()"],
        id="an-await-method-gives-an-iterator",
    ),
    # -- every spelling of an asyncio name -----------------------------------------
    pytest.param(
        """\
        import asyncio
        import asyncio.queues
        import asyncio.locks as locks
        from asyncio.queues import LifoQueue as Stack

        @asyncio.coroutine
        def main(loop):
            q = asyncio.queues.Queue(1, loop=loop)
            lock = locks.Lock(loop=loop)
            s = Stack(loop=loop)
            yield from asyncio.tasks.sleep(0, loop=loop)
        """,
        """\
        import asyncio
        import asyncio.queues
        import asyncio.locks as locks
        from asyncio.queues import LifoQueue as Stack

        async def main(loop):
            q = asyncio.queues.Queue(1)
            lock = locks.Lock()
            s = Stack()
            await asyncio.tasks.sleep(0)
        """,
        [],
        id="submodule-spellings",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def main(loop):
            import asyncio as aio
            yield from aio.sleep(0, loop=loop)

        @asyncio.coroutine
        def shadowed(asyncio, loop):
            yield from asyncio.sleep(0, loop=loop)
        """,
        """\
        import asyncio

        async def main(loop):
            import asyncio as aio
            await aio.sleep(0)

        async def shadowed(asyncio, loop):
            await asyncio.sleep(0, loop=loop)
        """,
        [],
        id="local-import-and-a-parameter-shadowing-asyncio",
    ),
    pytest.param(
        """\
        import asyncio

        def fake():
            coroutine = lambda f: f
            @coroutine
            def g():
                yield 1
            return g
        """,
        None,
        [],
        id="local-name-coroutine-is-not-the-decorator",
    ),
    # -- loop= and the oldest Python the output runs on ------------------------------
    pytest.param(
        """\
        import asyncio

        loop = asyncio.new_event_loop()
        done = asyncio.Event(loop=loop)

        class Proto:
            def __init__(self, loop):
                self.queue = asyncio.Queue(loop=loop)
                self.sleeper = asyncio.sleep(1, loop=loop)
        """,
        """\
        import asyncio

        loop = asyncio.new_event_loop()
        done = asyncio.Event(loop=loop)

        class Proto:
            def __init__(self, loop):
                self.queue = asyncio.Queue(loop=loop)
                self.sleeper = asyncio.sleep(1)
        """,
        ["LC016:asyncio.Event", "LC016:asyncio.Queue"],
        id="loop-bound-at-call-outside-a-coroutine-is-left",
    ),
    # -- LC003 / LC004 -------------------------------------------------------------
    pytest.param(
        """\
        def walk(tree):
            yield tree
            for child in tree.children:
                yield from walk(child)
        """,
        None,
        [],
        id="data-generator-without-asyncio-is-no-site",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes"), MODULE)
def test_module(src: str, expected: Optional[str], codes: List[str]) -> None:
    """Each row at --py38-plus; the default target ports the same but for LC016's loop=."""
    result, found = port(src, target=(3, 8))
    assert result == d(expected if expected is not None else src)
    assert sorted(found) == sorted(codes)
    again, _ = port(result, target=(3, 8))
    assert again == result
    if not any(code.startswith("LC016") for code in codes):
        assert port(src) == (result, found)


def test_py310_plus_drops_loop_outside_coroutines() -> None:
    src = MODULE[-2].values[0]
    result, found = port(src, target=(3, 10))
    assert "asyncio.Event()" in result and "asyncio.Queue()" in result
    assert "loop=" not in result.split("\n", 3)[3]
    assert found == []


RUNS = [
    pytest.param(
        {
            "helpers.py": """\
                def read_name(reader):
                    line = yield from reader.readline()
                    return line.decode()
                """,
            "app.py": """\
                import asyncio
                from helpers import read_name

                @asyncio.coroutine
                def greet(reader):
                    name = yield from read_name(reader)
                    print("hello", name)
                """,
        },
        {
            "helpers.py": """\
                async def read_name(reader):
                    line = await reader.readline()
                    return line.decode()
                """,
            "app.py": """\
                from helpers import read_name

                async def greet(reader):
                    name = await read_name(reader)
                    print("hello", name)
                """,
        },
        {"helpers.py": ["helper:read_name"], "app.py": []},
        id="helper-in-another-module",
    ),
    pytest.param(
        {
            "pkg/__init__.py": "",
            "pkg/wire.py": """\
                def read_name(reader):
                    line = yield from reader.readline()
                    return line.decode()
                """,
            "pkg/app.py": """\
                import asyncio
                from . import wire

                @asyncio.coroutine
                def greet(reader):
                    name = yield from wire.read_name(reader)
                    print("hello", name)

                def lines(reader):
                    return list(wire.read_name(reader))
                """,
        },
        {
            "pkg/__init__.py": "",
            "pkg/wire.py": """\
                def read_name(reader):
                    line = yield from reader.readline()
                    return line.decode()
                """,
            "pkg/app.py": """\
                from . import wire
                from legacy_coro import coroutine

                @coroutine
                def greet(reader):
                    name = yield from wire.read_name(reader)
                    print("hello", name)

                def lines(reader):
                    return list(wire.read_name(reader))
                """,
        },
        {"pkg/__init__.py": [], "pkg/wire.py": [], "pkg/app.py": ["LC015:read_name"]},
        id="relative-import-and-a-use-that-is-no-yield-from",
    ),
    pytest.param(
        {
            "a.py": """\
                import asyncio

                @asyncio.coroutine
                def fetch():
                    yield from asyncio.sleep(0)
                """,
            "b.py": """\
                def fetch():
                    yield 1

                def old():
                    x = yield from fetch()
                """,
            "c.py": """\
                from a import fetch

                def old():
                    x = yield from fetch()
                """,
        },
        {
            "a.py": """\
                import asyncio

                async def fetch():
                    await asyncio.sleep(0)
                """,
            "b.py": """\
                def fetch():
                    yield 1

                def old():
                    x = yield from fetch()
                """,
            "c.py": """\
                from a import fetch

                def old():
                    x = yield from fetch()
                """,
        },
        {"a.py": [], "b.py": [], "c.py": ["LC004:fetch"]},
        id="lc004-only-for-the-function-really-converted",
    ),
]


@pytest.mark.parametrize(("files", "expected", "codes"), RUNS)
def test_run(tmp_path: Path, files: Dict[str, str], expected: Dict[str, str],
             codes: Dict[str, List[str]]) -> None:
    result = port_run(tmp_path, files)
    assert {name: text for name, (text, _) in result.items()} == {
        name: d(text) for name, text in expected.items()}
    assert {name: sorted(found) for name, (_, found) in result.items()} == {
        name: sorted(found) for name, found in codes.items()}


def test_a_helper_a_plan_refuses_is_planned_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a file's plan refuse a helper the run converted, its callers are redone."""
    from legacy_coro.port import _plan

    original = _plan._decide

    def refuse_helpers(definition: Any, facts: Any) -> Any:
        decision, found = original(definition, facts)
        if definition.decorator is None and decision.kind == "convert":
            return decision._replace(kind="keep", coroutine=False), [
                (definition.line, "LC008", "")]
        return decision, found

    monkeypatch.setattr(_plan, "_decide", refuse_helpers)
    result = port_run(tmp_path, RUNS[0].values[0])  # type: ignore[arg-type]
    helpers, helper_codes = result["helpers.py"]
    app, app_codes = result["app.py"]
    assert helpers == d(RUNS[0].values[0]["helpers.py"])  # type: ignore[index]
    assert "@coroutine\ndef greet" in app and "yield from read_name" in app
    assert app_codes == ["LC015:read_name"]
    assert helper_codes == []  # the second plan does not offer it to the transform


def test_below_py38_kept_functions_keep_asyncio_coroutine() -> None:
    """legacy_coro needs 3.8: for an older target a refused function keeps asyncio's decorator."""
    src = """\
        import asyncio

        @asyncio.coroutine
        def connect(*args):
            return Connect(*args).__iter__()

        @asyncio.coroutine
        def fetch():
            yield from asyncio.sleep(0)

        kept = asyncio.coroutine(lambda: None)
        """
    result, codes = port(src, target=(3, 7), result_helper=False)
    assert result == d("""\
        import asyncio

        @asyncio.coroutine
        def connect(*args):
            return Connect(*args).__iter__()

        async def fetch():
            await asyncio.sleep(0)

        kept = asyncio.coroutine(lambda: None)
        """)
    assert sorted(codes) == ["LC001", "LC009"]
    assert "legacy_coro" in port(src, result_helper=False)[0]  # 3.8+: onto legacy_coro
