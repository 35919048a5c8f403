"""Schedule regular functions with call_soon(); functools.partial passes keywords.

The asyncio chapter's asyncio_call_soon.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
import functools
from legacy_coro import coroutine


def callback(arg, *, kwarg='default'):
    print('callback invoked with {} and {}'.format(arg, kwarg))


@coroutine
def main(loop):
    print('registering callbacks')
    loop.call_soon(callback, 1)
    wrapped = functools.partial(callback, kwarg='not default')
    loop.call_soon(wrapped, 2)

    yield from asyncio.sleep(0.1)


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    print('entering event loop')
    event_loop.run_until_complete(main(event_loop))
finally:
    print('closing event loop')
    event_loop.close()
