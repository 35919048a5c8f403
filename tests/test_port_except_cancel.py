"""``except Exception`` around a coroutine's await no longer catches cancellation (LC021)."""

from typing import List

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

ROWS = [
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def handler(ws):
            try:
                yield from ws.recv()
            except Exception:
                yield from ws.close(1011)
        """, (3, 10), ["LC021"], id="around-a-yield-from"),
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def handler(ws):
            try:
                yield from ws.recv()
            except (OSError, Exception):
                pass
        """, (3, 10), ["LC021"], id="in-a-tuple"),
    pytest.param("""\
        import asyncio

        async def handler(ws):
            try:
                await ws.recv()
            except Exception:
                pass
        """, (3, 10), [], id="native-code-is-not-the-port-s"),
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def handler(ws):
            try:
                yield from ws.recv()
            except (Exception, asyncio.CancelledError):
                pass
            try:
                yield from ws.recv()
            except BaseException:
                pass
            try:
                yield from ws.recv()
            except:
                pass
            try:
                yield from ws.recv()
            except OSError:
                pass
        """, (3, 10), [], id="handlers-that-still-catch-it-or-never-did"),
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def handler(ws):
            try:
                parse(ws)
            except Exception:
                pass
            yield from ws.recv()
        """, (3, 10), [], id="no-suspension-in-the-try"),
    pytest.param("""\
        import asyncio

        def plain():
            try:
                work()
            except Exception:
                pass
        """, (3, 10), [], id="not-a-coroutine"),
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def handler(ws):
            try:
                yield from ws.recv()
            except Exception:
                pass
        """, (3, 7), [], id="below-3.8-it-still-catches-it"),
]


@pytest.mark.parametrize(("src", "target", "codes"), ROWS)
def test_except_cancel(src: str, target: tuple, codes: List[str]) -> None:
    result, found = port(src, target=target)
    assert [c for c in found if c == "LC021"] == codes
    assert "except" in result and result.count("except") == d(src).count("except")
