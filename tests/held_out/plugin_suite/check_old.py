"""An old test suite, run by the old plugin's loop fixture and marker."""
import asyncio

import pytest


@pytest.mark.old_async
@asyncio.coroutine
def test_decorated(loop):
    value = yield from asyncio.sleep(0, result=1, loop=loop)
    assert value == 1


@pytest.mark.old_async
@asyncio.coroutine
def test_fails(loop):
    yield from asyncio.sleep(0, loop=loop)
    assert 1 == 2


@pytest.mark.old_async
@asyncio.coroutine
def test_async_call(loop):
    task = asyncio.async(asyncio.sleep(0, result='x', loop=loop), loop=loop)
    assert (yield from task) == 'x'


def test_plain(loop):
    assert not loop.is_closed()
