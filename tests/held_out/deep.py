"""A chain of 900 coroutines through a decorator of the program's own."""
import asyncio
import functools


def traced(func):
    """Old code's decorator: asyncio.coroutine, and a name of its own."""
    coro = asyncio.coroutine(func)

    @functools.wraps(func)
    def wrapper(*args):
        return coro(*args)
    return asyncio.coroutine(wrapper)


@traced
def chain(n):
    if n == 0:
        yield from asyncio.sleep(0)
        return 0
    return (yield from chain(n - 1)) + 1


def plain_chain(n):
    if n == 0:
        yield from asyncio.sleep(0)
        return 0
    return (yield from plain_chain(n - 1)) + 1


loop = asyncio.new_event_loop()
print(loop.run_until_complete(chain(300)))
print(loop.run_until_complete(asyncio.async(plain_chain(900), loop=loop)))
loop.close()
