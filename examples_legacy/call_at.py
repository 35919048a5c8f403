"""call_at() schedules callbacks at a time of the loop's own clock, loop.time().

The asyncio chapter's asyncio_call_at.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
import time
from legacy_coro import coroutine


def callback(n, loop):
    print('callback {} invoked at {}'.format(n, loop.time()))


@coroutine
def main(loop):
    now = loop.time()
    print('clock time: {}'.format(time.time()))
    print('loop time: {}'.format(now))

    print('registering callbacks')
    loop.call_at(now + 0.2, callback, 1, loop)
    loop.call_at(now + 0.1, callback, 2, loop)
    loop.call_soon(callback, 3, loop)

    yield from asyncio.sleep(1)


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    print('entering event loop')
    event_loop.run_until_complete(main(event_loop))
finally:
    print('closing event loop')
    event_loop.close()
