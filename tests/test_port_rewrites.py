"""Each rewrite of ``legacy-coro port`` and each refusal, one table row apiece."""

import asyncio
import inspect
import sys
import warnings
from typing import List, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

from legacy_coro.port._pipeline import port_source  # noqa: E402
from legacy_coro._versions import LOOP_ARGUMENT_REMOVED  # noqa: E402


REWRITES = [
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from g()
        """,
        """\
        async def f():
            await g()
        """,
        id="asyncio.coroutine-statement",
    ),
    pytest.param(
        """\
        import asyncio
        from legacy_coro import coroutine

        @coroutine
        def f():
            x = yield from g()
            return x
        """,
        """\
        import asyncio

        async def f():
            x = await g()
            return x
        """,
        id="legacy-decorator-import-dropped",
    ),
    pytest.param(
        """\
        from asyncio import coroutine, sleep

        @coroutine
        def f():
            yield from sleep(1)
        """,
        """\
        from asyncio import sleep

        async def f():
            await sleep(1)
        """,
        id="from-asyncio-import-partly-dropped",
    ),
    pytest.param(
        """\
        import asyncio as aio

        @aio.coroutine
        def f():
            yield from aio.sleep(1, loop=loop)
            yield
        """,
        """\
        import asyncio as aio

        async def f():
            await aio.sleep(1)
            await aio.sleep(0)
        """,
        id="aliased-module-loop-and-bare-yield",
    ),
    pytest.param(
        """\
        import asyncio.coroutines

        @asyncio.coroutines.coroutine
        def f():
            yield from asyncio.sleep(0)
        """,
        """\
        import asyncio.coroutines

        async def f():
            await asyncio.sleep(0)
        """,
        id="asyncio.coroutines.coroutine",
    ),
    pytest.param(
        """\
        from legacy_coro import coroutine as legacy

        @legacy
        def f():
            yield
        """,
        """\
        import asyncio

        async def f():
            await asyncio.sleep(0)
        """,
        id="bare-yield-adds-asyncio-import",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            return (yield from g())
        """,
        """\
        async def f():
            return await g()
        """,
        id="return-parenthesised",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            print((yield from g()), ((yield from h())))
            x = (yield from g()).attr + (yield from h())[0]
            y = (yield from g())()
        """,
        """\
        async def f():
            print(await g(), (await h()))
            x = (await g()).attr + (await h())[0]
            y = (await g())()
        """,
        id="parentheses-only-where-needed",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            a = yield from x + y
            b = yield from x if c else y
            c = yield from (x + y)
            d = yield from -x
        """,
        """\
        async def f():
            a = await (x + y)
            b = await (x if c else y)
            c = await (x + y)
            d = await (-x)
        """,
        id="await-binds-tighter",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            r = (yield from
                 g())  # comment
        """,
        """\
        async def f():
            r = (await
                 g())  # comment
        """,
        id="multiline-keeps-parentheses",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f(lock):
            with (yield from lock):  # hold it
                pass
            with (yield from self._a), (yield from self._b):
                pass
        """,
        """\
        async def f(lock):
            async with lock:  # hold it
                pass
            async with self._a, self._b:
                pass
        """,
        id="with-yield-from-lock",
    ),
    pytest.param(
        """\
        import asyncio

        @decorator(1)
        # why it is a coroutine
        @asyncio.coroutine  # old style
        def f():
            yield from g()
        """,
        """\
        @decorator(1)
        # why it is a coroutine
        # old style
        async def f():
            await g()
        """,
        id="stacked-decorators-and-comments-kept",
    ),
    pytest.param(
        """\
        import asyncio

        class C:
            @staticmethod
            @asyncio.coroutine
            def m(  x ,y ):   # odd spacing
                yield  from   g(x,y)

            @asyncio.coroutine
            @classmethod
            def k(cls):
                yield from cls.g()
        """,
        """\
        class C:
            @staticmethod
            async def m(  x ,y ):  # odd spacing
                await   g(x,y)

            @classmethod
            async def k(cls):
                await cls.g()
        """,
        id="method-odd-formatting",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            return 'x {}'.format(1)

        @asyncio.coroutine
        def g():
            return f"{1 + 2}" if False else None

        @asyncio.coroutine
        def h():
            return -1 * 2
        """,
        """\
        async def f():
            return 'x {}'.format(1)

        async def g():
            return f"{1 + 2}" if False else None

        async def h():
            return -1 * 2
        """,
        id="non-generator-plain-returns-converted",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from asyncio.wait_for(g(), 1, loop=loop)
            q = asyncio.Queue(loop=self._loop)
            l = asyncio.Lock(
                loop=loop,
            )
            asyncio.ensure_future(g(), loop=loop)
        """,
        """\
        import asyncio

        async def f():
            await asyncio.wait_for(g(), 1)
            q = asyncio.Queue()
            l = asyncio.Lock()
            asyncio.ensure_future(g(), loop=loop)
        """,
        id="loop-argument",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def already():
            pass

        @asyncio.coroutine
        async def native():
            await g()
        """,
        """\
        async def already():
            pass

        async def native():
            await g()
        """,
        id="no-yield-no-return-and-async-def",
    ),
    pytest.param(
        "import asyncio\r\n\r\n@asyncio.coroutine\r\ndef f():\r\n    yield from g()\r\n",
        "async def f():\r\n    await g()\r\n",
        id="crlf-kept",
    ),
    pytest.param(
        """\
        import asyncio
        t = asyncio.async(f())  # asyncio.async stays in comments
        s = "asyncio.async(f())"
        """,
        """\
        import asyncio
        t = asyncio.ensure_future(f())  # asyncio.async stays in comments
        s = "asyncio.async(f())"
        """,
        id="asyncio.async",
    ),
    pytest.param(
        """\
        import asyncio
        from legacy_coro import coroutine


        @coroutine
        def coroutine():
            print('in coroutine')

        coroutine()
        """,
        """\
        import asyncio


        async def coroutine():
            print('in coroutine')

        coroutine()
        """,
        id="function-named-coroutine",
    ),
    pytest.param(
        """\
        import asyncio

        class Conn:
            @asyncio.coroutine
            def handshake(self, uri, origin=None, extensions=None,
                          subprotocols=None,  # offered
                          headers=None):
                lock = asyncio.Lock(loop=self.loop)    # guards the handshake
                q = asyncio.Queue(loop=self.loop)  # two spaces: PEP 8's, kept
                x = yield from self.read(uri)      # aligned
                return x

            @asyncio.coroutine
            def hanging(
                    self, a,
                    b):
                yield from self.read(a)
        """,
        """\
        import asyncio

        class Conn:
            async def handshake(self, uri, origin=None, extensions=None,
                                subprotocols=None,  # offered
                                headers=None):
                lock = asyncio.Lock()                  # guards the handshake
                q = asyncio.Queue()  # two spaces: PEP 8's, kept
                x = await self.read(uri)           # aligned
                return x

            async def hanging(
                    self, a,
                    b):
                await self.read(a)
        """,
        id="comments-keep-their-column-parameters-their-alignment",
    ),
    pytest.param(
        """\
        import os

        def g():
            yield from range(3)
        """,
        """\
        import os

        def g():
            yield from range(3)
        """,
        id="plain-generator-untouched",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REWRITES)
def test_rewrite(src: str, expected: str) -> None:
    result, codes = port(src)
    assert result == d(expected)
    assert not [c for c in codes if c.startswith("LC00") and c not in ("LC001",)]
    # idempotent: a second run changes nothing
    assert port(result)[0] == result


REFUSALS = [
    pytest.param(
        """\
        from legacy_coro import coroutine

        @coroutine
        def f():
            yield fut
        """,
        None,
        ["LC002"],
        id="yield-value",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from [1, 2]
        """,
        """\
        from legacy_coro import coroutine

        @coroutine
        def f():
            yield from [1, 2]
        """,
        ["LC006"],
        id="yield-from-list",
    ),
    pytest.param(
        """\
        from legacy_coro import coroutine

        @coroutine
        def f():
            yield from range(3)
        """,
        None,
        ["LC006"],
        id="yield-from-range",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            g = lambda: (yield from h())
            yield from asyncio.sleep(0)
        """,
        """\
        import asyncio

        async def f():
            g = lambda: (yield from h())
            await asyncio.sleep(0)
        """,
        ["LC007"],
        id="lambda-left-alone",
    ),
    pytest.param(
        """\
        from legacy_coro import coroutine

        @coroutine
        def f():
            return [(yield from h()) for x in y]
        """,
        None,
        ["LC007"],
        id="comprehension",
    ),
    pytest.param(
        """\
        import inspect
        from legacy_coro import coroutine

        @coroutine
        def f():
            yield from g()

        assert not inspect.iscoroutinefunction(f)
        """,
        None,
        ["LC008"],
        id="inspected",
    ),
    pytest.param(
        """\
        import asyncio

        def f():
            yield from g()

        f = asyncio.coroutine(f)
        """,
        """\
        from legacy_coro import coroutine

        def f():
            yield from g()

        f = coroutine(f)
        """,
        ["LC003:g", "LC009"],
        id="decorator-as-call",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from asyncio.sleep(1, loop=get_loop())
        """,
        """\
        import asyncio

        async def f():
            await asyncio.sleep(1, loop=get_loop())
        """,
        ["LC010"],
        id="loop-not-a-name",
    ),
    pytest.param(
        """\
        from legacy_coro import coroutine

        @coroutine
        def f():
            with (yield from lock) as held:
                pass
        """,
        None,
        ["LC011"],
        id="with-as",
    ),
    pytest.param(
        """\
        from asyncio import coroutine

        @coroutine
        @other
        def f():
            yield from g()
        """,
        """\
        import legacy_coro

        @legacy_coro.coroutine
        @other
        def f():
            yield from g()
        """,
        ["LC012"],
        id="decorator-below",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def f():
            yield from asyncio.sleep(1)
            every = asyncio.Task.all_tasks

        loop = asyncio.get_event_loop
        loop().run_until_complete(asyncio.wait([f(), f()]))
        """,
        """\
        import asyncio

        async def f():
            await asyncio.sleep(1)
            every = asyncio.Task.all_tasks

        loop = asyncio.get_event_loop
        loop().run_until_complete(asyncio.wait([f(), f()]))
        """,
        ["LC005", "LC013"],
        id="reported-only",
    ),
    pytest.param(
        """\
        import asyncio

        @asyncio.coroutine
        def outer():
            @asyncio.coroutine
            def inner():
                yield 5
            x = yield from inner()
            yield 3
            return x
        """,
        """\
        from legacy_coro import coroutine

        @coroutine
        def outer():
            @coroutine
            def inner():
                yield 5
            x = yield from inner()
            yield 3
            return x
        """,
        ["LC002", "LC002"],
        id="nested-refusals",
    ),
    pytest.param(
        """\
        from legacy_coro import coroutine

        @coroutine
        def fetch():
            yield from g()

        def plain():
            x = yield from fetch()
        """,
        """\
        async def fetch():
            await g()

        def plain():
            x = yield from fetch()
        """,
        ["LC004:fetch"],
        id="plain-generator-calls-converted",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes"), REFUSALS)
def test_refusal(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == d(expected if expected is not None else src)
    assert sorted(found) == sorted(codes)
    # A second run changes nothing.  LC004 is about what *this* run converts: once
    # converted, the callee is an async def the second run has nothing to do with.
    assert port(result) == (result, [c for c in found if not c.startswith("LC004")])


def test_encoding_kept() -> None:
    src = "# -*- coding: latin-1 -*-\nfrom asyncio import coroutine\n@coroutine\ndef f():\n" \
          "    yield from g('\xe9')\n"
    result = port_source(src.encode("latin-1"))
    expected = "# -*- coding: latin-1 -*-\nasync def f():\n    await g('\xe9')\n"
    assert result.source == expected.encode("latin-1")


def test_nothing_interesting_is_not_parsed() -> None:
    result = port_source(b"x = (\n")  # would not parse; never looked at
    assert not result.changed


# Property: whatever mix of yield-from positions a coroutine has, the port compiles,
# converts it, and a second run changes nothing.
_SNIPPETS = [
    "yield from f()",
    "x = yield from f()",
    "x = (yield from f())",
    "x += yield from f()",
    "return (yield from f())",
    "print((yield from f()), (yield from g(1)))",
    "x = (yield from f()).attr",
    "x = (yield from f())[0]",
    "x = (yield from f())()",
    "x = -(yield from f())",
    "x = (yield from f()) ** 2",
    "x = 2 ** (yield from f())",
    "x = not (yield from f())",
    "x = (yield from f()) if c else (yield from g())",
    "x = yield from a + b",
    "x = yield from a if c else b",
    "x = yield from a or b",
    "x = yield from lambda: 1",
    "x = [(yield from f()), 1]",
    "x = {'k': (yield from f())}",
    "f(*(yield from g()), **(yield from h()))",
    "f(key=(yield from g()))",
    "for i in (yield from f()):\n        pass",
    "while (yield from f()):\n        break",
    "if (yield from f()) == 3:\n        pass",
    "with (yield from lock):\n        pass",
    "x = (yield from\n         f())",
    "x = (  yield from f()  )",
    "x = ((yield from f()))",
    "yield",
    "x = yield",
    "x = (yield)",
    "yield None",
    "assert (yield from f())",
    "del x[(yield from f())]",
    "x = f'{(yield from f())}'",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS), min_size=1, max_size=6))
def test_any_mix_ports_to_code_that_compiles(body: List[str]) -> None:
    src = "import asyncio\n\n@asyncio.coroutine\ndef co(a, b, c, f, g, h, lock):\n" + "".join(
        f"    {line}\n" for line in body)
    result = port_source(src.encode(), "t.py")
    assert result.converted == 1
    text = result.source.decode()
    compile(text, "t.py", "exec")
    assert "yield" not in text
    assert port_source(result.source, "t.py").source == result.source


@pytest.mark.parametrize("name", LOOP_ARGUMENT_REMOVED)
def test_loop_argument_table_matches_this_python(name: str) -> None:
    """The names whose `loop=` the port drops take it before 3.10 and not since."""
    target = getattr(asyncio, name)
    if not inspect.isclass(target):
        params = inspect.signature(target).parameters
        assert ("loop" in params) == (sys.version_info < (3, 10))
        return
    loop = asyncio.new_event_loop()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if sys.version_info < (3, 10):
                target(loop=loop)
            else:
                with pytest.raises(TypeError, match="loop"):
                    target(loop=loop)
    finally:
        loop.close()
