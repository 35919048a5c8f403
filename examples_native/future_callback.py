"""Callbacks added with add_done_callback() run when the Future completes.

The asyncio chapter's asyncio_future_callback.py.
"""
# ruff: noqa: UP032 (the book's str.format() calls are kept as written)

import asyncio
import functools


def callback(future, n):
    print('{}: future done: {}'.format(n, future.result()))


async def register_callbacks(all_done):
    print('registering callbacks on future')
    all_done.add_done_callback(functools.partial(callback, n=1))
    all_done.add_done_callback(functools.partial(callback, n=2))


async def main(all_done):
    await register_callbacks(all_done)
    print('setting result of future')
    all_done.set_result('the result')


# Changed from the book: asyncio.get_event_loop() with no running loop warns
# on 3.12+ and raises on 3.14, so the loop is made explicitly.
event_loop = asyncio.new_event_loop()
try:
    # Changed from the book: a Future made outside a running loop looks its
    # loop up with get_event_loop() (see above), so it is given the loop.
    all_done = asyncio.Future(loop=event_loop)
    event_loop.run_until_complete(main(all_done))
finally:
    event_loop.close()
