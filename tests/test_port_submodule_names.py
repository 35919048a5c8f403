"""Names gone from their asyncio submodule in 3.8 are spelled ``asyncio.X``."""

from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

ROWS = [
    pytest.param("""\
        import asyncio

        @asyncio.coroutine
        def f(fut):
            try:
                yield from fut
            except asyncio.futures.CancelledError:
                pass
        """, """\
        import asyncio

        async def f(fut):
            try:
                await fut
            except asyncio.CancelledError:
                pass
        """, [], id="except-clause"),
    pytest.param("""\
        from asyncio import futures, streams

        ERRORS = (futures.TimeoutError, streams.IncompleteReadError)
        """, """\
        import asyncio

        ERRORS = (asyncio.TimeoutError, asyncio.IncompleteReadError)
        """, [], id="through-the-submodule-imported"),
    pytest.param("""\
        from asyncio.futures import CancelledError, InvalidStateError
        """, """\
        from asyncio import CancelledError, InvalidStateError
        """, [], id="from-import"),
    pytest.param("""\
        from asyncio.futures import Future, TimeoutError
        """, """\
        from asyncio import Future, TimeoutError
        """, [], id="from-import-with-a-name-that-stayed"),
    pytest.param("""\
        from asyncio.futures import Future, _chain_future, TimeoutError
        """, None, [], id="a-private-name-keeps-the-statement"),
    pytest.param("""\
        from asyncio.futures import Future, isfuture
        """, None, [], id="nothing-removed"),
    pytest.param("""\
        import concurrent.futures

        ERROR = concurrent.futures.TimeoutError
        """, None, [], id="another-futures-module"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), ROWS)
def test_submodule_names(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == d(expected if expected is not None else src)
    assert found == codes
    assert port(result)[0] == result
