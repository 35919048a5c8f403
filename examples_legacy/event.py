"""asyncio.Event lets several coroutines wait until something has happened.

The asyncio chapter's asyncio_event.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
import functools
from legacy_coro import coroutine


def set_event(event):
    print('setting event in callback')
    event.set()


@coroutine
def coro1(event):
    print('coro1 waiting for event')
    yield from event.wait()
    print('coro1 triggered')


@coroutine
def coro2(event):
    print('coro2 waiting for event')
    yield from event.wait()
    print('coro2 triggered')


@coroutine
def main(loop):
    # Create a shared event
    event = asyncio.Event()
    print('event start state: {}'.format(event.is_set()))

    loop.call_later(
        0.1, functools.partial(set_event, event)
    )

    # Changed from the book: asyncio.wait() refuses bare coroutines since
    # 3.11 (TypeError), so each is wrapped in a Task first, which also starts
    # them in list order.
    yield from asyncio.wait([loop.create_task(coro1(event)), loop.create_task(coro2(event))])
    print('event end state: {}'.format(event.is_set()))


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    event_loop.run_until_complete(main(event_loop))
finally:
    event_loop.close()
