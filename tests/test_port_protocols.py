"""Awaitable classes: generator ``__await__`` / ``__iter__`` become ``__await_impl__``.

The fix is legacy_coro/port/fixes/protocol_methods.py.

An undecorated generator ``__await__`` that does ``yield from`` on coroutines,
or an ``__iter__`` serving as one, stops working once its callees are native
coroutines (a plain generator cannot ``yield from`` them).  The port converts
it so that ``await obj`` and the ``yield from obj`` left in generators both
work; what it cannot show to be an awaitable protocol is left, as before.
"""

from pathlib import Path
from typing import List

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, prints_as_on_36  # noqa: E402


PROTOCOLS = [
    pytest.param(
        """\
        import asyncio

        class Aw:
            def __init__(self, coro):
                self.coro = coro

            def __await__(self):
                return (yield from self.coro)
        """,
        """\
        import asyncio

        class Aw:
            def __init__(self, coro):
                self.coro = coro

            async def __await_impl__(self):
                return await self.coro

            def __await__(self):
                return self.__await_impl__().__await__()
        """,
        [],
        id="await-of-an-attribute",  # CPython 3.6's test_tasks.test_ensure_future_awaitable
    ),
    pytest.param(
        """\
        import asyncio

        class Connect:
            def __init__(self, uri):
                self.uri = uri

            @asyncio.coroutine
            def open(self):
                yield from asyncio.sleep(0)
                return self.uri

            def __await__(self):
                websocket = yield from self.open()
                return websocket

            __iter__ = __await__
        """,
        """\
        import asyncio

        class Connect:
            def __init__(self, uri):
                self.uri = uri

            async def open(self):
                await asyncio.sleep(0)
                return self.uri

            async def __await_impl__(self):
                websocket = await self.open()
                return websocket

            def __await__(self):
                return self.__await_impl__().__await__()

            __iter__ = __await__
        """,
        [],
        id="websockets-4-connect",
    ),
    pytest.param(
        """\
        import asyncio

        class Receipt(object):
            def __init__(self, ledger):
                self.ledger = ledger

            def __iter__(self):
                count = yield from self.ledger.record("d", 4)
                return count
            __await__ = __iter__
        """,
        """\
        import asyncio

        class Receipt(object):
            def __init__(self, ledger):
                self.ledger = ledger

            async def __await_impl__(self):
                count = await self.ledger.record("d", 4)
                return count

            def __iter__(self):
                return self.__await_impl__().__await__()
            __await__ = __iter__
        """,
        [],
        id="iter-named-await-too",
    ),
    pytest.param(
        """\
        import asyncio

        class Ticker:
            def __iter__(self):
                yield from asyncio.sleep(0)
                return 1
        """,
        """\
        import asyncio

        class Ticker:
            async def __await_impl__(self):
                await asyncio.sleep(0)
                return 1

            def __await__(self):
                return self.__await_impl__().__await__()

            __iter__ = __await__
        """,
        [],
        id="iter-yielding-from-asyncio-coroutine",
    ),
    pytest.param(
        """\
        class Items:
            def __iter__(self):
                yield from self.items
        """,
        None,
        [],
        id="plain-iter-is-left",
    ),
    pytest.param(
        """\
        import asyncio

        class Pause:
            def __await__(self):
                yield
                return "done"
        """,
        None,
        [],
        id="await-with-bare-yields-only-works-as-it-is",
    ),
    pytest.param(
        """\
        import asyncio

        class Odd:
            def __await__(self, *args):
                return (yield from asyncio.sleep(0))
        """,
        None,
        ["LC004:sleep"],
        id="an-await-that-cannot-take-the-form-is-left",
    ),
    pytest.param(
        """\
        import asyncio

        class Busy:
            def __await_impl__(self):
                pass

            def __await__(self):
                return (yield from asyncio.sleep(0))
        """,
        None,
        ["LC004:sleep"],
        id="the-impl-name-is-taken",
    ),
    pytest.param(
        """\
        import asyncio

        def numbers():
            yield 1

        class Mixed:
            def __await__(self):
                yield from numbers()
        """,
        None,
        ["LC003:numbers"],
        id="yield-from-a-plain-generator-keeps-it",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes"), PROTOCOLS)
def test_protocols(src: str, expected: str, codes: List[str]) -> None:
    result, found = port(src)
    assert result == d(expected if expected is not None else src)
    assert sorted(found) == sorted(codes)
    assert port(result)[0] == result


PROGRAM = """\
import asyncio


class Ledger(object):
    def __init__(self):
        self.entries = []

    @asyncio.coroutine
    def record(self, name, amount):
        yield from asyncio.sleep(0)
        self.entries.append((name, amount))
        return len(self.entries)


class Receipt(object):
    def __init__(self, ledger, name, amount):
        self.ledger, self.name, self.amount = ledger, name, amount

    def __iter__(self):
        count = yield from self.ledger.record(self.name, self.amount)
        return "receipt %s #%d" % (self.name, count)
    __await__ = __iter__


class Aw(object):
    def __init__(self, coro):
        self.coro = coro

    def __await__(self):
        return (yield from self.coro)


@asyncio.coroutine
def kept(ledger, value):
    yield from ()  # a generator coroutine still (LC006): it yields from Receipt too
    text = yield from Receipt(ledger, "kept", value)
    return text


@asyncio.coroutine
def main(loop):
    ledger = Ledger()
    print((yield from Receipt(ledger, "a", 1)))
    task = asyncio.ensure_future(Aw(ledger.record("c", 3)))  # an awaitable, not an iterable
    print((yield from task))
    print((yield from kept(ledger, 5)))
    print(ledger.entries)


loop = asyncio.new_event_loop()
loop.run_until_complete(main(loop))
loop.close()
"""


def test_ported_protocols_print_what_36_printed(tmp_path: Path) -> None:
    _, ported = prints_as_on_36(tmp_path, PROGRAM, "receipts.py")
    assert "async def __await_impl__" in ported and "yield from Receipt" in ported
